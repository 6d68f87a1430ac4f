"""The panel's jobs: plain functions ``job(reporter, ...)`` run off the GUI thread (and by the CLI).

Engines are imported inside the functions so importing this module stays cheap. Partial payloads are
self-contained :class:`RunSnapshot` objects (the job manager keeps only the latest one).
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Optional

import numpy as np

from workbench.panels.optimizer.contours import SurfaceLayer, surface_layers
from workbench.panels.optimizer.thinning import thinned

if TYPE_CHECKING:
    from engines.jobs import Reporter
    from engines.optim import BasinMap, Surface, SweepResult, TrajectoryResult

GRID_N = 240
MAX_FRAMES = 1_000  # recorded steps per trajectory: longer runs record every k-th step
PREVIEW_POINTS = 20_000  # points per configuration in a live (partial) result
PROCESS_WORK = 2_000_000  # trajectory-steps beyond which a run goes to a job process (its Python loop holds the GIL)
EXPRESSION_BOUNDS = ((-3.0, 3.0), (-3.0, 3.0))

DEFAULT_SPECS = (
    "sgd:lr=0.001",
    "momentum:lr=0.0005,momentum=0.9",
    "adam:lr=0.05",
    "lion:lr=0.01",
)


@dataclass(frozen=True)
class SurfaceChoice:
    """A built-in surface with parameters, or a typed formula f(x, y) when ``expression`` is set."""

    name: str = "rosenbrock"
    params: tuple[tuple[str, float], ...] = ()
    expression: str = ""
    bounds: tuple[tuple[float, float], tuple[float, float]] = EXPRESSION_BOUNDS

    def build(self) -> "Surface":
        from engines.optim import compile_expression, get_surface

        if self.expression.strip():
            return compile_expression(self.expression, bounds=self.bounds)
        return get_surface(self.name, **dict(self.params))

    def describe(self) -> str:
        if self.expression.strip():
            return f"f(x, y) = {self.expression.strip()}"
        args = ", ".join(f"{k}={v:g}" for k, v in self.params)
        return f"{self.name}({args})" if args else self.name

    def as_dict(self) -> dict[str, Any]:
        if self.expression.strip():
            return {"expression": self.expression.strip(), "bounds": self.bounds}
        return {"name": self.name, "params": dict(self.params)}


@dataclass
class RunSnapshot:
    """The surface grid and the trajectories so far (``result`` is None before the first step)."""

    x: np.ndarray  # (n,)
    y: np.ndarray  # (n,)
    z: np.ndarray  # (n, n), rows ↔ y
    minima: np.ndarray  # (M, 2)
    minimum_loss: Optional[float]  # lowest known minimum value, None when the surface has none
    starts: np.ndarray  # (S, 2)
    labels: list[str]
    layers: dict[bool, SurfaceLayer]  # what the view draws of z, linear (False) and log (True)
    result: Optional["TrajectoryResult"] = None

    @property
    def floor(self) -> float:
        """The loss the gap plot is drawn above: the lowest known minimum, else the lowest loss seen."""
        values = [float(np.nanmin(self.z))]
        if self.minimum_loss is not None:
            values = [self.minimum_loss]
        if self.result is not None and np.isfinite(self.result.losses).any():
            values.append(float(np.nanmin(self.result.losses)))
        return min(values)


class MappedReporter:
    """A reporter that transforms partial payloads before passing them to ``parent``."""

    def __init__(self, parent: "Reporter", fn: Callable[[Any], Any]) -> None:
        self.parent, self.fn = parent, fn

    @property
    def cancelled(self) -> bool:
        return self.parent.cancelled

    def check(self) -> None:
        self.parent.check()

    def progress(self, fraction: Optional[float], message: str = "") -> None:
        self.parent.progress(fraction, message)

    def partial(self, payload: Any) -> None:
        self.parent.partial(self.fn(payload))


def surface_grid(surface: "Surface", n: int = GRID_N) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, Optional[float]]:
    """x (n,), y (n,), z (n, n), minima (M, 2), lowest minimum value (None without minima)."""
    import torch

    X, Y, Z = surface.grid(n)
    minima = np.asarray(surface.minima, dtype=float).reshape(-1, 2)
    low = None
    if len(minima):
        with torch.no_grad():
            values = surface.fn(torch.as_tensor(minima, dtype=torch.float64)).numpy()
        low = float(np.min(values))
    return X[0], Y[:, 0], Z, minima, low


def run_trajectories_job(
    reporter: "Reporter",
    surface: SurfaceChoice,
    specs: list[str],
    starts: Optional[np.ndarray],
    steps: int,
    noise: float = 0.0,
    seed: int = 0,
    device: str = "cpu",
    grid_n: int = GRID_N,
    double: bool = True,
) -> RunSnapshot:
    """Build the surface and its grid, then run every spec from every start (the surface's own
    starts when ``starts`` is None; float64 unless not ``double``); streams :class:`RunSnapshot` partials."""
    import torch

    from engines.errors import InputError
    from engines.optim import TrajectoryRequest, parse_spec, run_trajectories

    parsed = [parse_spec(text) for text in specs]
    if not parsed:
        raise InputError("add at least one optimizer")
    built = surface.build()
    reporter.progress(None, "drawing the surface")
    x, y, z, minima, low = surface_grid(built, grid_n)
    points = np.asarray(starts if starts is not None and len(starts) else built.starts, float).reshape(-1, 2)
    if not len(points):
        points = np.array([[(x[0] + x[-1]) / 2, (y[0] + y[-1]) / 2]])
    reporter.progress(None, "tracing contours")
    snapshot = RunSnapshot(x, y, z, minima, low, points, [s.display for s in parsed], surface_layers(z))
    reporter.partial(snapshot)
    request = TrajectoryRequest(built, parsed, points, int(steps), noise=float(noise), seed=int(seed), device=device,
                                dtype=torch.float64 if double else torch.float32,
                                record_every=max(1, -(-int(steps) // MAX_FRAMES)))
    result = run_trajectories(MappedReporter(reporter, lambda r: replace(snapshot, result=preview(r))), request)
    return replace(snapshot, result=result)


def preview(result: "TrajectoryResult") -> "TrajectoryResult":
    """A partial result thinned to every k-th recorded step (and the last), without optimizer state: small
    enough to draw, and to send from a job process, several times a second."""
    from engines.optim import TrajectoryResult

    keep = thinned(result.losses.shape[1], result.losses.shape[2], PREVIEW_POINTS)
    return TrajectoryResult(result.positions[:, :, keep], result.losses[:, :, keep], result.diverged_at,
                            result.steps[keep], {}, result.labels)


def ode_curves_job(
    reporter: "Reporter", surface: SurfaceChoice, specs: list[str], starts: np.ndarray, steps: int
) -> list[tuple[int, np.ndarray]]:
    """Continuous-time counterparts (gradient flow; heavy-ball ODE) of every plain SGD / momentum spec."""
    from engines.errors import InputError
    from engines.optim import OPTIMIZERS, parse_spec
    from engines.optim.dynamics import continuous_counterpart

    built = surface.build()
    (x0, x1), (y0, y1) = built.bounds
    box = ((x0 - 4 * (x1 - x0), x1 + 4 * (x1 - x0)), (y0 - 4 * (y1 - y0), y1 + 4 * (y1 - y0)))
    out: list[tuple[int, np.ndarray]] = []
    parsed = [parse_spec(text) for text in specs]
    todo = [(c, s) for c, s in enumerate(parsed) if s.name in ("sgd", "momentum") and not s.wrappers]
    for k, (c, spec) in enumerate(todo):
        hyper = {**OPTIMIZERS[spec.name].defaults, **spec.hyper}
        if hyper.get("nesterov") or hyper.get("dampening"):
            continue
        for start in np.asarray(starts, float).reshape(-1, 2):
            reporter.progress(k / max(len(todo), 1), f"solving the ODE of {spec.display}")
            try:
                curve = continuous_counterpart(built, start, float(hyper["lr"]), int(steps),
                                               float(hyper.get("momentum", 0.0)), box=box)
            except InputError:
                continue
            out.append((c, curve.xy))
    return out


@dataclass
class BasinSnapshot:
    x: np.ndarray
    y: np.ndarray
    z: np.ndarray
    minima: np.ndarray
    label: str
    basins: Optional["BasinMap"] = None


def basin_job(reporter: "Reporter", surface: SurfaceChoice, spec: str, n: int, steps: int,
              device: str = "cpu") -> BasinSnapshot:
    """Which minimum each start of an n×n grid reaches with ``spec``, and how fast."""
    from engines.optim import basin_map, parse_spec

    parsed = parse_spec(spec)
    built = surface.build()
    x, y, z, minima, _ = surface_grid(built, n)
    snapshot = BasinSnapshot(x, y, z, minima, parsed.display)
    result = basin_map(MappedReporter(reporter, lambda b: replace(snapshot, basins=b)), built, parsed,
                       n=n, steps=steps, device=device)
    return replace(snapshot, basins=result)


@dataclass
class SweepOutcome:
    """A sweep plus, on a quadratic swept over (lr, momentum), Distill's theory for comparison."""

    result: "SweepResult"
    label: str
    optimal: Optional[tuple[float, float]] = None  # (α*, β*) when the theory applies
    predicted: Optional[np.ndarray] = None  # (ny, nx) predicted rate max ρ over the eigenvalues
    rates: dict[str, float] = field(default_factory=dict)  # "momentum", "gd" optimal rates


