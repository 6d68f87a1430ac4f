"""Errors that carry a message meant for the user (the UI shows it, the CLI prints it on one line)."""
from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator


class InputError(ValueError):
    """Bad input from the user: a malformed expression, a hostile checkpoint, an unreadable file."""


@contextlib.contextmanager
def reading(path: str | os.PathLike[str], what: str = "file") -> Iterator[None]:
    """Refuse ``path`` up front unless it is a regular file (:func:`engines.files.regular_file`), then turn the
    OS's errors while reading it (a vanished file, no permission) into InputErrors that say which file and
    what is wrong with it."""
    from engines.files import regular_file  # engines.files raises InputError: imported here, not at the top

    regular_file(path, what)
    try:
        yield
    except FileNotFoundError as exc:
        raise InputError(f"{path} does not exist (moved or deleted?)") from exc
    except IsADirectoryError as exc:
        raise InputError(f"{path} is a folder, not a {what}") from exc
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}") from exc
