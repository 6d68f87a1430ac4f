"""One plane for many training runs, so optimizers compare on one landscape (Li et al. 2018, "Visualizing
the Loss Landscape of Neural Nets", §7: PCA planes differ per run, so comparisons need one fixed plane).

The runs start from the same weights and see the same minibatches; a :class:`SharedPlane` is a centre
(a full state dict: weights and buffers such as BatchNorm statistics) and two directions in parameter
space, of one of three kinds:

- ``pca``: the two leading principal components of every run's snapshots together, centred on their mean
  (the best-fitting plane of all paths at once);
- ``endpoints``: the plane through the common start and the first two runs' end points (d1 = θ_end¹ − θ₀,
  d2 = θ_end² − θ₀, so those end points lie at (1, 0) and (0, 1));
- ``random``: two filter-normalised Gaussian directions (:func:`~engines.landscape.planes.random_directions`)
  around the mean of the runs' end points.

Every path is projected onto the plane by least squares, with the share of ‖θ_t − centre‖² off it.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import torch
from torch import Tensor

from engines.errors import InputError
from engines.landscape.planes import Directions, PlaneProjection, flatten, project_path, random_directions, unflatten

PLANES = ("pca", "endpoints", "random")
CENTRES = {"pca": "the mean of every run's snapshots", "endpoints": "the common start",
           "random": "the mean of the runs' end points"}


@dataclass(frozen=True)
class SharedPlane:
    """``center`` (a full state dict) + a·d1 + b·d2; ``explained``: for ``pca``, the variance ratio of the
    two components over all runs' snapshots."""

    kind: str
    center: dict[str, Tensor]
    directions: Directions
    explained: np.ndarray | None = None

    @property
    def center_text(self) -> str:
        """What the plane's origin is, in words (for captions and sidecars)."""
        return CENTRES[self.kind]


def shared_plane(kind: str, paths: Sequence[Sequence[Mapping[str, Tensor]]], names: Sequence[str],
                 seed: int = 0) -> SharedPlane:
    """The plane of ``kind`` for ``paths`` (one list of state-dict snapshots per run, all of one
    architecture, starting from the same weights); ``names``: the parameters spanning it (the model's
    trainable parameters; buffers ride along in the centre only); ``seed``: the random directions'."""
    if kind not in PLANES:
        raise InputError(f"the plane must be one of {', '.join(PLANES)}, got {kind!r}")
    if not paths or any(len(p) == 0 for p in paths):
        raise InputError("a shared plane needs at least one run with snapshots")
    names = list(names)
    if kind == "pca":
        return _pca_plane(paths, names)
    if kind == "endpoints":
        if len(paths) < 2:
            raise InputError("the endpoints plane needs at least two runs (two end points and the start)")
        start = paths[0][0]
        flat0 = flatten(start, names)
        d1, d2 = (flatten(p[-1], names) - flat0 for p in paths[:2])
        if float(d1.norm()) == 0 or float(d2.norm()) == 0 or _parallel(d1, d2):
            raise InputError("the first two runs' end points and the start do not span a plane "
                             "(a run did not move, or both moved along one line); pick another plane")
        return SharedPlane(kind, dict(start), Directions(unflatten(d1, names, start), unflatten(d2, names, start)))
    center = mean_state([p[-1] for p in paths])
    return SharedPlane(kind, center, random_directions({k: center[k] for k in names}, seed))


def project_runs(plane: SharedPlane, paths: Sequence[Sequence[Mapping[str, Tensor]]]) -> list[PlaneProjection]:
    """Each path's least-squares coordinates on ``plane`` and its off-plane share per snapshot."""
    names = plane.directions.names
    center = {k: plane.center[k] for k in names}
    return [project_path([{k: s[k] for k in names} for s in path], center, plane.directions) for path in paths]


def mean_state(states: Sequence[Mapping[str, Tensor]]) -> dict[str, Tensor]:
    """The element-wise mean of floating-point entries (weights, BatchNorm statistics); other entries
    (``num_batches_tracked``) are the first state's."""
    first = states[0]
    return {k: torch.stack([s[k].double() for s in states]).mean(0).to(v.dtype) if v.is_floating_point() else v
            for k, v in first.items()}


def plane_window(points: np.ndarray, minimum: float) -> tuple[tuple[float, float], tuple[float, float]]:
    """A window around ``points`` (N, 2) and the origin, padded by a quarter of its extent and at least
    ``minimum`` each way."""
    points = np.asarray(points, float).reshape(-1, 2)
    lo = np.minimum(points.min(0), 0.0)
    hi = np.maximum(points.max(0), 0.0)
    pad = np.maximum((hi - lo) * 0.25, minimum)
    return (float(lo[0] - pad[0]), float(hi[0] + pad[0])), (float(lo[1] - pad[1]), float(hi[1] + pad[1]))


def _pca_plane(paths: Sequence[Sequence[Mapping[str, Tensor]]], names: list[str]) -> SharedPlane:
    snapshots = [s for path in paths for s in path]
    if len(snapshots) < 3:
        raise InputError(f"a PCA plane needs at least 3 snapshots in all, got {len(snapshots)}")
    matrix = torch.stack([flatten(s, names) for s in snapshots])
    centred = matrix - matrix.mean(0)
    _, s, vh = torch.linalg.svd(centred, full_matrices=False)
    energy = s.square()
    if float(energy.sum()) == 0 or len(energy) < 2 or float(energy[1]) == 0:
        raise InputError("the snapshots lie on one line or one point: they span no PCA plane; pick another plane")
    center = mean_state(snapshots)
    first = paths[0]
    # orient: the first run's start has positive coordinates on both components
    start = flatten(first[0], names) - flatten(center, names)
    signs = torch.where(vh[:2] @ start < 0, -1.0, 1.0).to(vh.dtype)
    components = vh[:2] * signs[:, None]
    dirs = Directions(*(unflatten(c, names, center) for c in components))
    return SharedPlane("pca", center, dirs, (energy[:2] / energy.sum()).numpy())


def _parallel(u: Tensor, v: Tensor) -> bool:
    cos = float((u @ v).abs() / (u.norm() * v.norm()))
    return cos > 1 - 1e-9
