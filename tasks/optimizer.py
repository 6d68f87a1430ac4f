"""The optimizer workflow: trajectories on a 2-D surface, their continuous-time counterparts, basin maps and
hyperparameter sweeps (:mod:`tasks.optimizer_maps`), as jobs ``job(reporter, ...)`` that the panel and ``workbench run optimizer`` share.

Engines are imported inside the jobs so importing this module stays cheap (no torch). Each job resolves
the device preference it is given once, at its start. Partial payloads are self-contained snapshots (the
job runner keeps only the latest one).
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Optional

import numpy as np

from engines.catalogue import Option, seed_option
from engines.jobs import MappedReporter
from engines.optim.contours import SurfaceLayer, surface_layers

if TYPE_CHECKING:
    from engines.jobs import Reporter
    from engines.optim.surfaces import Surface
    from engines.optim.trajectories import TrajectoryResult

GRID_N = 240
MAX_FRAMES = 1_000  # recorded steps per trajectory: longer runs record every k-th step
RECORDED_BYTES = 80  # a recorded step of one trajectory: x, y, loss (float64) and its row of the written table
PREVIEW_POINTS = 20_000  # points per configuration in a live (partial) result
PROCESS_WORK = 2_000_000  # trajectory-steps beyond which a run goes to a job process (its Python loop holds the GIL)
OWN_STARTS = 4  # a surface's own start points: at most this many
DEFAULT_SURFACE = "rosenbrock"
EXPRESSION_BOUNDS = ((-3.0, 3.0), (-3.0, 3.0))

DEFAULT_SPECS = (
    "sgd:lr=0.001",
    "momentum:lr=0.0005,momentum=0.9",
    "adam:lr=0.05",
    "lion:lr=0.01",
)

# the run settings, as the panel's form and the command line's options show them
STEPS = Option("steps", "Steps", "int", 500, minimum=1, maximum=1_000_000, step=100,
               help="optimizer steps of every trajectory")
NOISE = Option("noise", "Gradient noise σ", "float", 0.0, minimum=0.0, maximum=1e4, step=1.0,
               help="std of Gaussian noise added to every gradient (minibatch noise): with noise, SGD is "
                    "Langevin dynamics at temperature T = lr·σ²/2, sampling ∝ exp(−L/T)")
SEED = seed_option("Noise seed", "seed of the gradient noise")
RUN_OPTIONS = (STEPS, NOISE, SEED)


EXPRESSION = "expression"  # SurfaceChoice.name of a typed formula


@dataclass(frozen=True)
class SurfaceChoice:
    """A built-in surface with parameters, or a typed formula f(x, y) when ``expression`` is set."""

    name: str = DEFAULT_SURFACE
    params: tuple[tuple[str, float], ...] = ()
    expression: str = ""
    bounds: tuple[tuple[float, float], tuple[float, float]] = EXPRESSION_BOUNDS

    def build(self) -> "Surface":
        from engines.optim.expression import compile_expression
        from engines.optim.surfaces import get_surface

        from engines.errors import InputError

        if self.expression.strip():
            return compile_expression(self.expression, bounds=self.bounds)
        if self.name == EXPRESSION:
            raise InputError("no formula yet: type f(x, y) in the Surface box and press Enter")
        return get_surface(self.name, **dict(self.params))

    @property
    def ready(self) -> bool:
        """False for a formula surface whose formula has not been given yet."""
        return self.name != EXPRESSION or bool(self.expression.strip())

    def describe(self) -> str:
        if self.expression.strip():
            return f"f(x, y) = {self.expression.strip()}"
        args = ", ".join(f"{k}={v:g}" for k, v in self.params)
        return f"{self.name}({args})" if args else self.name

    def as_dict(self) -> dict[str, Any]:
        if self.expression.strip():
            return {"expression": self.expression.strip(), "bounds": self.bounds}
        return {"name": self.name, "params": dict(self.params)}


@dataclass(frozen=True, eq=False)  # holds arrays: compared by identity
class TrajectoriesRequest:
    """A trajectory run: every spec from every start (the surface's own when ``starts`` is None) for
    ``steps`` steps, with Gaussian gradient noise of std ``noise`` (seeded) on the ``device`` preference;
    the surface drawn on a ``grid_n`` × ``grid_n`` grid; float64 unless not ``double``."""

    surface: SurfaceChoice = SurfaceChoice()
    specs: tuple[str, ...] = DEFAULT_SPECS
    starts: Optional[np.ndarray] = None  # (S, 2)
    steps: int = STEPS.default
    noise: float = NOISE.default
    seed: int = SEED.default
    device: str = "cpu"
    grid_n: int = GRID_N
    double: bool = True

    @property
    def in_process(self) -> bool:
        """Whether the run is large enough to go to a job process (see :data:`PROCESS_WORK`)."""
        count = len(self.starts) if self.starts is not None and len(self.starts) else OWN_STARTS
        return len(self.specs) * count * self.steps > PROCESS_WORK

    def validated(self) -> "TrajectoriesRequest":
        """Checked against the run options (InputError naming the option and its range)."""
        from engines.errors import InputError

        if not self.specs:
            raise InputError("add at least one optimizer")
        return replace(self, steps=STEPS.validate(self.steps), noise=NOISE.validate(self.noise),
                       seed=SEED.validate(self.seed))


def thinned(paths: int, steps: int, budget: int) -> np.ndarray:
    """Indices of every k-th of ``steps`` recorded steps (and the last) so that ``paths`` paths keep about
    ``budget`` points in all."""
    stride = max(1, -(-paths * steps // budget))
    return np.unique(np.r_[np.arange(0, steps, stride), steps - 1]) if steps else np.zeros(0, dtype=int)


@dataclass
class RunSnapshot:
    """The surface grid and the trajectories so far (``result`` is None before the first step) of a request."""

    request: TrajectoriesRequest
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


def trajectories_job(reporter: "Reporter", request: TrajectoriesRequest) -> RunSnapshot:
    """Build the surface and its grid, then run the request's trajectories; streams :class:`RunSnapshot`
    partials (the surface first, then the steps so far)."""
    import torch

    from engines.budget import check, estimate_bytes
    from engines.device import pick_device
    from engines.optim.spec import parse_spec
    from engines.optim.trajectories import TrajectoryRequest, run_trajectories

    request = request.validated()
    dev = pick_device(request.device)
    parsed = [parse_spec(text) for text in request.specs]
    built = request.surface.build()
    reporter.progress(None, "drawing the surface")
    x, y, z, minima, low = surface_grid(built, request.grid_n)
    starts = request.starts
    points = np.asarray(starts if starts is not None and len(starts) else built.starts, float).reshape(-1, 2)
    if not len(points):
        points = np.array([[(x[0] + x[-1]) / 2, (y[0] + y[-1]) / 2]])
    record_every = max(1, -(-request.steps // MAX_FRAMES))
    check(f"{len(parsed)} optimizer{'s' if len(parsed) > 1 else ''} from {len(points):,} starts recording "
          f"{request.steps // record_every + 1:,} steps each",
          estimate_bytes((len(parsed), len(points), request.steps // record_every + 1), RECORDED_BYTES))
    reporter.progress(None, "tracing contours")
    snapshot = RunSnapshot(request, x, y, z, minima, low, points, [s.display for s in parsed], surface_layers(z))
    reporter.partial(snapshot)
    steps = request.steps
    engine_request = TrajectoryRequest(built, parsed, points, steps, noise=request.noise, seed=request.seed,
                                       device=dev, dtype=torch.float64 if request.double else torch.float32,
                                       record_every=record_every)
    result = run_trajectories(MappedReporter(reporter, lambda r: replace(snapshot, result=preview(r))),
                              engine_request)
    return replace(snapshot, result=result)


def run_parameters(snapshot: RunSnapshot) -> dict[str, Any]:
    """What reproduces a run (an export's sidecar): its request, the starts used and how each run ended."""
    request = snapshot.request
    parameters = {
        "panel": "optimizer", "surface": request.surface.as_dict(), "optimizers": list(request.specs),
        "labels": snapshot.labels, "starts": snapshot.starts.tolist(), "steps": request.steps,
        "noise": request.noise, "seed": request.seed, "device": request.device,
    }
    if snapshot.result is not None:
        from engines.optim.trajectories import STATUSES

        parameters["diverged_at"] = snapshot.result.diverged_at.tolist()
        parameters["status"] = np.asarray(STATUSES)[snapshot.result.status].tolist()
    return parameters


def preview(result: "TrajectoryResult") -> "TrajectoryResult":
    """A partial result thinned to every k-th recorded step (and the last), without optimizer state: small
    enough to draw, and to send from a job process, several times a second."""
    from engines.optim.trajectories import TrajectoryResult

    keep = thinned(result.losses.shape[1], result.losses.shape[2], PREVIEW_POINTS)
    return TrajectoryResult(result.positions[:, :, keep], result.losses[:, :, keep], result.diverged_at, result.status,
                            result.steps[keep], {}, result.labels)


def trajectory_table(result: "TrajectoryResult") -> dict[str, np.ndarray]:
    """One row per optimizer, start and recorded step: optimizer, start, step, x, y, loss, status (``ok``, or
    from the step it happened on ``diverged`` or ``undefined``: frozen where it stopped, loss NaN where the
    surface is undefined)."""
    from engines.optim.trajectories import STATUSES

    c, s, t = result.losses.shape
    ci, si, ti = np.meshgrid(np.arange(c), np.arange(s), np.arange(t), indexing="ij")
    labels = np.asarray(result.labels, dtype=object)
    steps = np.asarray(result.steps)[ti.ravel()]
    at = result.diverged_at[ci.ravel(), si.ravel()]
    status = np.where((at >= 0) & (steps >= at), result.status[ci.ravel(), si.ravel()], 0)
    return {
        "optimizer": labels[ci.ravel()],
        "start": si.ravel(),
        "step": steps,
        "x": result.positions[..., 0].astype(np.float64).ravel(),
        "y": result.positions[..., 1].astype(np.float64).ravel(),
        "loss": result.losses.astype(np.float64).ravel(),
        "status": np.asarray(STATUSES, dtype=object)[status],
    }


def endings(result: "TrajectoryResult", where: str = "") -> list[str]:
    """A sentence for each way trajectories stopped early (none when all ran their course), e.g. "3 of 8
    trajectories left the surface's defined region (loss not finite at step 12): marked `undefined` in
    trajectories.csv" for ``where`` = "trajectories.csv"."""
    total = result.status.size
    said = {1: ("diverged {when} (went far outside the plotted bounds or overflowed)", "diverged"),
            2: ("left the surface's defined region (loss not finite {when})", "undefined")}
    sentences = []
    for code, (what, label) in said.items():
        hit = result.status == code
        if not hit.any():
            continue
        at = result.diverged_at[hit]
        first, last = int(at.min()), int(at.max())
        when = f"at step {first}" if first == last else f"at steps {first} to {last}"
        marked = f": marked `{label}` in {where}" if where else ""
        sentences.append(f"{int(hit.sum())} of {total} trajectories {what.format(when=when)}{marked}")
    return sentences


def ode_curves_job(reporter: "Reporter", request: TrajectoriesRequest, starts: np.ndarray) -> list[tuple[int, np.ndarray]]:
    """Continuous-time counterparts (gradient flow; heavy-ball ODE) of every plain SGD / momentum spec of a
    run, from its ``starts``: (index of the spec, the curve's points) for each such spec and start."""
    from engines.errors import InputError
    from engines.optim.catalogue import OPTIMIZERS
    from engines.optim.dynamics import continuous_counterpart
    from engines.optim.spec import parse_spec

    built = request.surface.build()
    (x0, x1), (y0, y1) = built.bounds
    box = ((x0 - 4 * (x1 - x0), x1 + 4 * (x1 - x0)), (y0 - 4 * (y1 - y0), y1 + 4 * (y1 - y0)))
    out: list[tuple[int, np.ndarray]] = []
    parsed = [parse_spec(text) for text in request.specs]
    todo = [(c, s) for c, s in enumerate(parsed) if s.name in ("sgd", "momentum") and not s.wrappers]
    for k, (c, spec) in enumerate(todo):
        hyper = {**OPTIMIZERS[spec.name].defaults(), **spec.hyper}
        if hyper.get("nesterov") or hyper.get("dampening"):
            continue
        for start in np.asarray(starts, float).reshape(-1, 2):
            reporter.progress(k / max(len(todo), 1), f"solving the ODE of {spec.display}")
            try:
                curve = continuous_counterpart(built, start, float(hyper["lr"]), int(request.steps),
                                               float(hyper.get("momentum", 0.0)), box=box)
            except InputError:
                continue
            out.append((c, curve.xy))
    return out
