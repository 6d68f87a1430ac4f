"""Errors that carry a message meant for the user (the UI shows it, the CLI prints it on one line)."""
from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator


class InputError(ValueError):
    """Bad input from the user: a malformed expression, a hostile checkpoint, an unreadable file."""


@contextlib.contextmanager
def reading(path: str | os.PathLike[str], what: str = "file") -> Iterator[None]:
    """Turn the OS's errors while reading ``path`` (a missing file, a folder, no permission) into
    InputErrors that say which file and what is wrong with it."""
    try:
        yield
    except FileNotFoundError as exc:
        raise InputError(f"{path} does not exist (moved or deleted?)") from exc
    except IsADirectoryError as exc:
        raise InputError(f"{path} is a folder, not a {what}") from exc
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}") from exc
