"""Atomic file writes: a temporary file in the target's directory, fsync, then ``os.replace``.

A writer that raises (an error, or a cancellation) leaves no partial file and keeps the old one.
"""
from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import IO

_TEMP_NAME = re.compile(r"\.(.+)\.[0-9a-f]{8}\.tmp(\.[^.]*)?")  # what _create_temp names a temporary file


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a new empty temporary path beside ``path`` (same suffix, so writers infer the format); on
    success it is fsynced and moved over ``path``, on error it is removed."""
    target = Path(path)
    temp = _create_temp(target)
    try:
        yield temp
        fsync_file(temp)
        os.replace(temp, target)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    fsync_dir(target.parent)


@contextlib.contextmanager
def atomic_write(path: str | os.PathLike[str], mode: str = "wb", encoding: str | None = None) -> Iterator[IO]:
    """Open a temporary file beside ``path`` for writing; it replaces ``path`` when the block succeeds."""
    if "b" not in mode and encoding is None:
        encoding = "utf-8"
    with atomic_path(path) as temp, open(temp, mode, encoding=encoding) as handle:
        yield handle


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> None:
    with atomic_write(path, "wb") as handle:
        handle.write(data)


def atomic_write_text(path: str | os.PathLike[str], text: str) -> None:
    with atomic_write(path, "w") as handle:
        handle.write(text)


def target_of(path: Path) -> Path:
    """The file a temporary file of :func:`atomic_path` stands for (``path`` itself when it is not one)."""
    match = _TEMP_NAME.fullmatch(path.name)
    return path.with_name(match.group(1)) if match else path


def _create_temp(target: Path) -> Path:
    """An empty hidden file beside ``target``, created with the usual permissions (0o666 less the umask;
    ``tempfile.mkstemp`` would make it 0o600, and the export would keep that)."""
    while True:
        temp = target.with_name(f".{target.name}.{os.urandom(4).hex()}.tmp{target.suffix}")
        try:
            os.close(os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
            return temp
        except FileExistsError:
            continue


def fsync_file(path: Path) -> None:
    with open(path, "rb+") as handle:
        os.fsync(handle.fileno())


def fsync_dir(directory: Path) -> None:
    """Make the rename durable; not possible on every platform (Windows), where it is skipped."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
