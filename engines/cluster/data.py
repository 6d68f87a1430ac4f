"""Points to cluster: sklearn's digits, a file of vectors, or arrays in memory, checked and flattened."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engines.errors import InputError
from engines.files import regular_file


@dataclass
class ClusterData:
    name: str
    x: np.ndarray  # (N, D) float
    labels: np.ndarray | None  # (N,) true classes when known
    images: np.ndarray | None = None  # (N, H, W) for sample grids
    rows: np.ndarray | None = None  # (N,) each point's row in the source as the user knows it (None: 0..N-1)
    dataset: str | None = None  # the data set those rows are of ("digits", a file's name), when one is known

    @property
    def row_ids(self) -> np.ndarray:
        """The source row of each point: what exported files name it by."""
        return np.arange(len(self.x)) if self.rows is None else np.asarray(self.rows, np.int64)


def load_data(spec: str, labels: str | None = None) -> ClusterData:
    """``digits`` (sklearn's 1,797 8x8 digits, all of them, with their rows in ``load_digits()``) or a
    .npy/.npz/.csv/.tsv/.txt file of vectors; ``labels`` names a table's label column (see
    :mod:`engines.data.tables`) or a labels file (.npy, or one per line)."""
    if spec == "digits":
        if labels is not None:
            raise InputError("--labels goes with a data file; the digits bring their own labels")
        from engines.data import digits_split

        split = digits_split()
        images = split.all_x[..., 0]
        return ClusterData("digits", images.reshape(len(images), -1).astype(np.float64), split.all_y, images,
                           split.all_rows, "digits")
    from engines.data.files import labels_source, read_labels, read_rows
    from engines.data.tables import is_table

    path = regular_file(spec, "data file")
    if path.suffix.lower() not in (".npy", ".npz") and not is_table(path):
        raise InputError(f"{path.name}: expected .npy, .npz, .csv, .tsv or .txt vectors")
    column, labels_file = labels_source(path, labels)
    array, found = read_rows(path, column)  # a header row and a label column are recognised
    array = np.asarray(array)
    if labels_file is not None:
        found = read_labels(labels_file, len(array))
    data = from_arrays(path.name, array, found, array if array.ndim == 3 else None)
    data.name, data.dataset = path.stem, path.name
    return data


def from_arrays(name: str, array, labels=None, images=None, rows=None, dataset: str | None = None) -> ClusterData:
    """Check (N, D...) numeric vectors, flattened to (N, D); ``labels`` and ``rows`` (each point's row in its
    source ``dataset``), when given, must be one per point."""
    array = np.asarray(array)
    if array.dtype.kind not in "uifb" or array.ndim < 2:
        raise InputError(f"{name}: expected an (N, D) numeric array, got shape {array.shape}")
    if array.size == 0:
        raise InputError(f"{name}: holds no values (shape {array.shape}); expected N points of D numbers each")
    x = array.reshape(len(array), -1).astype(np.float64)
    bad = np.flatnonzero(~np.isfinite(x).all(1))
    if len(bad):
        raise InputError(f"{name}: {len(bad):,} of {len(x):,} rows hold NaN or infinite values (the first is row "
                         f"{bad[0]}, counting from 0); drop or fill them before clustering")
    if labels is not None:
        labels = np.asarray(labels)
        if labels.size != len(x):  # (N,) or a column (N, 1)
            raise InputError(f"{name}: labels of shape {labels.shape} for {len(x)} points; give one label per point")
        labels = labels.reshape(-1)
    if images is not None and len(images) != len(x):
        raise InputError(f"{name}: {len(images)} images for {len(x)} points")
    if rows is not None and len(rows) != len(x):
        raise InputError(f"{name}: {len(rows)} row numbers for {len(x)} points")
    return ClusterData(name, x, labels, images, rows, dataset)
