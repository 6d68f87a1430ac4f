"""The optimizer workflow's maps over many runs: basins of attraction (one start per grid point) and
hyperparameter sweeps, as jobs the panel's Basin map and Hyperparameter sweep views run."""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Optional

import numpy as np

from engines.jobs import MappedReporter
from tasks.optimizer import SurfaceChoice, surface_grid

if TYPE_CHECKING:
    from engines.jobs import Reporter
    from engines.optim.basins import BasinMap
    from engines.optim.sweeps import SweepResult


@dataclass(frozen=True)
class BasinRequest:
    """A basin map: ``spec`` started from every point of an n × n grid over the surface, ``steps`` steps."""

    surface: SurfaceChoice
    spec: str
    n: int
    steps: int
    device: str = "cpu"

    def parameters(self) -> dict[str, Any]:
        return {"optimizer": self.spec, "n": self.n, "steps": self.steps}


@dataclass
class BasinSnapshot:
    """The surface grid and the basin map so far (``basins`` is None before the first report) of a request."""

    request: BasinRequest
    x: np.ndarray
    y: np.ndarray
    z: np.ndarray
    minima: np.ndarray
    label: str
    basins: Optional["BasinMap"] = None


def basin_job(reporter: "Reporter", request: BasinRequest) -> BasinSnapshot:
    """Which minimum each start of the request's grid reaches, and how fast."""
    from engines.device import pick_device
    from engines.optim.basins import basin_map
    from engines.optim.spec import parse_spec

    dev = pick_device(request.device)
    parsed = parse_spec(request.spec)
    built = request.surface.build()
    x, y, z, minima, _ = surface_grid(built, request.n)
    snapshot = BasinSnapshot(request, x, y, z, minima, parsed.display)
    result = basin_map(MappedReporter(reporter, lambda b: replace(snapshot, basins=b)), built, parsed,
                       n=request.n, steps=request.steps, device=dev)
    return replace(snapshot, basins=result)


@dataclass(frozen=True, eq=False)  # holds arrays: compared by identity
class SweepRequest:
    """A sweep: ``spec`` from ``start`` for ``steps`` steps at every pair of ``x_values`` of hyperparameter
    ``x_param`` and ``y_values`` of ``y_param`` (a name of :func:`sweepable`), scored by ``metric``
    ("final_loss" or "steps_to_tol")."""

    surface: SurfaceChoice
    spec: str
    x_param: str
    x_values: np.ndarray
    y_param: str
    y_values: np.ndarray
    start: tuple[float, float]
    steps: int
    metric: str = "final_loss"
    device: str = "cpu"

    def parameters(self) -> dict[str, Any]:
        return {"optimizer": self.spec, "x": self.x_param, "x_values": np.asarray(self.x_values).tolist(),
                "y": self.y_param, "y_values": np.asarray(self.y_values).tolist(), "steps": self.steps,
                "metric": self.metric}


@dataclass
class SweepOutcome:
    """A sweep plus, on a quadratic swept over (lr, momentum), Distill's theory for comparison."""

    request: SweepRequest
    result: "SweepResult"
    label: str
    optimal: Optional[tuple[float, float]] = None  # (α*, β*) when the theory applies
    predicted: Optional[np.ndarray] = None  # (ny, nx) predicted rate max ρ over the eigenvalues
    rates: dict[str, float] = field(default_factory=dict)  # "momentum", "gd" optimal rates


def sweep_job(reporter: "Reporter", request: SweepRequest) -> SweepOutcome:
    """Final loss (or steps to tolerance) over a grid of two hyperparameters, one batched run."""
    from engines.device import pick_device
    from engines.optim.quadratic import momentum_rate, optimal_momentum, rate_gd, rate_momentum
    from engines.optim.spec import parse_spec
    from engines.optim.sweeps import sweep

    dev = pick_device(request.device)
    parsed = parse_spec(request.spec)
    built = request.surface.build()
    x_param, y_param = request.x_param, request.y_param

    def outcome(result: "SweepResult") -> SweepOutcome:
        eig = built.hessian_eigenvalues
        if eig is None or parsed.name != "momentum" or {x_param, y_param} != {"lr", "momentum"}:
            return SweepOutcome(request, result, parsed.display)
        lo, hi = min(eig), max(eig)
        alpha, beta = optimal_momentum(lo, hi)
        xs, ys = np.meshgrid(result.x_values, result.y_values)
        a, b = (xs, ys) if x_param == "lr" else (ys, xs)
        kappa = hi / lo
        return SweepOutcome(request, result, parsed.display, (alpha, beta), momentum_rate(a, b, eig),
                            {"momentum": rate_momentum(kappa), "gd": rate_gd(kappa)})

    result = sweep(MappedReporter(reporter, outcome), built, parsed, x_param, list(request.x_values), y_param,
                   list(request.y_values), tuple(request.start), request.steps, metric=request.metric, device=dev)
    return outcome(result)


def step_range(choice: SurfaceChoice) -> tuple[float, float]:
    """The learning rates a sweep on ``choice`` starts from: the catalogue's for the surface, divided by its
    largest curvature (its "scale") when it has one; a formula gets the general default."""
    from engines.optim.catalogue import SURFACES, SurfaceEntry

    entry = SURFACES[choice.name] if choice.name in SURFACES.names else None
    low, high = entry.step_range if entry is not None else SurfaceEntry.step_range
    scale = dict(choice.params).get("scale", 1.0)
    return (low / scale, high / scale) if scale > 0 else (low, high)


def sweepable(spec: str) -> list[str]:
    """The numeric hyperparameters of ``spec``'s optimizer a sweep can vary ("betas.0" for a tuple's
    components); empty for a spec that does not parse."""
    from engines.errors import InputError
    from engines.optim.catalogue import OPTIMIZERS
    from engines.optim.spec import parse_spec

    try:
        name = parse_spec(spec).name
    except InputError:
        return []
    names: list[str] = []
    for key, value in OPTIMIZERS[name].hyper.items():
        if isinstance(value, tuple):
            names += [f"{key}.{i}" for i in range(len(value))]
        elif isinstance(value, float):
            names.append(key)
    return names
