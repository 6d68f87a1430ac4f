"""User data sets: image arrays in .npy/.npz, folders of PNG/JPEG images, 2D points, optional labels."""
from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np

from engines.data.array_headers import check_array_claims
from engines.errors import InputError
from engines.files import regular_file

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg"}
MAX_FOLDER_IMAGES = 100_000


def read_array(path: Path) -> tuple[np.ndarray, np.ndarray | None]:
    """The array of a .npy, or of a .npz (under images, x, data or arr_0, else its first) with its labels
    (labels, y or targets) when present; never unpickles (object arrays are refused)."""
    regular_file(path, ".npy/.npz array file")
    if path.suffix.lower() not in (".npy", ".npz"):
        raise InputError(f"{path.name}: expected a .npy or .npz array, or a .csv/.tsv/.txt table")
    try:
        check_array_claims(path)
        if path.suffix.lower() == ".npz":
            with np.load(path, allow_pickle=False) as archive:
                names = list(archive.files)
                if not names:
                    raise InputError(f"{path.name} holds no arrays")
                key = next((k for k in ("images", "x", "data", "arr_0") if k in names), names[0])
                labels = next((archive[k] for k in ("labels", "y", "targets") if k in names), None)
                return archive[key], labels
        return np.load(path, allow_pickle=False), None
    except InputError:
        raise
    except FileNotFoundError as exc:
        raise InputError(f"{path} does not exist (moved or deleted?)") from exc
    except (ValueError, OSError, EOFError, zipfile.BadZipFile) as exc:
        raise array_error(path, exc) from exc


def array_error(path: Path, exc: Exception) -> InputError:
    """The sentence for a .npy/.npz numpy could not read: an object array (numpy's allow_pickle=False refusal,
    which keeps code in a file from running) is said to hold Python objects."""
    if isinstance(exc, ValueError) and "pickle" in str(exc):
        return InputError(f"{path.name} holds Python objects (an array of dtype object), not numbers; Workbench "
                          f"does not load objects from files: save a numeric array")
    if isinstance(exc, ValueError) and "magic string" in str(exc):
        return InputError(f"{path.name} does not start with numpy's .npy header, so it is not a .npy array (a text "
                          f"table is read as one when named .csv, .tsv or .txt)")
    return InputError(f"{path.name} is not a readable numeric .npy/.npz array: {exc}")


def labels_source(path: Path, labels: str | None) -> tuple[str | None, Path | None]:
    """Where ``labels`` (a --labels value) takes the labels of the data at ``path`` from: (the column to read
    a table with, None) for a column of a table, (None, or "none" for a table: every column is a feature,
    the labels file) for a file."""
    from engines.data.tables import NO_LABELS, is_table

    if labels is None:
        return None, None
    if is_table(path) and not Path(labels).is_file():
        return labels, None
    return (NO_LABELS if is_table(path) else None), Path(labels)


def read_rows(path: Path, labels: str | None = None) -> tuple[np.ndarray, np.ndarray | None]:
    """The array of a text table (read as a table, with the labels that ``labels`` names: see
    :mod:`engines.data.tables`) or of a .npy/.npz (with its labels when the .npz has them)."""
    from engines.data.tables import is_table, read_table

    if is_table(path):
        table = read_table(path, labels)
        return table.values, table.labels
    if labels is not None:
        raise InputError(f"--labels {labels} names a column of a text table; {path.name} is an array: give its labels "
                         f"as a file (.npy, or one per line) or in the .npz under 'labels'")
    return read_array(path)


def as_points(array: np.ndarray, name: str) -> np.ndarray:
    """(N, D) numbers as float32; InputError for other shapes, text or non-finite values."""
    if array.dtype.kind not in "uifb" or array.ndim != 2:
        raise InputError(f"{name}: expected points shaped (N, D) of numbers, got {array.shape} of {array.dtype}")
    array = array.astype(np.float32)
    if not np.isfinite(array).all():
        raise InputError(f"{name}: contains NaN or infinite values")
    return array


def as_images(array: np.ndarray, name: str) -> np.ndarray:
    """(N, H, W) or (N, H, W, C) numbers as float32 images in [0, 1] (8-bit values scaled down)."""
    if array.dtype.kind not in "uifb":
        raise InputError(f"{name}: expected numbers, found dtype {array.dtype}")
    if array.ndim == 3:
        array = array[..., None]
    if array.ndim != 4 or array.shape[-1] not in (1, 3, 4):
        raise InputError(f"{name}: expected images shaped (N, H, W) or (N, H, W, C) with C in 1, 3, 4; got {array.shape}")
    array = array.astype(np.float32)
    if not np.isfinite(array).all():
        raise InputError(f"{name}: contains NaN or infinite values")
    high = float(array.max()) if array.size else 0.0
    if high > 1.0:  # 8-bit (or other integer) pixel values
        array = array / (255.0 if high <= 255 else high)
    return np.clip(array, 0.0, 1.0)