def sweep_job(reporter: "Reporter", surface: SurfaceChoice, spec: str, x_param: str, x_values: np.ndarray,
              y_param: str, y_values: np.ndarray, start: tuple[float, float], steps: int, metric: str,
              device: str = "cpu") -> SweepOutcome:
    """Final loss (or steps to tolerance) over a grid of two hyperparameters, one batched run."""
    from engines.optim import (
        momentum_rate,
        optimal_momentum,
        parse_spec,
        rate_gd,
        rate_momentum,
        sweep,
    )

    parsed = parse_spec(spec)
    built = surface.build()

    def outcome(result: "SweepResult") -> SweepOutcome:
        eig = built.hessian_eigenvalues
        if eig is None or parsed.name != "momentum" or {x_param, y_param} != {"lr", "momentum"}:
            return SweepOutcome(result, parsed.display)
        lo, hi = min(eig), max(eig)
        alpha, beta = optimal_momentum(lo, hi)
        xs, ys = np.meshgrid(result.x_values, result.y_values)
        a, b = (xs, ys) if x_param == "lr" else (ys, xs)
        kappa = hi / lo
        return SweepOutcome(result, parsed.display, (alpha, beta), momentum_rate(a, b, eig),
                            {"momentum": rate_momentum(kappa), "gd": rate_gd(kappa)})

    result = sweep(MappedReporter(reporter, outcome), built, parsed, x_param, list(x_values), y_param,
                   list(y_values), tuple(start), steps, metric=metric, device=device)
    return outcome(result)


