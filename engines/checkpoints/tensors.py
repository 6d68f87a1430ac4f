"""Safe tensor reading: safetensors, or PyTorch files through ``torch.load(weights_only=True)`` only.

Nothing here ever unpickles arbitrary objects: a file that needs code to load (a pickled module, a
``__reduce__`` payload) is refused with an :class:`InputError`, as is every damaged, truncated, vanished or
mismatched file, with a message naming what is wrong.
"""
from __future__ import annotations

import io
import pickle
import re
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypeVar

import torch
from safetensors.torch import load as load_safetensors_bytes
from torch import Tensor, nn

from engines.checkpoints.header import header_length
from engines.errors import InputError, reading
from engines.budget import check_file_size

PathLike = str | Path
T = TypeVar("T")
WRAPPER_KEYS = ("state_dict", "model_state_dict", "model", "ema")
"""Keys under which training scripts commonly nest the state dict in a .pt checkpoint."""
_LISTED = 6  # names shown per kind of mismatch


def read_tensors(path: PathLike) -> dict[str, Tensor]:
    """Named CPU tensors of a .safetensors or .pt/.pth state-dict file (format sniffed from content)."""
    path = Path(path)
    return parse_tensors(read_file(path), path)


def read_file(path: Path) -> bytes:
    """The bytes of a checkpoint file; InputError naming the file when it cannot be read."""
    with reading(path, "checkpoint file"):
        check_file_size(path)
        return path.read_bytes()


def parse_tensors(data: bytes, path: Path) -> dict[str, Tensor]:
    """Named CPU tensors of the bytes of ``path`` (read once by the caller, who may hash the same bytes)."""
    kind = _sniff(data)
    if kind == "safetensors":
        return _parse_safetensors(data, path.name)
    if kind == "torch":
        return _state_dict(_torch_load(data, path.name), path.name)
    if path.suffix.lower() == ".safetensors" and len(data) >= 8:
        raise InputError(f"{path.name} is not a valid safetensors file (truncated or damaged header)")
    raise InputError(
        f"{path.name} is not a checkpoint: expected a .safetensors file or a PyTorch .pt/.pth state dict"
    )


def parse_pickled(data: bytes, name: str) -> Any:
    """The object a PyTorch-pickled member holds (a ``torch.save`` zip or a bare pickle), unpickled with
    ``weights_only=True`` only: what would import or run anything is refused (the .pt refusal above)."""
    if _sniff(data) != "torch":
        raise InputError(f"{name} is not a PyTorch-pickled member")
    return _torch_load(data, name)


def read_safetensors(path: PathLike) -> dict[str, Tensor]:
    """Named CPU tensors of a file that must be safetensors (no torch fallback)."""
    path = Path(path)
    return _parse_safetensors(read_file(path), path.name)


def _parse_safetensors(data: bytes, name: str) -> dict[str, Tensor]:
    try:
        return load_safetensors_bytes(data)
    except Exception as exc:  # the Rust parser raises its own error types for every kind of damage
        raise InputError(f"{name} is a damaged safetensors file: {exc}") from exc


def match_state_dict(model: nn.Module, tensors: Mapping[str, Tensor], source: str) -> dict[str, Tensor]:
    """``tensors`` checked against ``model.state_dict()`` (keys, shapes, dtype kinds) and cast to the
    model's dtypes; InputError listing every missing/unexpected key and shape mismatch otherwise."""
    expected = model.state_dict()
    tensors = strip_prefix(tensors)
    problems = fit_problems({k: tuple(v.shape) for k, v in expected.items()},
                            {k: tuple(v.shape) for k, v in tensors.items()})
    kinds = [
        f"{k} ({tensors[k].dtype})"
        for k, v in expected.items()
        if k in tensors and tensors[k].is_floating_point() != v.is_floating_point()
    ]
    if kinds:
        problems.append(f"wrong dtype: {_names(kinds)}")
    if problems:
        raise InputError(f"{source} does not fit the model: " + "; ".join(problems))
    return {k: tensors[k].to(dtype=v.dtype) for k, v in expected.items()}


def fit_problems(expected: Mapping[str, tuple[int, ...]], found: Mapping[str, tuple[int, ...]]) -> list[str]:
    """What keeps tensors of shapes ``found`` (the file's) from filling a model of shapes ``expected``:
    missing and unexpected keys and shape mismatches, each a short phrase listing the first names."""
    missing = [k for k in expected if k not in found]
    unexpected = [k for k in found if k not in expected]
    shapes = [f"{k} (file {found[k]}, model {v})" for k, v in expected.items() if k in found and found[k] != v]
    return [f"{label}: {_names(items)}"
            for label, items in (("missing keys", missing), ("unexpected keys", unexpected),
                                 ("shape mismatch", shapes)) if items]


def _sniff(data: bytes) -> str:
    if data[:4] == b"PK\x03\x04":  # torch.save's zip container
        return "torch"
    header = header_length(data)
    if len(data) >= 10 and header is not None:  # before the pickle check: a length such as 640 starts with b"\x80\x02"
        if 2 <= header <= len(data) - 8 and data[8:9] == b"{":
            return "safetensors"
    if len(data) >= 2 and data[0] == pickle.PROTO[0] and 2 <= data[1] <= 5:  # legacy pickle format
        return "torch"
    return "unknown"


def _torch_load(data: bytes, name: str) -> Any:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # torch's notes on unusual pickle protocols
            return torch.load(io.BytesIO(data), map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as exc:
        found = re.search(r"GLOBAL ([\w.]+)", str(exc))
        what = f"it would import {found.group(1)}" if found else "its pickle is not plain tensor data"
        raise InputError(
            f"refused to load {name}: {what}; only state dicts of tensors are accepted, nothing that "
            f"runs code (save model.state_dict() instead)"
        ) from exc
    except Exception as exc:  # zip, storage and EOF errors of truncated or damaged files
        raise InputError(f"{name} is a damaged PyTorch file: {_first_line(exc)}") from exc


def _state_dict(obj: Any, name: str) -> dict[str, Tensor]:
    if isinstance(obj, Mapping):
        for key in WRAPPER_KEYS:
            inner = obj.get(key)
            if isinstance(inner, Mapping) and any(isinstance(v, Tensor) for v in inner.values()):
                obj = inner
                break
        tensors = {k: v for k, v in obj.items() if isinstance(k, str) and isinstance(v, Tensor)}
        if tensors:
            return tensors
    raise InputError(f"{name} holds a {type(obj).__name__}, not a state dict of named tensors")


def strip_prefix(tensors: Mapping[str, T], prefix: str = "module.") -> Mapping[str, T]:
    """``tensors`` without the ``module.`` prefix that DataParallel puts on every name."""
    if tensors and all(k.startswith(prefix) for k in tensors):
        return {k[len(prefix):]: v for k, v in tensors.items()}
    return tensors


def _first_line(exc: Exception) -> str:
    """The first sentence of an exception's message (torch appends paragraphs of advice)."""
    text = str(exc).strip()
    return text.splitlines()[0].split(". ")[0] if text else type(exc).__name__


def _names(items: list[str]) -> str:
    more = len(items) - _LISTED
    return ", ".join(items[:_LISTED]) + (f" and {more} more" if more > 0 else "")
