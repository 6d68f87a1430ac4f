"""Jobs for the 1-D views of real-network landscapes: the loss on the line between two saved weight vectors
(Goodfellow et al. 2015) and the top Hessian eigenvalue along a saved training run beside 2/lr (Cohen et
al. 2021). Sources are whatever :func:`engines.landscape.formats.open_network` opens (training-run folders,
checkpoints), composed with :func:`tasks.landscape.registry`. Engines are imported inside the functions.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Optional

from tasks.landscape import registry

if TYPE_CHECKING:
    from engines.jobs import Reporter
    from engines.landscape.curvature import CurvatureAlongRun
    from engines.landscape.interpolation import Interpolation
    from engines.landscape.registry import OpenedNetwork


@dataclass(frozen=True)
class InterpolationRequest:
    """θ_a = snapshot ``a_snapshot`` of ``a`` (a training-run folder or a checkpoint; a checkpoint has one
    snapshot), θ_b = snapshot ``b_snapshot`` of ``b`` (default: ``a`` itself, e.g. 0 → −1 is the line from
    a run's initialisation to its end); ``n`` points for t in [t_low, t_high]."""

    a: str
    b: Optional[str] = None
    a_snapshot: int = -1
    b_snapshot: int = -1
    n: int = 41
    t_low: float = -0.5
    t_high: float = 1.5
    device: str = "cpu"


@dataclass(frozen=True)
class CurvatureRequest:
    """Top Hessian eigenvalue at every ``every``-th snapshot of the training run ``run_folder`` (and its
    last), ``lr`` overriding the base lr of its optimizer for the 2/lr line."""

    run_folder: str
    every: int = 1
    lr: Optional[float] = None
    tol: float = 1e-4
    max_iter: int = 100
    seed: int = 0
    device: str = "cpu"


def interpolation_job(reporter: "Reporter", request: InterpolationRequest) -> "Interpolation":
    """Loss and accuracy along the line of ``request``; streams partial results."""
    from engines.device import pick_device
    from engines.errors import InputError
    from engines.landscape.formats import open_network
    from engines.landscape.interpolation import interpolate

    known = registry()
    first = open_network(known, request.a)
    second = first if request.b is None else open_network(known, request.b)
    if (first.architecture, first.arch_config) != (second.architecture, second.arch_config):
        raise InputError(f"{first.label} and {second.label} are different architectures "
                         f"({first.architecture} {first.arch_config} vs {second.architecture} {second.arch_config})")
    return interpolate(reporter, first.model, first.task, _state(first, request.a_snapshot),
                       _state(second, request.b_snapshot), request.n, (request.t_low, request.t_high),
                       pick_device(request.device))


def curvature_job(reporter: "Reporter", request: CurvatureRequest) -> "CurvatureAlongRun":
    """The top eigenvalue along the run of ``request``; streams partial results."""
    from engines.device import pick_device
    from engines.errors import InputError
    from engines.landscape.curvature import curvature_along_run
    from engines.landscape.runs import load_run

    if not isinstance(request.every, int) or request.every < 1:
        raise InputError(f"every must be a whole number of at least 1, got {request.every!r}")
    known = registry()
    run = load_run(known, request.run_folder)
    count = len(run.snapshots)
    indices = sorted({*range(0, count, request.every), count - 1})
    return curvature_along_run(reporter, known, run, indices, request.lr, request.tol, request.max_iter,
                               request.seed, pick_device(request.device))


def _state(opened: "OpenedNetwork", index: int) -> dict:
    """The weights of snapshot ``index`` of an opened run, or a checkpoint's own (index 0 or −1)."""
    from engines.errors import InputError

    states = list(opened.run.snapshots) if opened.run is not None else [opened.model.state_dict()]
    if not -len(states) <= index < len(states):
        raise InputError(f"{opened.label} has {len(states)} snapshot(s); snapshot {index} does not exist")
    return states[index]
