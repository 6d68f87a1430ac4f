"""The up-front check of a path the user names as an input file or as a file to write: only regular files
qualify. Reading a named pipe (or ``/dev/stdin``) blocks until a writer comes, ``/dev/zero`` never ends, and
a folder is not a file; each is refused with a sentence before anything opens it."""
from __future__ import annotations

import os
import stat
from pathlib import Path

from engines.errors import InputError

_KINDS = ((stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))


def _kind(mode: int) -> str:
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def _mode(path: Path, verb: str) -> int | None:
    """``path``'s mode (links followed), None when nothing is there; InputError when it cannot be looked at."""
    try:
        return os.stat(path).st_mode
    except FileNotFoundError:
        return None
    except NotADirectoryError:
        blocker = next((p for p in path.parents if p.is_file()), path.parent)
        raise InputError(f"cannot {verb} {path}: {blocker} is a file, not a folder") from None
    except OSError as exc:
        raise InputError(f"cannot {verb} {path}: {exc.strerror or exc}") from None


def regular_file(path: str | os.PathLike[str], what: str = "file") -> Path:
    """``path`` when it names a regular file (links followed); InputError saying what it is otherwise."""
    path = Path(path)
    mode = _mode(path, "read")
    if mode is None:
        raise InputError(f"{path} does not exist (moved or deleted?)")
    if stat.S_ISDIR(mode):
        raise InputError(f"{path} is a folder, not a {what}")
    if not stat.S_ISREG(mode):
        raise InputError(f"{path} is {_kind(mode)}, not a {what}; name a regular file on disk")
    return path


def output_file(path: str | os.PathLike[str], what: str = "file") -> Path:
    """``path`` as a place to write a ``what``: absent or a regular file (which is replaced); InputError for a
    folder, a pipe or a device there."""
    path = Path(path)
    mode = _mode(path, "write")
    if mode is None:
        return path
    if stat.S_ISDIR(mode):
        raise InputError(f"{path} is a folder; name the {what} to write inside it")
    if not stat.S_ISREG(mode):
        raise InputError(f"{path} is {_kind(mode)}; name a regular {what} to write")
    return path
