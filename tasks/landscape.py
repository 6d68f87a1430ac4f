"""The real-network landscape workflow (Li et al. 2018): train a network with an optimizer spec, or open a
training run or a checkpoint, then evaluate its loss on a plane through the final weights.

This is the one place that composes the landscape registry: :func:`registry` registers every provider
(the digits MLP, the latent panel's models, the diffusion panel's denoisers) into an
:class:`~engines.landscape.registry.Registry`, which imports none of them. Engines are imported inside the
functions, so importing this module loads no torch.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional

import numpy as np

from engines.jobs import MappedReporter

if TYPE_CHECKING:
    from engines.jobs import Reporter
    from engines.landscape.registry import Registry

STEPS_PER_POINT = 3.0  # a plane point (the whole training split) costs about 3 minibatch steps: 1.7 ms vs 0.6 ms on CPU
_lock = threading.Lock()
_registry: Optional["Registry"] = None


def registry() -> "Registry":
    """The registry of every model kind the landscape tools know (built once per process)."""
    global _registry
    with _lock:
        if _registry is None:
            from engines.diffusion import landscape as diffusion
            from engines.exported import landscape as exported
            from engines.landscape import digits
            from engines.landscape.registry import Registry
            from engines.latent import landscape as latent

            composed = Registry()
            for provider in (digits, latent, diffusion, exported):
                provider.register(composed)
            _registry = composed
        return _registry


@dataclass(frozen=True)
class NetworkRequest:
    """Train the built-in digits MLP with ``spec`` for ``steps`` minibatch steps (or open ``run_folder`` or
    ``checkpoint``, a file of any kind :func:`registry` opens), then evaluate the loss on an n × n grid of a
    plane through the final weights: two filter-normalised random directions (``plane="fixed"``, Li et al.
    2018) or the PCA plane of the run's own path (``plane="pca"``), on the ``device`` preference."""

    spec: str
    steps: int
    plane: str = "fixed"
    n: int = 31
    batch_size: int = 64
    seed: int = 0
    run_folder: Optional[str] = None
    checkpoint: Optional[str] = None
    device: str = "cpu"
    save_to: Optional[str] = None  # a trained run is saved there (a training-run folder) for the 1-D views

    @property
    def saved_run(self) -> Optional[str]:
        """The training-run folder this request's run lies in, if any: the one opened or the one trained into."""
        return self.run_folder or (None if self.checkpoint else self.save_to)

    def parameters(self) -> dict[str, Any]:
        sources = {"run_folder": self.run_folder, "checkpoint": self.checkpoint}
        return {"optimizer": self.spec, "steps": self.steps, "plane": self.plane, "grid": self.n,
                **{k: v for k, v in sources.items() if v}}


@dataclass
class NetworkSnapshot:
    """Real-network mode: the training curve, then the loss on a plane and the run's path on it."""

    request: NetworkRequest
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

    def parameters(self) -> dict[str, Any]:
        """What reproduces this landscape (an export's sidecar); the plane is the one drawn."""
        return {**self.request.parameters(), "plane": self.plane}


def network_job(reporter: "Reporter", request: NetworkRequest) -> NetworkSnapshot:
    """The landscape of ``request``; streams the training curve, then the plane as it is evaluated. A
    checkpoint that is not a training run has no path: its plane is the fixed one."""
    from engines.device import pick_device
    from engines.landscape.formats import open_network
    from engines.landscape.planes import loss_surface, parameters, pca_path, project_path, random_directions
    from engines.landscape.runs import load_run
    from engines.landscape.shared_plane import plane_window
    from engines.landscape.training import train_run

    dev = pick_device(request.device)
    known = registry()
    snapshots: list = []
    steps_at = np.zeros(0)
    test_metric = None
    opened = run = None
    plane = request.plane
    trained = not (request.checkpoint or request.run_folder)
    # one progress bar over both stages, each its share of the time, not two that each fill from 0
    share = request.steps / (request.steps + STEPS_PER_POINT * request.n ** 2) if trained else 0.0
    if not trained:
        reporter.progress(None, f"opening {Path(request.checkpoint or request.run_folder).name}")
    if request.checkpoint:
        opened = open_network(known, request.checkpoint)  # recognises the file's kind from its JSON "format"
        run, label = opened.run, opened.label
    elif request.run_folder:
        run = load_run(known, request.run_folder)
        label = f"{Path(request.run_folder).name}: {run.optimizer}"
    else:
        label = request.spec
        training = MappedReporter(reporter, lambda p: NetworkSnapshot(request, "training", label, p.losses), 0.0, share)
        run = train_run(training, known, request.spec, request.steps, batch_size=request.batch_size, seed=request.seed,
                        device=dev)
        if request.save_to:
            from engines.landscape.runs import save_run

            save_run(run, request.save_to)
    if run is not None:
        model, task = run.model(known, -1), run.task(known)
        snapshots, steps_at = list(run.snapshots), np.asarray(run.snapshot_steps)
        test_metric = float(run.test_metric[-1]) if len(run.test_metric) else None
    else:
        model, task, plane = opened.model, opened.task, "fixed"
    loss_name = opened.loss_name if opened is not None else "training loss"
    center = parameters(model)
    names = list(center)
    path = [{k: s[k] for k in names} for s in snapshots]
    result = NetworkSnapshot(request, "landscape", label, None if run is None else run.losses, plane=plane,
                             path_steps=steps_at, test_metric=test_metric, loss_name=loss_name)
    reporter.progress(share, "projecting the path onto the plane")
    if plane == "pca" and len(path) >= 3:
        pca = pca_path(path, names)
        directions, result.path, result.explained = pca.directions, pca.coords, pca.explained_ratio
        window = plane_window(pca.coords, 0.1 * float(np.abs(pca.coords).max() or 1.0))
    else:
        result.plane = "fixed"
        directions = random_directions(center, request.seed)
        if path:
            projection = project_path(path, center, directions)
            result.path, result.off_plane_share = projection.coords, projection.residual_share
        window = plane_window(result.path if result.path is not None else np.zeros((1, 2)), 1.0)
    evaluating = MappedReporter(reporter, lambda p: replace(result, a=p.a, b=p.b, loss=p.loss), share, 1.0 - share)
    landscape = loss_surface(evaluating, model, task.train,
        task.loss_fn, directions, window[0], window[1], n=request.n, device=dev, center=center)
    return replace(result, stage="done", a=landscape.a, b=landscape.b, loss=landscape.loss)