def trajectory_table(result: "TrajectoryResult") -> dict[str, np.ndarray]:
    """One row per optimizer, start and recorded step: optimizer, start, step, x, y, loss."""
    c, s, t = result.losses.shape
    ci, si, ti = np.meshgrid(np.arange(c), np.arange(s), np.arange(t), indexing="ij")
    labels = np.asarray(result.labels, dtype=object)
    return {
        "optimizer": labels[ci.ravel()],
        "start": si.ravel(),
        "step": np.asarray(result.steps)[ti.ravel()],
        "x": result.positions[..., 0].astype(np.float64).ravel(),
        "y": result.positions[..., 1].astype(np.float64).ravel(),
        "loss": result.losses.astype(np.float64).ravel(),
    }


@dataclass
class NetworkSnapshot:
    """Real-network mode: the training curve, then the loss on a plane and the run's path on it."""

    stage: str  # "training", "landscape" or "done"
    label: str
    train_losses: Optional[np.ndarray] = None  # minibatch loss per step
    a: Optional[np.ndarray] = None
    b: Optional[np.ndarray] = None
    loss: Optional[np.ndarray] = None  # (len(b), len(a)), NaN where not evaluated yet
    path: Optional[np.ndarray] = None  # (T, 2) the run's snapshots on the plane
    path_steps: Optional[np.ndarray] = None
    plane: str = "fixed"
    off_plane_share: Optional[float] = None  # fixed plane: ‖residual‖² share of the path
    explained: Optional[np.ndarray] = None  # PCA plane: explained variance ratio of the two components
    test_metric: Optional[float] = None
    loss_name: str = "training loss"  # what the landscape shows, e.g. a VAE's negative ELBO


