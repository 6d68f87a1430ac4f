"""The data file a checkpoint was trained on, as its JSON records it: the path relative to the checkpoint's
folder (so that a folder moved with its data still finds it), the absolute path as a fallback, and the
sha256 of the content (of a file's bytes; of a folder's image names and bytes, in name order), so that a
later run can find the data again and say when it changed.

Recorded under :data:`DATA_KEY` in the JSON only: where the data lies on this machine is not a function of
the training inputs, so it stays out of the hashed weights file.
"""
from __future__ import annotations

import hashlib
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Mapping, Optional

from engines.errors import InputError

DATA_KEY = "data_file"
CHUNK = 1 << 20


def content_sha256(path: Path) -> str:
    """sha256 of a file's bytes, or of a folder's image files (each name, then its bytes, in name order)."""
    from engines.data.files import IMAGE_SUFFIXES

    digest = hashlib.sha256()
    files = [path] if not path.is_dir() else sorted(p for p in path.iterdir()
                                                    if p.suffix.lower() in IMAGE_SUFFIXES and p.is_file())
    for file in files:
        if path.is_dir():
            digest.update(file.name.encode("utf-8") + b"\0")
        with open(file, "rb") as handle:
            for chunk in iter(lambda: handle.read(CHUNK), b""):
                digest.update(chunk)
    return digest.hexdigest()


@dataclass(frozen=True)
class DataFile:
    """Where a checkpoint's data lay when it was trained and what it held."""

    relative: Optional[str]  # to the checkpoint's folder (None: on another drive)
    absolute: str
    sha256: str
    labels: Optional[str] = None  # the table's label column it was read with (None: none named)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_body(cls, body: Mapping[str, Any]) -> Optional["DataFile"]:
        """The record in a checkpoint's JSON ``body``; None when it has none (or a malformed one)."""
        d = body.get(DATA_KEY)
        if not isinstance(d, Mapping) or not all(isinstance(d.get(k), str) for k in ("absolute", "sha256")):
            return None
        relative, labels = (d.get(k) if isinstance(d.get(k), str) else None for k in ("relative", "labels"))
        return cls(relative, d["absolute"], d["sha256"], labels)


def record_data(data: str | Path, checkpoint: str | Path, labels: Optional[str] = None) -> DataFile:
    """The record of ``data`` (read with the label column ``labels``) for a checkpoint written at
    ``checkpoint``."""
    data, folder = Path(data).resolve(), Path(checkpoint).resolve().parent
    try:
        relative: Optional[str] = Path(os.path.relpath(data, folder)).as_posix()
    except ValueError:  # another drive (Windows)
        relative = None
    return DataFile(relative, str(data), content_sha256(data), labels)


@dataclass(frozen=True)
class Located:
    """The data file found again, and a sentence when its content is no longer what the model saw."""

    path: Path
    note: Optional[str] = None


REMEDY = "name where it is now with --dataset PATH"


def locate_data(record: DataFile, checkpoint: str | Path, remedy: str = REMEDY) -> Located:
    """The recorded data: beside the checkpoint as recorded, else at its absolute path. InputError saying
    where it was looked for, and ``remedy``, when neither is there; a note when its sha256 changed (it is
    still used)."""
    checkpoint = Path(checkpoint)
    beside = [Path(os.path.abspath(checkpoint.parent / record.relative))] if record.relative else []
    places = list(dict.fromkeys(beside + [Path(record.absolute)]))
    found = next((p for p in places if p.exists()), None)
    name = Path(record.absolute).name
    if found is None:
        where = f"neither at {places[0]} nor at {places[1]}" if len(places) > 1 else f"not at {places[0]}"
        raise InputError(f"{checkpoint.name} was trained on {name}, which is {where} any more (moved or deleted?): "
                         f"{remedy}")
    if content_sha256(found) != record.sha256:
        return Located(found, f"{found} changed since {checkpoint.name} was trained on it (its sha256 differs from "
                              f"the recorded one); it is used as it is now")
    return Located(found)
