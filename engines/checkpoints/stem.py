"""A checkpoint named as ``train --out`` named it: ``ckpt/x`` stands for ``ckpt/x.safetensors`` (with
``ckpt/x.json`` beside it) or ``ckpt/x.pt``/``.pth``, when exactly one of them is there (torch-free: the
window resolves a name before any engine loads)."""
from __future__ import annotations

from pathlib import Path

from engines.errors import InputError

WEIGHTS_SUFFIXES = (".safetensors", ".pt", ".pth")
CONFIG_SUFFIX = ".json"


def _with_suffix(path: Path, suffix: str) -> Path:
    return path.with_name(path.name + suffix)


def resolve_checkpoint(path: str | Path) -> Path:
    """``path`` itself when it exists (or when no checkpoint has it as its stem: the caller says it is
    missing); else the one checkpoint its stem names (``x`` -> ``x.safetensors``, whose ``x.json`` goes with
    it, or ``x.pt``/``x.pth``, or a lone ``x.json``). InputError listing the candidates when more than one
    weights file has that stem."""
    path = Path(path)
    if path.exists():
        return path
    found = [_with_suffix(path, s) for s in WEIGHTS_SUFFIXES if _with_suffix(path, s).is_file()]
    if len(found) > 1:
        raise InputError(f"{path} names {len(found)} checkpoints: {', '.join(p.name for p in found)}; "
                         f"give the one you mean with its suffix")
    config = _with_suffix(path, CONFIG_SUFFIX)
    return found[0] if found else config if config.is_file() else path
