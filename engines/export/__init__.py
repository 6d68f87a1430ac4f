"""Export without Qt: atomic writes, output sets replaced together, JSON sidecars, tables (CSV/NPZ) and animations (GIF/MP4)."""
from engines.export.animation import mp4_available, write_gif, write_mp4
from engines.export.atomic import atomic_path, atomic_write, atomic_write_bytes, atomic_write_text
from engines.export.sidecar import build_sidecar, file_sha256, library_versions, sidecar_path, write_sidecar
from engines.export.staging import staged_outputs
from engines.export.tables import is_tabular, write_csv, write_npz

__all__ = [
    "atomic_path",
    "atomic_write",
    "atomic_write_bytes",
    "atomic_write_text",
    "build_sidecar",
    "file_sha256",
    "is_tabular",
    "library_versions",
    "mp4_available",
    "sidecar_path",
    "staged_outputs",
    "write_csv",
    "write_gif",
    "write_mp4",
    "write_npz",
    "write_sidecar",
]
