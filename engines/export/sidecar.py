"""The JSON sidecar written beside every export, so that a figure can be reproduced.

``figure.png`` gets ``figure.png.json``; an output directory gets ``DIR/sidecar.json`` listing every file
in it. The sidecar holds the panel's parameters, the seed (``parameters["seed"]``), the checkpoint hash
(``parameters["checkpoint_sha256"]``), the versions of the application (given by the caller) and of the
libraries, a timestamp and each file's name and sha256.
"""
from __future__ import annotations

import datetime
import functools
import hashlib
import json
import os
import platform
import sys
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from engines.export.atomic import atomic_write_text

DIRECTORY_SIDECAR = "sidecar.json"
SEED_KEY = "seed"
CHECKPOINT_KEY = "checkpoint_sha256"
# module name -> the distributions that install it, for libraries whose version matters to a figure
LIBRARIES = {"numpy": ("numpy",), "torch": ("torch",), "PySide6": ("PySide6", "PySide6-Essentials"),
             "pyqtgraph": ("pyqtgraph",)}


def sidecar_path(target: str | os.PathLike[str]) -> Path:
    """``FILE.json`` beside a file, ``DIR/sidecar.json`` inside a directory."""
    target = Path(target)
    return target / DIRECTORY_SIDECAR if target.is_dir() else target.with_name(target.name + ".json")


def file_sha256(path: str | os.PathLike[str], chunk: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def library_versions(application: Mapping[str, str]) -> dict[str, str]:
    """``application`` (name -> version of the program writing the sidecar), then the versions of Python,
    of the libraries in :data:`LIBRARIES` present, and the platform (:func:`_versions`)."""
    return {**application, **_versions()}


@functools.cache
def _versions() -> dict[str, str]:
    """Python's, the libraries' and the platform's versions, looked up once per process.

    A module already imported reports its ``__version__``; otherwise the metadata of the first of its
    distributions installed is read (PySide6 comes as PySide6-Essentials too), so torch is never imported
    just for this. Missing libraries are left out.
    """
    import importlib.metadata

    versions = {"python": platform.python_version()}
    for module, dists in LIBRARIES.items():
        version = getattr(sys.modules.get(module), "__version__", None)
        for dist in dists if version is None else ():
            try:
                version = importlib.metadata.version(dist)
                break
            except importlib.metadata.PackageNotFoundError:
                continue
        if version is not None:
            versions[module] = str(version)
    versions["platform"] = platform.platform()
    return versions


def prefetch_versions() -> None:
    """Look the versions up on a thread of their own (importlib.metadata's import and reads take ~20 ms),
    while a command computes what its sidecar will describe."""
    threading.Thread(target=_versions, name="library-versions", daemon=True).start()


def build_sidecar(target: str | os.PathLike[str], parameters: Mapping[str, Any],
                  application: Mapping[str, str]) -> dict[str, Any]:
    """The sidecar for an exported file or for every file in an output directory."""
    target = Path(target)
    if target.is_dir():
        files = sorted(p for p in target.rglob("*") if p.is_file() and p.name != DIRECTORY_SIDECAR)
        names = [p.relative_to(target).as_posix() for p in files]
    else:
        files, names = [target], [target.name]
    return {
        "files": [{"name": name, "sha256": file_sha256(p)} for name, p in zip(names, files)],
        "parameters": dict(parameters),
        "seed": parameters.get(SEED_KEY),
        "checkpoint_sha256": parameters.get(CHECKPOINT_KEY),
        "versions": library_versions(application),
        "timestamp": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
    }


def write_sidecar(target: str | os.PathLike[str], parameters: Mapping[str, Any],
                  application: Mapping[str, str]) -> Path:
    """Write :func:`build_sidecar` as JSON to :func:`sidecar_path` (atomically) and return that path."""
    path = sidecar_path(target)
    text = json.dumps(build_sidecar(target, parameters, application), indent=2, default=_jsonable, ensure_ascii=False)
    atomic_write_text(path, text + "\n")
    return path


def _jsonable(value: Any) -> Any:
    """JSON for what json cannot write itself: numpy scalars and arrays, paths, sets; else ``str``."""
    if hasattr(value, "tolist"):
        return value.tolist()
    if isinstance(value, (set, frozenset)):
        return sorted(value, key=str)
    return str(value)
