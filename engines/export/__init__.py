"""Export without Qt: atomic writes, output sets replaced together, JSON sidecars, tables (CSV/NPZ) and animations
(GIF/MP4). Names are loaded from their modules on first use (PEP 562), so a command that writes tables never
imports the animation writers (imageio)."""
from __future__ import annotations

import importlib

_MODULES = {
    "mp4_available": "animation", "write_gif": "animation", "write_mp4": "animation",
    "atomic_path": "atomic", "atomic_write": "atomic", "atomic_write_bytes": "atomic", "atomic_write_text": "atomic",
    "build_sidecar": "sidecar", "file_sha256": "sidecar", "library_versions": "sidecar", "sidecar_path": "sidecar",
    "write_sidecar": "sidecar",
    "staged_outputs": "staging",
    "is_tabular": "tables", "write_csv": "tables", "write_npz": "tables",
}
__all__ = sorted(_MODULES)


def __getattr__(name: str):
    if name not in _MODULES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_MODULES[name]}"), name)