def _plane_range(coords: np.ndarray, minimum: float) -> tuple[tuple[float, float], tuple[float, float]]:
    """A square-ish window around the path (and the centre), at least ``minimum`` each way."""
    lo = np.minimum(coords.min(0), 0.0)
    hi = np.maximum(coords.max(0), 0.0)
    pad = np.maximum((hi - lo) * 0.25, minimum)
    return (float(lo[0] - pad[0]), float(hi[0] + pad[0])), (float(lo[1] - pad[1]), float(hi[1] + pad[1]))


def network_job(reporter: "Reporter", spec: str, steps: int, plane: str = "fixed", n: int = 31,
                batch_size: int = 64, seed: int = 0, run_folder: Optional[str] = None,
                checkpoint: Optional[str] = None, device: str = "cpu") -> NetworkSnapshot:
    """Train the built-in digits MLP with ``spec`` (or load a run folder, or a checkpoint of any kind
    :func:`engines.optim.network.open_network` knows: a latent-panel model, a digits_mlp state dict), then
    evaluate the loss on a plane through the final weights: two filter-normalised random directions
    (``plane="fixed"``, Li et al. 2018) or the PCA plane of the run's own path (``plane="pca"``)."""
    from engines.optim.landscape import (
        loss_surface,
        parameters,
        pca_path,
        project_path,
        random_directions,
    )
    from engines.optim.network import load_run, open_network, train_run

    snapshots: list = []
    steps_at = np.zeros(0)
    test_metric = None
    opened = run = None
    if checkpoint:
        opened = open_network(checkpoint)  # recognises the file's kind from its JSON "format"
        run, label = opened.run, opened.label
    elif run_folder:
        run = load_run(run_folder)
        label = f"{Path(run_folder).name}: {run.optimizer}"
    else:
        label = spec
        run = train_run(MappedReporter(reporter, lambda p: NetworkSnapshot("training", label, p.losses)),
                        spec, steps, batch_size=batch_size, seed=seed, device=device)
    if run is not None:
        model, task = run.model(-1), run.task()
        snapshots, steps_at = list(run.snapshots), np.asarray(run.snapshot_steps)
        test_metric = float(run.test_metric[-1]) if len(run.test_metric) else None
    else:
        model, task, plane = opened.model, opened.task, "fixed"
    loss_name = opened.loss_name if opened is not None else "training loss"
    center = parameters(model)
    names = list(center)
    path = [{k: s[k] for k in names} for s in snapshots]
    result = NetworkSnapshot("landscape", label, None if run is None else run.losses, plane=plane,
                             path_steps=steps_at, test_metric=test_metric, loss_name=loss_name)
    if plane == "pca" and len(path) >= 3:
        pca = pca_path(path, names)
        directions, result.path, result.explained = pca.directions, pca.coords, pca.explained_ratio
        window = _plane_range(pca.coords, 0.1 * float(np.abs(pca.coords).max() or 1.0))
    else:
        result.plane = "fixed"
        directions = random_directions(center, seed)
        if path:
            projection = project_path(path, center, directions)
            result.path, result.off_plane_share = projection.coords, projection.residual_share
        window = _plane_range(result.path if result.path is not None else np.zeros((1, 2)), 1.0)
    landscape = loss_surface(
        MappedReporter(reporter, lambda p: replace(result, a=p.a, b=p.b, loss=p.loss)), model, task.train,
        task.loss_fn, directions, window[0], window[1], n=n, device=device, center=center)
    return replace(result, stage="done", a=landscape.a, b=landscape.b, loss=landscape.loss)
