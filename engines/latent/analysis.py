"""What the panel shows of a model: the encoded data set on a 2D map, interpolation paths decoded, the
analogy row, the manifold grid of a 2D latent space, and the latent statistics. Plain functions."""
from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Optional

import numpy as np
import torch

from engines.errors import InputError

from engines.latent.checkpoint import Checkpoint
from engines.latent.data import DataSpec, LatentData, load_data, to_display
from engines.latent.interpolation import analogy_row, lerp, slerp
from engines.latent.maps import LatentMap, pca_map
from engines.latent.models import LatentModel
from engines.latent.statistics import AngleFit, angle_fit, norms, random_pair_angles

ANGLE_PAIRS = 4000


@dataclass
class Encoded:
    """The data set as the model sees it."""

    data: LatentData
    x: np.ndarray  # (N, ...) all items, train then test, model layout
    images: np.ndarray  # (N, H, W, C) for showing (points: (N, D))
    labels: np.ndarray  # (N,) -1 where unknown
    z: np.ndarray  # (N, n) deterministic codes
    clusters: Optional[np.ndarray]  # (N,) cluster of each item (clustering VAE)
    map: LatentMap
    n_train: int


@dataclass
class Interpolation:
    t: np.ndarray
    codes: dict[str, np.ndarray]  # mode -> (steps, n)
    decoded: dict[str, np.ndarray]  # mode -> (steps, H, W, C) or (steps, D)
    norms: dict[str, np.ndarray]  # mode -> (steps,)
    endpoints: tuple[str, str]  # descriptions, e.g. "item 12 (label 3)" or "prior sample"


@dataclass
class Analogy:
    codes: np.ndarray  # (4, n): a, b, c, a - b + c
    decoded: np.ndarray  # (4, H, W, C)
    names: tuple[str, str, str]


@dataclass
class Overview:
    """A loaded model with its encoded data set, its latent statistics and samples."""

    checkpoint: Checkpoint
    encoded: Encoded
    angles: AngleFit
    data_angles: Optional[np.ndarray]  # angles between random pairs of encoded items
    samples: np.ndarray
    note: Optional[str] = None  # what to know about the data set (its file changed since training)


def _device_model(model: LatentModel) -> tuple[torch.device, torch.dtype]:
    p = next(model.parameters())
    return p.device, p.dtype


