"""Exported programs run as modules, and the one tiny forward pass that checks a program against its
manifest before any view uses it."""
from __future__ import annotations

import copy
import hashlib
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import torch
from torch import Tensor, nn

from engines import budget
from engines.checkpoints.exported import exported_module
from engines.errors import InputError

PROBE_ROWS = 2  # a batch of two: a program exported for batch 1 only is found out here


class ProgramModule(nn.Module):
    """An exported program called as a module. Its train/eval behaviour was fixed when it was exported, so
    ``train``/``eval`` change nothing (torch refuses them on the program itself)."""

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.program = exported_module(path)
        self.name = path.name
        self.sha256 = hashlib.sha256(path.read_bytes()).hexdigest()

    def train(self, mode: bool = True) -> "ProgramModule":
        self.training = mode
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> "ProgramModule":
        """A copy (path length runs one in float64) without torch's note on its own pytree internals."""
        clone = ProgramModule.__new__(ProgramModule)
        memo[id(self)] = clone
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            clone.__dict__.update(copy.deepcopy(self.__dict__, memo))
        return clone

    def forward(self, *args: Tensor) -> Any:
        return self.program(*args)


def probe(module: nn.Module, inputs: Sequence[Tensor], expected: Sequence[tuple[int, ...]], what: str) -> list[Tensor]:
    """Run ``module`` once on ``inputs`` (no gradients) and check it returns tensors of the ``expected`` shapes
    (one shape: a tensor; several: a tuple of that many; a size -1: any); its outputs, else InputError
    naming the mismatch."""
    budget.check(f"checking the {what}", sum(t.numel() * t.element_size() for t in inputs) * 4)
    shown = ", ".join(str(list(t.shape)) for t in inputs)
    try:
        with torch.no_grad():
            out = module(*inputs)
    except InputError:
        raise
    except Exception as exc:  # the program's own shape guards and kernel errors
        first = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else type(exc).__name__
        raise InputError(f"the {what} fails on inputs of shape {shown}: {first} (export it with a dynamic batch "
                         "dimension and the manifest's shapes)") from None
    outs = list(out) if isinstance(out, (tuple, list)) else [out]
    found = [tuple(o.shape) if isinstance(o, Tensor) else type(o).__name__ for o in outs]
    if len(outs) != len(expected) or not all(_fits(f, e) for f, e in zip(found, expected)):
        want = " and ".join(str(list(e)).replace("-1", "any") for e in expected)
        got = " and ".join(str(list(f)) if isinstance(f, tuple) else f for f in found)
        raise InputError(f"the {what} returns {got} for inputs of shape {shown}; the manifest says {want}")
    if not all(torch.isfinite(o).all() for o in outs if o.is_floating_point()):
        raise InputError(f"the {what} returns NaN or infinite values for inputs of shape {shown}")
    return outs


def _fits(found: tuple[int, ...] | str, expected: Sequence[int]) -> bool:
    return (isinstance(found, tuple) and len(found) == len(expected)
            and all(e in (-1, f) for f, e in zip(found, expected)))
