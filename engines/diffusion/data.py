"""The data a diffusion model learns: a built-in 2D set, the 8×8 digits, or the user's file.

Points stay as they are (about unit spread); images become (N, C, H, W) in [−1, 1] (:func:`to_unit`
maps model space back to [0, 1] for display and metrics).
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Optional

import numpy as np

from engines.data.array_headers import check_array_claims
from engines.diffusion.catalogue import TRAINING_SETS
from engines.errors import InputError
from engines.files import regular_file

TRAIN_POINTS = 20000
HELDOUT_POINTS = 5000
MAX_IMAGE_SIDE = 64


SPLIT_RULE = "numpy default_rng(seed).permutation(rows); the first rows // 5 of it are held out"


@dataclass
class DiffusionData:
    name: str
    kind: str  # "points" or "images"
    train: np.ndarray  # (N, 2) or (N, C, H, W) float32 in model space
    heldout: np.ndarray
    train_labels: Optional[np.ndarray] = None  # (N,) class of each item, for a labelled set (the digits)
    heldout_labels: Optional[np.ndarray] = None
    path: Optional[str] = None  # the user's file or folder (None: a built-in set)
    split: Optional[dict] = None  # how a user's rows were split (SPLIT_RULE, its seed and counts)
    labels: Optional[str] = None  # the label column left out of a table's points

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(self.train.shape[1:])


def to_unit(images: np.ndarray) -> np.ndarray:
    """Model-space images ([−1, 1]) to [0, 1], clipped."""
    return np.clip((np.asarray(images) + 1.0) / 2.0, 0.0, 1.0)


def _images(x_nhwc: np.ndarray) -> np.ndarray:
    return (np.transpose(np.asarray(x_nhwc, np.float32), (0, 3, 1, 2)) * 2.0 - 1.0).astype(np.float32)


def load_data(source: str, seed: int = 0, labels: Optional[str] = None) -> DiffusionData:
    """``source``: a built-in training set (:data:`engines.diffusion.catalogue.TRAINING_SETS`: 2D points or the
    digits), or a path to points (a .csv/.tsv/.txt table, ``labels`` naming a label column to leave out, or a
    2-D .npy/.npz) or images; a file's rows are split by ``seed`` (:data:`SPLIT_RULE`)."""
    from engines.data import digits_split, make_toy, read_images, read_points
    from engines.data.tables import is_table

    if source in TRAINING_SETS:
        if labels is not None:
            raise InputError(f"--labels names a column of a table; {source} is a built-in data set")
        if TRAINING_SETS[source].kind == "points":
            train, _ = make_toy(source, TRAIN_POINTS, seed)
            held, _ = make_toy(source, HELDOUT_POINTS, seed + 1)
            return DiffusionData(source, "points", train, held)
        split = digits_split()
        return DiffusionData(source, "images", _images(split.train_x), _images(split.test_x), np.asarray(split.train_y),
                             np.asarray(split.test_y))
    path = Path(source)
    if not path.exists():
        raise InputError(f"{source!r} is neither a built-in data set ({', '.join(TRAINING_SETS.names)}) nor an "
                         "existing file")
    if not path.is_dir():
        regular_file(path, "data set file")
    if is_table(path) or _looks_like_points(path):
        points = read_points(path, labels).astype(np.float32)
        return replace(_split(path.name, "points", points, seed), path=str(path), labels=labels)
    images, _ = read_images(path)
    if max(images.shape[1:3]) > MAX_IMAGE_SIDE:
        raise InputError(f"{path.name}: images are {images.shape[1]}×{images.shape[2]}; the diffusion panel trains "
                         f"on images up to {MAX_IMAGE_SIDE}×{MAX_IMAGE_SIDE}")
    if images.shape[1] % 2 or images.shape[2] % 2:
        raise InputError(f"{path.name}: image sides must be even, got {images.shape[1]}×{images.shape[2]}")
    return replace(_split(path.name, "images", _images(images), seed), path=str(path))


def _looks_like_points(path: Path) -> bool:
    if path.is_dir():
        return False
    try:
        if path.suffix.lower() in (".npy", ".npz"):
            check_array_claims(path)  # its InputError is a ValueError: read_images reports it
        if path.suffix.lower() == ".npy":
            arr = np.load(path, mmap_mode="r", allow_pickle=False)
            return arr.ndim == 2 and arr.shape[1] == 2
        if path.suffix.lower() == ".npz":
            with np.load(path, allow_pickle=False) as z:
                first = z[z.files[0]] if z.files else None
                return first is not None and first.ndim == 2 and first.shape[1] == 2
    except (ValueError, OSError, EOFError):
        return False  # read_images gives the user-facing message
    return False


def _split(name: str, kind: str, x: np.ndarray, seed: int) -> DiffusionData:
    if len(x) < 10:
        raise InputError(f"{name} holds {len(x)} items; need at least 10 to train and evaluate")
    order = np.random.default_rng(seed).permutation(len(x))
    cut = max(1, len(x) // 5)
    split = {"rule": SPLIT_RULE, "seed": seed, "rows": len(x), "heldout": cut}
    return DiffusionData(name, kind, x[order[cut:]], x[order[:cut]], split=split)