@torch.no_grad()
def decode(model: LatentModel, z: np.ndarray) -> np.ndarray:
    """Decoded items for showing: (N, H, W, C) images or (N, D) points."""
    dev, dtype = _device_model(model)
    out = [model.decode(torch.as_tensor(np.asarray(c), dtype=dtype, device=dev)).float().cpu().numpy()
           for c in np.array_split(np.asarray(z), max(1, len(z) // 512 + 1)) if len(c)]
    return to_display(np.concatenate(out)) if out else np.zeros((0,))


@torch.no_grad()
def encode(model: LatentModel, data: LatentData, reporter=None) -> Encoded:
    dev, dtype = _device_model(model)
    x = data.all_x
    zs, clusters = [], []
    for start in range(0, len(x), 512):
        xb = torch.as_tensor(x[start:start + 512], dtype=dtype, device=dev)
        z = model.latent(xb)
        zs.append(z.double().cpu().numpy())
        if model.config.has_clusters:
            clusters.append(model.cluster_probs(z).argmax(-1).cpu().numpy())
        if reporter is not None:
            reporter.check()
    z = np.concatenate(zs)
    return Encoded(data, x, to_display(x), data.all_y, z, np.concatenate(clusters) if clusters else None,
                   pca_map(z), len(data.train_x))


def _describe(encoded: Encoded, i: int, name: str | None = None) -> str:
    """Item ``i`` (a position, train then test) by its row in the source, with its label."""
    label = int(encoded.labels[i])
    return (name or f"row {int(encoded.data.all_rows[i])}") + (f" (label {label})" if label >= 0 else "")


def interpolate(model: LatentModel, z0: np.ndarray, z1: np.ndarray, steps: int,
                endpoints: tuple[str, str] = ("z0", "z1")) -> Interpolation:
    steps = max(2, int(steps))
    t = np.linspace(0.0, 1.0, steps)
    codes = {"lerp": lerp(z0, z1, t), "slerp": slerp(z0, z1, t)}
    return Interpolation(t, codes, {m: decode(model, c) for m, c in codes.items()},
                         {m: norms(c) for m, c in codes.items()}, endpoints)


def interpolate_items(model: LatentModel, encoded: Encoded, i: int, j: int, steps: int) -> Interpolation:
    n = len(encoded.z)
    for k in (i, j):
        if not 0 <= k < n:
            raise InputError(f"item {k} is out of range (the data set has {n} items, 0 to {n - 1})")
    return interpolate(model, encoded.z[i], encoded.z[j], steps, (_describe(encoded, i), _describe(encoded, j)))


def interpolate_rows(model: LatentModel, encoded: Encoded, rows: tuple[int, int], steps: int) -> Interpolation:
    """The path between the items at source rows ``rows`` (see :meth:`LatentData.position_of`)."""
    i, j = (encoded.data.position_of(r) for r in rows)
    return interpolate(model, encoded.z[i], encoded.z[j], steps, (_describe(encoded, i), _describe(encoded, j)))


def prior_pair(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.standard_normal(n), rng.standard_normal(n)


def label_mean(encoded: Encoded, label: int) -> np.ndarray:
    keep = encoded.labels == label
    if not keep.any():
        raise InputError(f"no item has label {label}")
    return encoded.z[keep].mean(axis=0)


def make_analogy(model: LatentModel, encoded: Encoded, a: int, b: int, c: int) -> Analogy:
    """a - b + c for three items."""
    codes = analogy_row(encoded.z[a], encoded.z[b], encoded.z[c])
    return Analogy(codes, decode(model, codes), (_describe(encoded, a), _describe(encoded, b), _describe(encoded, c)))


@torch.no_grad()
def manifold_grid(model: LatentModel, x_range: tuple[float, float], y_range: tuple[float, float], n: int = 16,
                  rows: int | None = None) -> np.ndarray:
    """Decoded images over a grid of ``n`` columns by ``rows`` (default ``n``) rows of a 2D latent region,
    tiled as an ordinary picture (rows*H, n*W, C): the top row of tiles at y_range[1], the left column at
    x_range[0] (Kingma & Welling 2014, fig. 4)."""
    rows = n if rows is None else rows
    xs = np.linspace(x_range[0], x_range[1], n)
    ys = np.linspace(y_range[1], y_range[0], rows)
    zz = np.stack(np.meshgrid(xs, ys), axis=-1).reshape(-1, 2)
    images = decode(model, zz)  # (rows*n, H, W, C)
    h, w, c = images.shape[1:]
    return images.reshape(rows, n, h, w, c).transpose(0, 2, 1, 3, 4).reshape(rows * h, n * w, c)


def default_pair(encoded: Encoded) -> tuple[int, int]:
    """Two test items of different labels (the first "0" and the first "1" when the digits are loaded)."""
    start = encoded.n_train
    labels = encoded.labels[start:]
    if len(labels) >= 2 and (labels >= 0).any():
        firsts = {}
        for k, lab in enumerate(labels):
            firsts.setdefault(int(lab), start + k)
        keys = sorted(firsts)
        if len(keys) >= 2:
            return firsts[keys[0]], firsts[keys[1]]
    return start, min(start + 1, len(encoded.z) - 1)


def default_analogy(encoded: Encoded) -> tuple[int, int, int]:
    start = encoded.n_train
    return start + 2 if start + 2 < len(encoded.z) else 0, start + 3 if start + 3 < len(encoded.z) else 1, start + 4 if start + 4 < len(encoded.z) else 0


def overview(model_source, data: Optional[DataSpec] = None, seed: int = 0, reporter=None) -> Overview:
    """Load (if a path), encode the data (``data``, else the model's own), measure the angles between random
    prior pairs and between encoded items, and draw samples."""
    from engines.latent.checkpoint import load_checkpoint
    from engines.latent.training import draw_samples

    def progress(f, m):
        if reporter is not None:
            reporter.progress(f, m)

    progress(0.05, "loading the model")
    ckpt = model_source if isinstance(model_source, Checkpoint) else load_checkpoint(model_source)
    model = ckpt.model
    note = None
    if data is None:
        data, note = data_for(ckpt)
    progress(0.25, f"loading {data.describe()}")
    dataset = load_data(data)
    check_fits(ckpt, dataset)
    progress(0.45, "encoding")
    encoded = encode(model, dataset, reporter)
    progress(0.7, "latent statistics")
    n = model.latent_size
    fit = angle_fit(random_pair_angles(n, ANGLE_PAIRS, seed), n)
    rng = np.random.default_rng(seed)
    a, b = rng.integers(len(encoded.z), size=(2, ANGLE_PAIRS))
    keep = a != b
    from engines.latent.statistics import angles as pair_angles

    data_angles = pair_angles(encoded.z[a[keep]] - encoded.z.mean(0), encoded.z[b[keep]] - encoded.z.mean(0))
    samples = draw_samples(model)
    progress(1.0, "done")
    return Overview(ckpt, encoded, fit, data_angles, samples, note)


def data_for(ckpt: Checkpoint) -> tuple[DataSpec, Optional[str]]:
    """The data set a checkpoint was trained on, and a sentence when its file changed since. A file is found
    where its JSON recorded it (beside the checkpoint, else its absolute path; InputError when it is
    neither); a checkpoint that names no data set gets the digits (or the moons for 2D points)."""
    from engines.data.provenance import REMEDY, DataFile, locate_data

    d = ckpt.info.get("dataset")
    if isinstance(d, dict) and isinstance(d.get("name"), str) and not d.get("path"):
        return DataSpec(d["name"]), None
    if isinstance(d, dict) and isinstance(d.get("path"), str):
        spec = DataSpec.from_dict(d)
        record = DataFile.from_body(ckpt.info)
        if record is not None and ckpt.path is not None:
            found = locate_data(record, ckpt.path, f"{REMEDY} (in the window: open it as a data set)")
            return replace(spec, name=found.path.name, path=str(found.path)), found.note
        if not Path(spec.path).exists():  # a checkpoint written before the data's place was recorded
            raise InputError(f"{ckpt.name} was trained on {spec.path}, which does not exist here: {REMEDY} (in the "
                             f"window: open it as a data set)")
        return spec, None
    if not ckpt.config.is_image and ckpt.config.dims == 2:
        return DataSpec("moons"), None
    return DataSpec("digits"), None


def check_fits(ckpt: Checkpoint, data: LatentData) -> None:
    if tuple(data.data_shape) != tuple(ckpt.config.data_shape):
        raise InputError(f"the data set {data.name} has items of shape {list(data.data_shape)} but the model "
                         f"{ckpt.name} takes {list(ckpt.config.data_shape)}")
