"""File identity between passes: a stat-based fingerprint (size, modification time, inode) taken when a
file is first read, checked whenever it is read again and once a pass ends, so that a file truncated,
rewritten, replaced or deleted under a run stops it with a message instead of silently losing data.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from engines.errors import InputError


def _stat(path: Path) -> os.stat_result:
    try:
        return path.stat()
    except FileNotFoundError:
        raise InputError(f"{path} was deleted or moved while the run was reading it; the run stopped and "
                         f"wrote nothing: run it again once the file stays put") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read its status ({exc.strerror or exc})") from None


@dataclass(frozen=True)
class Fingerprint:
    """What identifies the contents of ``path`` without reading it: size, modification time, inode."""

    path: Path
    size: int
    mtime_ns: int
    inode: int
    device: int

    @classmethod
    def of(cls, path: str | os.PathLike[str]) -> "Fingerprint":
        """The fingerprint of ``path`` now (InputError when it no longer exists)."""
        path = Path(path)
        st = _stat(path)
        return cls(path, st.st_size, st.st_mtime_ns, st.st_ino, st.st_dev)

    def changes(self, other: "Fingerprint") -> list[str]:
        """What differs between this fingerprint and ``other``, in words (empty when nothing does)."""
        out = []
        if (other.inode, other.device) != (self.inode, self.device):
            out.append("it was replaced by another file")
        if other.size != self.size:
            out.append(f"its size went from {self.size:,} to {other.size:,} bytes")
        if other.mtime_ns != self.mtime_ns:
            out.append("it was modified")
        return out

    def check(self) -> None:
        """Raise InputError naming the file and what changed when it differs from this fingerprint now."""
        changes = self.changes(Fingerprint.of(self.path))
        if changes:
            raise InputError(f"{self.path} changed while the run was reading it ({'; '.join(changes)}); the run "
                             f"stopped and wrote nothing: run it again once the file stays put")
