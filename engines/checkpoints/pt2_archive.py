"""The members of a ``.pt2`` archive (what ``torch.export.save`` writes: a zip with one root folder),
read with bounds and nothing else: no member is interpreted here.

The file must be a regular file within :func:`engines.budget.load_budget` (the shared
:func:`~engines.checkpoints.tensors.read_file`); the archive may hold at most :data:`MAX_MEMBERS` members,
whose declared sizes together stay within the same budget, each compressed at most :data:`MAX_RATIO` to one,
and each decompressed member must have exactly its declared size. Every failure is an :class:`InputError`.
"""
from __future__ import annotations

import io
import zipfile
from pathlib import Path

from engines.budget import describe, load_budget
from engines.checkpoints.tensors import read_file
from engines.errors import InputError

MAX_MEMBERS = 4096  # a program of a few hundred weights has about as many members
MAX_RATIO = 200  # deflate reaches ~1000:1 only on crafted data (zip bombs)


def read_members(path: Path) -> tuple[str, dict[str, bytes]]:
    """The archive's root folder name and its members by path below that root (``models/model.json``)."""
    data = read_file(path)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, ValueError, EOFError, OSError) as exc:
        raise InputError(f"{path.name} is not a .pt2 archive (torch.export.save writes a zip file): {exc}") from None
    _check_bounds(infos, path.name)
    root = _root(infos, path.name)
    members: dict[str, bytes] = {}
    for info in infos:
        if info.is_dir():
            continue
        name = info.filename[len(root) + 1:]
        if name in members:
            raise InputError(f"{path.name} holds two members named {info.filename}")
        members[name] = _read(archive, info, path.name)
    return root, members


def _check_bounds(infos: list[zipfile.ZipInfo], name: str) -> None:
    if len(infos) > MAX_MEMBERS:
        raise InputError(f"{name} holds {len(infos)} members, more than the {MAX_MEMBERS} a .pt2 archive may")
    total, limit = sum(i.file_size for i in infos), load_budget()
    if total > limit:
        raise InputError(f"{name} unpacks to {describe(total)}, more than the {describe(limit)} a model may "
                         "take here; nothing was unpacked")
    for info in infos:
        if info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise InputError(f"{name}: member {info.filename} is compressed {info.file_size // max(info.compress_size, 1)}"
                             f" to one (at most {MAX_RATIO}); refused as a zip bomb")


def _root(infos: list[zipfile.ZipInfo], name: str) -> str:
    roots = {i.filename.split("/", 1)[0] for i in infos}
    if len(roots) != 1 or any("/" not in i.filename for i in infos):
        raise InputError(f"{name} is not a torch.export archive: its members do not lie in one root folder")
    return roots.pop()


def _read(archive: zipfile.ZipFile, info: zipfile.ZipInfo, name: str) -> bytes:
    try:
        with archive.open(info) as member:
            body = member.read(info.file_size + 1)
    except (zipfile.BadZipFile, NotImplementedError, ValueError, EOFError, OSError, RuntimeError) as exc:
        raise InputError(f"{name}: member {info.filename} is damaged: {exc}") from None
    if len(body) != info.file_size:
        raise InputError(f"{name}: member {info.filename} unpacks to {len(body)} bytes, not the {info.file_size} "
                         "its entry declares")
    return body
