"""Many optimizers on one real-network landscape (Li et al. 2018), with and without BatchNorm (Santurkar et
al. 2018): every optimizer spec trains the same network from the same initial weights on the same
minibatches; all paths are projected onto one shared plane (:mod:`engines.landscape.shared_plane`), whose
loss is evaluated once per BatchNorm setting; then, per run, the smoothness measures of Santurkar et al.
and the top Hessian eigenvalue along the path, and the loss on the line between consecutive runs' end
points (Goodfellow et al. 2015).

Used by the optimizer panel's compare view and ``workbench run landscape``. Qt-free; engines are imported
inside the functions.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Callable, Optional

import numpy as np

from engines.jobs import MappedReporter, SpanReporter
from engines.landscape.catalogue import BATCH_SIZE, BN, CURVATURE_EVERY, GRID, PLANE, SEED, SNAPSHOTS, STEPS
from tasks.landscape import STEPS_PER_POINT, registry

if TYPE_CHECKING:
    from engines.jobs import Reporter
    from engines.landscape.training import TrainingRun

INTERPOLATION_POINTS = 41  # t in [−0.5, 1.5] every 0.05
CURVES_SHARE = 0.15  # of the progress bar: smoothness, curvature and interpolation after the landscapes


@dataclass(frozen=True)
class CompareRequest:
    specs: tuple[str, ...]              # optimizer specs (with wrappers), at least one
    bn: str = "off"                     # "off" | "on" | "both"
    plane: str = "pca"                  # "pca" | "endpoints" | "random"
    steps: int = 200
    n: int = 31                         # grid points per axis
    batch_size: int = 64
    seed: int = 0
    checkpoint: Optional[str] = None    # None: the built-in digits MLP (with/without BatchNorm)
    curvature_every: int = 0            # 0: no curvature; k: top Hessian eigenvalue at every k-th snapshot
    device: str = "cpu"

    def validated(self) -> "CompareRequest":
        """The request with every setting checked (InputError naming the setting and its range)."""
        from engines.errors import InputError
        from engines.optim.spec import parse_spec

        if not self.specs:
            raise InputError("name at least one optimizer spec")
        for spec in self.specs:
            parse_spec(spec)
        if self.plane == "endpoints" and len(self.specs) < 2:
            raise InputError("the endpoints plane needs at least two optimizer specs (the plane through the start "
                             "and the first two runs' end points)")
        return replace(self, bn=BN.validate(self.bn), plane=PLANE.validate(self.plane),
                       steps=STEPS.validate(self.steps), n=GRID.validate(self.n, "grid"),
                       batch_size=BATCH_SIZE.validate(self.batch_size), seed=SEED.validate(self.seed),
                       curvature_every=CURVATURE_EVERY.validate(self.curvature_every))

    def parameters(self) -> dict[str, Any]:
        """What reproduces the comparison (a sidecar's parameters)."""
        return {"optimizers": list(self.specs), "bn": self.bn, "plane": self.plane, "steps": self.steps,
                "grid": self.n, "batch_size": self.batch_size, "seed": self.seed,
                "checkpoint": self.checkpoint or "digits-mlp", "curvature_every": self.curvature_every}


@dataclass
class Smoothness:                        # Santurkar et al. 2018, per measured step
    steps: np.ndarray
    loss_range: np.ndarray               # loss variation along the gradient direction
    gradient_change: np.ndarray          # gradient predictiveness: ‖∇L(θ) − ∇L(θ − η g)‖
    beta_smoothness: np.ndarray          # effective β-smoothness


@dataclass
class ComparedRun:
    label: str                           # e.g. "adam:lr=0.001 · BN"
    spec: str
    bn: bool
    lr: float
    losses: np.ndarray                   # minibatch loss per step
    steps: np.ndarray                    # snapshot steps (T,)
    path: Optional[np.ndarray] = None    # (T, 2) on the plane of its landscape (None until projected)
    path_loss: Optional[np.ndarray] = None  # (T,) loss at each snapshot (eval mode, whole training split)
    off_plane: Optional[np.ndarray] = None  # (T,) share of ‖θ_t − centre‖² off the plane
    smoothness: Optional[Smoothness] = None
    curvature: Optional[tuple[np.ndarray, np.ndarray]] = None  # (snapshot steps, top eigenvalue)
    test_accuracy: Optional[float] = None  # held-out metric of the end point


@dataclass
class ComparedLandscape:                 # one per BatchNorm setting present
    bn: bool
    plane: str
    a: np.ndarray
    b: np.ndarray
    loss: np.ndarray                     # (len(b), len(a)), NaN where not evaluated yet
    explained: Optional[np.ndarray] = None  # PCA: explained variance ratio of the two components
    center: str = ""                     # what the origin (0, 0) is, in words


@dataclass
class InterpolationLine:                 # between two runs' end points (Goodfellow et al. 2015)
    run_a: str
    run_b: str
    t: np.ndarray
    train_loss: np.ndarray
    test_loss: np.ndarray
    test_accuracy: np.ndarray


@dataclass
class CompareSnapshot:
    request: CompareRequest
    stage: str                           # "training" | "landscape" | "curves" | "done"
    runs: list[ComparedRun]
    landscapes: list[ComparedLandscape]
    interpolation: list[InterpolationLine]
    loss_name: str = "training loss"


@dataclass
class _Setting:
    """One BatchNorm setting: the architecture to train and the runs trained on it."""

    bn: bool
    arch_config: dict[str, Any]
    entries: list[ComparedRun] = field(default_factory=list)
    trained: list["TrainingRun"] = field(default_factory=list)


def compare_job(reporter: "Reporter", request: CompareRequest) -> CompareSnapshot:
    """Train every spec (per BatchNorm setting), then the shared-plane landscapes, then the curves;
    streams :class:`CompareSnapshot` partials (self-contained copies) at every stage."""
    from engines.device import pick_device
    from engines.landscape.training import train_run

    request = request.validated()
    dev = pick_device(request.device)
    known, architecture, dataset, dataset_config, initial, settings = _source(registry(), request)
    save_every = max(1, request.steps // SNAPSHOTS)
    both = len(settings) > 1
    runs: list[ComparedRun] = []
    landscapes: list[ComparedLandscape] = []
    lines: list[InterpolationLine] = []

    def snapshot(stage: str) -> CompareSnapshot:
        return CompareSnapshot(request, stage, [copy.copy(r) for r in runs], list(landscapes), list(lines))

    training = request.steps * len(request.specs) * len(settings)
    evaluating = STEPS_PER_POINT * request.n ** 2 * len(settings)
    scale = (1 - CURVES_SHARE) / (training + evaluating)
    start = 0.0
    for setting in settings:
        for spec in request.specs:
            entry = _entry(spec, setting.bn, both, runs)
            runs.append(entry)
            setting.entries.append(entry)

            def on_training(progress: Any, entry: ComparedRun = entry) -> CompareSnapshot:
                entry.losses = progress.losses
                return snapshot("training")

            width = request.steps * scale
            run = train_run(MappedReporter(reporter, on_training, start, width), known, spec, request.steps,
                            request.batch_size, request.seed, save_every, architecture, setting.arch_config,
                            dataset, dataset_config, dev, initial)
            start += width
            entry.losses, entry.steps, entry.path_loss = run.losses, np.asarray(run.snapshot_steps), run.train_loss
            entry.test_accuracy = float(run.test_metric[-1])
            setting.trained.append(run)
    width = STEPS_PER_POINT * request.n ** 2 * scale
    for setting in settings:
        landscapes.append(_landscape(reporter, start, width, known, request, setting, snapshot, landscapes, dev))
        start += width
    reporter.partial(snapshot("curves"))
    _curves(SpanReporter(reporter, start, 1 - start), known, request, settings, lines, dev,
            lambda: reporter.partial(snapshot("curves")))
    return snapshot("done")


def _source(known, request: CompareRequest) -> tuple[Any, str, str, dict, Optional[dict], list[_Setting]]:
    """The registry (with the checkpoint's network in it), the architecture, dataset and initial weights to
    train, and the BatchNorm settings."""
    from engines.errors import InputError
    from engines.landscape.digits import ARCHITECTURE

    if request.checkpoint is None:
        entry = known.architecture(ARCHITECTURE)
        flags = {"off": (False,), "on": (True,), "both": (False, True)}[request.bn]
        return (known, ARCHITECTURE, entry.dataset, {}, None,
                [_Setting(bn, entry.config({"batchnorm": bn})) for bn in flags])
    from engines.landscape.formats import open_network

    if request.bn != "off":
        raise InputError("bn on/both applies to the built-in digits MLP; a checkpoint's network trains as it is "
                         "(leave bn off)")
    opened = open_network(known, request.checkpoint)
    has_bn = any(name.endswith("running_mean") for name in opened.model.state_dict())  # exported programs too
    return (known.with_network(opened), opened.architecture, opened.dataset, opened.dataset_config,
            opened.model.state_dict(), [_Setting(has_bn, opened.arch_config)])


def _entry(spec: str, bn: bool, both: bool, runs: list[ComparedRun]) -> ComparedRun:
    from engines.landscape.curvature import base_lr
    from engines.optim.spec import parse_spec

    label = parse_spec(spec).display + (" · BN" if bn else " · no BN" if both else "")
    taken = {r.label for r in runs}
    unique, k = label, 2
    while unique in taken:
        unique, k = f"{label} #{k}", k + 1
    return ComparedRun(unique, spec, bn, base_lr(spec), np.zeros(0), np.zeros(0, dtype=int))


def _landscape(reporter: "Reporter", start: float, width: float, known, request: CompareRequest, setting: _Setting,
               snapshot: Callable[[str], CompareSnapshot], landscapes: list, dev) -> ComparedLandscape:
    """Project the setting's paths onto their shared plane, then evaluate its loss (streamed as the
    progress bar's ``start``..``start + width``)."""
    from engines.landscape.planes import loss_surface
    from engines.landscape.shared_plane import project_runs, shared_plane

    model = setting.trained[0].model(known)
    task = setting.trained[0].task(known)
    names = [k for k, p in model.named_parameters() if p.requires_grad]
    paths = [list(run.snapshots) for run in setting.trained]
    plane = shared_plane(request.plane, paths, names, request.seed)
    projections = project_runs(plane, paths)
    for entry, projection in zip(setting.entries, projections):
        entry.path, entry.off_plane = projection.coords, projection.residual
    a_range, b_range = grid_window(np.concatenate([p.coords for p in projections]), request.n,
                                   1.0 if plane.kind == "random" else 0.0)
    empty = np.full((request.n, request.n), np.nan)
    current = ComparedLandscape(setting.bn, plane.kind, np.linspace(*a_range, request.n),
                                np.linspace(*b_range, request.n), empty, plane.explained, plane.center_text)

    def on_progress(progress: Any) -> CompareSnapshot:
        landscapes.append(replace(current, loss=progress.loss))
        try:
            return snapshot("landscape")
        finally:
            landscapes.pop()

    result = loss_surface(MappedReporter(reporter, on_progress, start, width), model, task.train, task.loss_fn, plane.directions, a_range, b_range,
                          n=request.n, device=dev, center=plane.center)
    return replace(current, a=result.a, b=result.b, loss=result.loss)


def grid_window(points: np.ndarray, n: int, minimum: float) -> tuple[tuple[float, float], tuple[float, float]]:
    """:func:`~engines.landscape.shared_plane.plane_window` of ``points``, widened by at most one grid
    cell so that the origin (the plane's centre) is a grid point of an n-point axis."""
    from engines.landscape.shared_plane import plane_window

    extent = float(np.abs(points).max()) if len(points) else 0.0
    window = plane_window(points, max(minimum, 0.1 * extent) or 1.0)
    out = []
    for lo, hi in window:
        step = (hi - lo) / (n - 2)
        below = int(np.ceil(-lo / step - 1e-9))
        out.append((-below * step, (n - 1 - below) * step))
    return out[0], out[1]


def _curves(reporter, known, request: CompareRequest, settings: list[_Setting], lines: list[InterpolationLine],
            dev, emit: Callable[[], None]) -> None:
    """Per run the smoothness measures at every snapshot and (``curvature_every``) the top Hessian
    eigenvalue; per setting the lines between consecutive runs' end points (one run: its start to its end)."""
    from engines.landscape.curvature import curvature_along_run
    from engines.landscape.interpolation import interpolate
    from engines.landscape.smoothness import smoothness_along_run

    pairs = [(s, i) for s in settings for i in range(len(s.entries))]
    line_count = sum(max(1, len(s.entries) - 1) for s in settings)
    tasks = len(pairs) * (2 if request.curvature_every else 1) + line_count
    done = 0

    def span() -> SpanReporter:
        return SpanReporter(reporter, done / tasks, 1 / tasks)

    for setting, i in pairs:
        entry, run = setting.entries[i], setting.trained[i]
        found = smoothness_along_run(span(), known, run, device=dev)
        entry.smoothness = Smoothness(found.steps, found.loss_range, found.gradient_change, found.beta_smoothness)
        done += 1
        emit()
        if request.curvature_every:
            count = len(run.snapshots)
            indices = sorted({*range(0, count, request.curvature_every), count - 1})
            curvature = curvature_along_run(span(), known, run, indices, device=dev)
            entry.curvature = (curvature.steps, curvature.top_eigenvalue)
            done += 1
            emit()
    for setting in settings:
        model, task = setting.trained[0].model(known), setting.trained[0].task(known)
        ends = [(e.label, r.snapshots[-1]) for e, r in zip(setting.entries, setting.trained)]
        if len(ends) == 1:
            ends.insert(0, (f"{setting.entries[0].label} start", setting.trained[0].snapshots[0]))
        for (label_a, a), (label_b, b) in zip(ends, ends[1:]):
            line = interpolate(span(), model, task, a, b, INTERPOLATION_POINTS, device=dev)
            lines.append(InterpolationLine(label_a, label_b, line.t, line.train_loss, line.test_loss, line.test_metric))
            done += 1
            emit()


def compare_tables(snap: CompareSnapshot) -> dict[str, dict[str, np.ndarray]]:
    """The comparison as CSV columns: ``paths``, ``interpolation``, ``curvature`` and ``smoothness``
    (file stem → columns), one row per run and snapshot (or t)."""
    paths, curvature, smoothness = _Rows(), _Rows(), _Rows()
    for r in snap.runs:
        if r.path is not None:
            paths.add(run=r.label, optimizer=r.spec, bn=r.bn, step=r.steps, alpha=r.path[:, 0], beta=r.path[:, 1],
                      loss=r.path_loss, off_plane=r.off_plane)
        if r.curvature is not None:
            curvature.add(run=r.label, step=r.curvature[0], top_eigenvalue=r.curvature[1], lr=r.lr)
        if r.smoothness is not None:
            s = r.smoothness
            smoothness.add(run=r.label, step=s.steps, loss_range=s.loss_range, gradient_change=s.gradient_change,
                           beta_smoothness=s.beta_smoothness)
    lines = _Rows()
    for line in snap.interpolation:
        lines.add(run_a=line.run_a, run_b=line.run_b, t=line.t, train_loss=line.train_loss, test_loss=line.test_loss,
                  test_accuracy=line.test_accuracy)
    empty = {"paths": ("run", "optimizer", "bn", "step", "alpha", "beta", "loss", "off_plane"),
             "interpolation": ("run_a", "run_b", "t", "train_loss", "test_loss", "test_accuracy"),
             "curvature": ("run", "step", "top_eigenvalue", "lr"),
             "smoothness": ("run", "step", "loss_range", "gradient_change", "beta_smoothness")}
    tables = {"paths": paths, "interpolation": lines, "curvature": curvature, "smoothness": smoothness}
    return {name: table.columns(empty[name]) for name, table in tables.items()}


def landscape_arrays(snap: CompareSnapshot) -> dict[str, np.ndarray]:
    """``alpha_<tag>``, ``beta_<tag>``, ``loss_<tag>`` (rows follow beta) for each landscape, tag ``bn`` or
    ``no_bn``; ``explained_<tag>`` for a PCA plane; ``landscapes``: the tags in order."""
    out: dict[str, np.ndarray] = {}
    tags = []
    for land in snap.landscapes:
        tag = "bn" if land.bn else "no_bn"
        tags.append(tag)
        out.update({f"alpha_{tag}": land.a, f"beta_{tag}": land.b, f"loss_{tag}": land.loss})
        if land.explained is not None:
            out[f"explained_{tag}"] = np.asarray(land.explained)
    out["landscapes"] = np.array(tags)
    return out


class _Rows:
    """Columns built run by run: each ``add`` broadcasts scalars to the length of its arrays."""

    def __init__(self) -> None:
        self.parts: list[dict[str, np.ndarray]] = []

    def add(self, **values: Any) -> None:
        length = max(len(v) for v in values.values() if isinstance(v, np.ndarray))
        self.parts.append({k: v if isinstance(v, np.ndarray) else np.full(length, v) for k, v in values.items()})

    def columns(self, names: tuple[str, ...]) -> dict[str, np.ndarray]:
        if not self.parts:
            return {k: np.zeros(0) for k in names}
        return {k: np.concatenate([p[k] for p in self.parts]) for k in names}
