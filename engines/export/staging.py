"""Replace a set of output files together: all the new ones, or none of them.

:func:`staged_outputs` yields an empty staging folder inside the output folder; the caller writes every
output there. When the block succeeds, each staged file replaces its namesake in the output folder: the
old file is first hard-linked (or, where links are not possible, moved) into a backup folder, then the new
one is renamed over it, so at every instant each name holds a whole file, old or new. If a rename fails
the files already replaced are put back from the backup. When the block raises, the staging folder is
removed and the output folder is left as it was. The same-folder renames are the atomic step of the
usual write-then-rename pattern (POSIX ``rename(2)``), applied file by file with an undo log.
"""
from __future__ import annotations

import contextlib
import os
import secrets
import shutil
from collections.abc import Iterable, Iterator
from pathlib import Path

from engines.errors import InputError
from engines.export.atomic import fsync_dir, fsync_file, target_of

STAGING_PREFIX = ".workbench-staging-"
BACKUP_PREFIX = ".workbench-backup-"


def create_folder(folder: str | os.PathLike[str], what: str = "output folder") -> Path:
    """``folder`` (and its parents) created if needed; InputError naming it, as ``what``, when it cannot be."""
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        blocker = next((p for p in [folder, *folder.parents] if p.exists() and not p.is_dir()), folder)
        raise InputError(f"cannot create the {what} {folder}: {blocker} is a file, not a folder") from None
    except OSError as exc:
        raise InputError(f"cannot create the {what} {folder}: {exc.strerror or exc}") from None
    return folder


@contextlib.contextmanager
def staged_outputs(folder: str | os.PathLike[str], obsolete: Iterable[str] = ()) -> Iterator[Path]:
    """Yield a new empty folder inside ``folder`` to write outputs into; on success move every file in it
    into ``folder`` (see the module's note), on error remove it and leave ``folder`` untouched.

    ``obsolete``: names in ``folder`` that belong to the same set of outputs but were not written this
    time (e.g. the InfoMap files of a k-means run); they are removed with the commit (restored if it
    fails). An ``OSError`` while writing into the staging folder becomes an InputError naming the file.
    """
    folder = Path(folder)
    stage = _new_hidden_folder(folder, STAGING_PREFIX)
    try:
        try:
            yield stage
        except OSError as exc:
            if exc.filename is not None and _inside(Path(exc.filename), stage):
                name = target_of(Path(exc.filename)).relative_to(stage)
                raise InputError(f"could not write {folder / name}: {exc.strerror or exc}; "
                                 f"nothing in {folder} was changed") from None
            raise
        commit(stage, folder, obsolete)
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def commit(stage: Path, folder: Path, obsolete: Iterable[str] = ()) -> list[Path]:
    """Move every file under ``stage`` to the same relative path under ``folder`` and remove the names in
    ``obsolete`` that were not staged, all or nothing; returns the paths written."""
    try:
        names = sorted(p.relative_to(stage) for p in stage.rglob("*") if p.is_file())
        stale = [Path(n) for n in obsolete if Path(n) not in names and (folder / n).is_file()]
        _check_targets(folder, names)
        for name in names:
            fsync_file(stage / name)
    except OSError as exc:
        raise InputError(f"could not replace the outputs in {folder}: {exc.strerror or exc}; "
                         f"the previous files are kept as they were") from None
    backup = _new_hidden_folder(folder, BACKUP_PREFIX)
    done: list[tuple[Path, bool]] = []  # (name, whether an old file is in the backup)
    try:
        for name in names:
            target = folder / name
            target.parent.mkdir(parents=True, exist_ok=True)
            had_old = _back_up(target, backup / name)
            done.append((name, had_old))
            os.replace(stage / name, target)
        for name in stale:
            done.append((name, _back_up(folder / name, backup / name, keep=False)))
    except OSError as exc:
        _roll_back(folder, backup, done, stale)
        where = f" ({exc.filename})" if exc.filename else ""
        raise InputError(f"could not replace the outputs in {folder}: {exc.strerror or exc}{where}; "
                         f"the previous files are kept as they were") from None
    shutil.rmtree(backup, ignore_errors=True)
    fsync_dir(folder)
    return [folder / n for n in names]


def _check_targets(folder: Path, names: list[Path]) -> None:
    """Refuse, before anything moves, a target that is a folder, a symbolic link (its old file could not be
    put back as a link) or another non-regular file."""
    for name in names:
        target = folder / name
        kind = ("a symbolic link" if target.is_symlink() else "a folder" if target.is_dir()
                else "not a regular file" if target.exists() and not target.is_file() else None)
        if kind:
            raise InputError(f"cannot write {target}: it is {kind}; remove or rename it (nothing in {folder} was changed)")


def _back_up(target: Path, backup: Path, keep: bool = True) -> bool:
    """Keep the file at ``target`` (if any) as ``backup``: a hard link when ``keep`` (the name keeps its old
    file until the new one is renamed over it), otherwise, or where links fail, moved. True if there was one."""
    if not target.exists():
        return False
    backup.parent.mkdir(parents=True, exist_ok=True)
    if keep:
        try:
            os.link(target, backup)
            return True
        except OSError:
            pass
    os.replace(target, backup)
    return True


def _roll_back(folder: Path, backup: Path, done: list[tuple[Path, bool]], stale: list[Path]) -> None:
    """Undo ``done`` in reverse: the old file back from the backup, or the new one removed. A name whose
    old file cannot be put back leaves the backup folder in place (its path is in the log)."""
    kept = False
    for name, had_old in reversed(done):
        target = folder / name
        try:
            if had_old:
                os.replace(backup / name, target)
            elif name not in stale:
                target.unlink(missing_ok=True)
        except OSError:
            kept = True
    if not kept:
        shutil.rmtree(backup, ignore_errors=True)


def _new_hidden_folder(folder: Path, prefix: str) -> Path:
    while True:
        path = folder / f"{prefix}{secrets.token_hex(4)}"
        try:
            path.mkdir()
            return path
        except FileExistsError:
            continue
        except OSError as exc:
            raise InputError(f"cannot write into {folder}: {exc.strerror or exc}") from None


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
        return True
    except ValueError:
        return False