LARGEST_WHOLE_FLOAT = 2.0 ** 53  # every whole number below it is exact in float64


def read_labels(path: Path, count: int) -> np.ndarray:
    """Integer labels from .npy or a text/CSV file with one label per line (the last field); class names are
    numbered in sorted order; must match ``count`` items."""
    regular_file(path, "labels file")
    try:
        if path.suffix.lower() == ".npy":
            check_array_claims(path)
            values = np.load(path, allow_pickle=False)
        else:
            values = np.array([line.strip().split(",")[-1] for line in path.read_text(encoding="utf-8").splitlines()
                               if line.strip()])
    except InputError:
        raise
    except ValueError as exc:
        raise array_error(path, exc) if "pickle" in str(exc) else InputError(
            f"cannot read labels from {path.name}: {exc}") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read labels from {path.name}: {exc}") from exc
    labels = _class_numbers(np.asarray(values).reshape(-1), path.name)
    if len(labels) != count:
        raise InputError(f"{path.name} has {len(labels)} labels for {count} items")
    return labels


def _class_numbers(values: np.ndarray, name: str) -> np.ndarray:
    """Whole numbers as they are, class names numbered in sorted order; InputError for anything else."""
    if values.dtype.kind in "US":
        try:
            return values.astype(np.int64)
        except ValueError:
            return np.unique(values, return_inverse=True)[1].astype(np.int64)
    if values.dtype.kind in "iub":
        return values.astype(np.int64)
    if values.dtype.kind == "f":
        whole = np.isfinite(values) & (np.abs(values) < LARGEST_WHOLE_FLOAT)
        whole[whole] = values[whole] == np.round(values[whole])
        if whole.all():
            return values.astype(np.int64)
        bad = values[~whole][0]
    else:
        bad = values.reshape(-1)[0] if values.size else values.dtype
    raise InputError(f"{name}: labels must be whole numbers (below 2**53 when stored as floats) or class names, "
                     f"not {bad!r}")


def read_image_folder(folder: Path, size: tuple[int, int] | None = None) -> np.ndarray:
    """Every PNG/JPEG in ``folder`` (sorted by name) as (N, H, W, C) float32, resized to ``size``."""
    import imageio.v3 as iio
    import torch
    import torch.nn.functional as F

    files = sorted(p for p in folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES and p.is_file())[:MAX_FOLDER_IMAGES]
    if not files:
        raise InputError(f"{folder} holds no PNG or JPEG images")
    images = []
    for file in files:
        try:
            image = iio.imread(file)
        except Exception as exc:  # imageio raises plugin-specific errors for damaged files
            raise InputError(f"{file.name} is not a readable image: {exc}") from exc
        image = as_images(image[None] if image.ndim == 2 else image[None], file.name)
        image = image[..., :3] if image.shape[-1] == 4 else image
        target = size or image.shape[1:3]
        tensor = torch.from_numpy(image).permute(0, 3, 1, 2)
        tensor = F.interpolate(tensor, size=target, mode="bilinear", antialias=True, align_corners=False)
        images.append(tensor.permute(0, 2, 3, 1).numpy())
    channels = max(i.shape[-1] for i in images)
    return np.concatenate([np.repeat(i, channels // i.shape[-1], axis=-1) for i in images])


def read_images(path: Path, size: tuple[int, int] | None = None) -> tuple[np.ndarray, np.ndarray | None]:
    """Images from a .npy/.npz array or a folder, with labels when the .npz has them."""
    if path.is_dir():
        return read_image_folder(path, size), None
    array, labels = read_array(path)
    images = as_images(array, path.name)
    if labels is not None:
        labels = np.asarray(labels).reshape(-1).astype(np.int64)
        if len(labels) != len(images):
            raise InputError(f"{path.name}: {len(labels)} labels for {len(images)} images")
    return images, labels


def read_points(path: Path, labels: str | None = None) -> np.ndarray:
    """2D points (N, 2) from .npy/.npz or a text table (a header row and a label column are recognised, as
    :mod:`engines.data.tables` says; the labels are not needed here)."""
    array = as_points(read_rows(path, labels)[0], path.name)
    if array.shape[1] != 2:
        raise InputError(f"{path.name}: expected points shaped (N, 2), got {array.shape}")
    return array
