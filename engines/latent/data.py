"""The data a latent model sees: the built-in digits and 2D toy sets, or the user's images or points (a text
table or a 2-D array: N rows of D numbers), as arrays in the models' layout ((N, C, H, W) images in [0, 1],
(N, D) points) with a fixed train/test split."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import numpy as np

from engines.errors import InputError

TOY_POINTS = 2000
TEST_FRACTION = 0.2
SPLIT_SEED = 0


@dataclass(frozen=True)
class DataSpec:
    """Where the data comes from: "digits", a toy set name, or a path (with optional labels file)."""

    name: str = "digits"
    path: Optional[str] = None
    labels: Optional[str] = None
    size: Optional[tuple[int, int]] = None  # resize user images to (H, W)
    channels: Optional[int] = None  # convert user images to 1 or 3 channels

    def describe(self) -> str:
        return Path(self.path).name if self.path else self.name

    def as_dict(self) -> dict:
        return {"name": self.name, "path": self.path, "labels": self.labels,
                "size": list(self.size) if self.size else None, "channels": self.channels}

    @classmethod
    def from_dict(cls, d: dict) -> "DataSpec":
        """The spec :meth:`as_dict` wrote (a checkpoint's JSON: untrusted, so each field is checked)."""
        size = d.get("size")
        whole = isinstance(size, list) and len(size) == 2 and all(isinstance(v, int) for v in size)
        size = tuple(size) if whole else None
        text = {k: d.get(k) if isinstance(d.get(k), str) else None for k in ("name", "path", "labels")}
        channels = d.get("channels") if d.get("channels") in (1, 3) else None
        return cls(text["name"] or "data", text["path"], text["labels"], size, channels)


@dataclass(frozen=True)
class LatentData:
    """Train and test items with integer labels (-1 where none are known) and their rows in the source (the
    row of ``load_digits()``, of the file or folder listing, or of the generated toy set)."""

    name: str
    train_x: np.ndarray
    train_y: np.ndarray
    test_x: np.ndarray
    test_y: np.ndarray
    levels: int  # pixel levels (17 for the digits, 256 for 8-bit images; 0 for points)
    train_rows: np.ndarray
    test_rows: np.ndarray

    @property
    def data_shape(self) -> tuple[int, ...]:
        return tuple(self.train_x.shape[1:])

    @property
    def is_image(self) -> bool:
        return self.train_x.ndim == 4

    @property
    def all_x(self) -> np.ndarray:
        return np.concatenate([self.train_x, self.test_x])

    @property
    def all_y(self) -> np.ndarray:
        return np.concatenate([self.train_y, self.test_y])

    @property
    def all_rows(self) -> np.ndarray:
        """The source row of each item of :attr:`all_x` (train items first, then test items)."""
        return np.concatenate([self.train_rows, self.test_rows])

    def position_of(self, row: int) -> int:
        """The place in :attr:`all_x` of the item at source row ``row``; InputError when there is none."""
        rows = self.all_rows
        hits = np.flatnonzero(rows == row)
        if not len(hits):
            raise InputError(f"row {row} is out of range: {self.name} has {len(rows)} items, rows 0 to {len(rows) - 1}")
        return int(hits[0])

    @property
    def has_labels(self) -> bool:
        return bool((self.train_y >= 0).any())


def to_display(x: np.ndarray) -> np.ndarray:
    """Model-layout images (N, C, H, W) to (N, H, W, C) for showing."""
    return np.transpose(x, (0, 2, 3, 1)) if x.ndim == 4 else x


def _split(name: str, x: np.ndarray, y: np.ndarray, levels: int) -> LatentData:
    """A seeded random train/test split that remembers each item's row."""
    rng = np.random.default_rng(SPLIT_SEED)
    order = rng.permutation(len(x))
    n_test = max(1, int(round(TEST_FRACTION * len(x)))) if len(x) > 1 else 0
    test, train = order[:n_test], order[n_test:]
    return LatentData(name, x[train], y[train], x[test], y[test], levels, train, test)


def _resize(images: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    import torch
    import torch.nn.functional as F

    t = torch.from_numpy(np.ascontiguousarray(images))
    return F.interpolate(t, size=size, mode="bilinear", antialias=True, align_corners=False).clamp(0, 1).numpy()


def _levels(x: np.ndarray) -> int:
    sample = x.reshape(-1)[:200_000]
    values = np.unique(np.round(sample * 255).astype(np.int64))
    if len(values) <= 17 and np.allclose(sample * 16, np.round(sample * 16), atol=1e-5):
        return 17
    return 256


def load_data(spec: DataSpec) -> LatentData:
    """The items of ``spec``; InputError for anything unusable."""
    from engines.data import digits_split, make_toy
    from engines.data.toy2d import TOY_SETS

    if spec.path is None:
        if spec.name == "digits":
            s = digits_split()
            tr, te = (np.transpose(a, (0, 3, 1, 2)).copy() for a in (s.train_x, s.test_x))
            return LatentData("digits", tr, s.train_y, te, s.test_y, 17, s.train_rows, s.test_rows)
        if spec.name in TOY_SETS:
            x, y = make_toy(spec.name, TOY_POINTS, seed=SPLIT_SEED)
            return _split(spec.name, x, y, levels=0)
        raise InputError(f"unknown data set {spec.name!r}; choose digits, {', '.join(TOY_SETS)} or a file path")
    from engines.data.files import labels_source, read_labels

    path = Path(spec.path)
    if not path.exists():
        raise InputError(f"{path} does not exist (moved or deleted?)")
    column, labels_file = labels_source(path, spec.labels)
    x, labels, levels = _read_file(path, spec, column)
    if len(x) < 2:
        raise InputError(f"{path.name} holds {len(x)} item(s); at least 2 are needed")
    if labels is not None:
        labels = np.asarray(labels)
        if labels.size != len(x):  # (N,) or a column (N, 1)
            raise InputError(f"{path.name}: labels of shape {labels.shape} for {len(x)} items")
        labels = labels.reshape(-1)
    if labels_file is not None:
        labels = read_labels(labels_file, len(x))
    y = labels if labels is not None else np.full(len(x), -1, dtype=np.int64)
    return _split(path.name, x, np.asarray(y).astype(np.int64), levels=levels)


def _read_file(path: Path, spec: DataSpec, column: Optional[str]) -> tuple[np.ndarray, Optional[np.ndarray], int]:
    """(items in the models' layout, labels or None, pixel levels (0 for points)) of a user's file or folder
    (a table read with its label ``column``): a table or a 2-D array is points (N, D); anything else images."""
    from engines.data.files import as_images, as_points, read_image_folder, read_rows

    if path.is_dir():
        array, labels = read_image_folder(path, spec.size), None
    else:
        array, labels = read_rows(path, column)
    if array.ndim == 2:
        if spec.size is not None or spec.channels is not None:
            raise InputError(f"{path.name} holds points ({array.shape[0]} rows of {array.shape[1]} numbers); "
                             "--size and --channels apply to images")
        return as_points(array, path.name), labels, 0
    images = as_images(array, path.name)  # (N, H, W, C)
    if images.shape[-1] == 4:
        images = images[..., :3]
    x = np.transpose(images, (0, 3, 1, 2)).astype(np.float32)
    if spec.channels == 1 and x.shape[1] == 3:
        x = x.mean(axis=1, keepdims=True)
    elif spec.channels == 3 and x.shape[1] == 1:
        x = np.repeat(x, 3, axis=1)
    if spec.size is not None and tuple(x.shape[2:]) != tuple(spec.size):
        x = _resize(x, tuple(spec.size))
    return x, labels, _levels(x)
