"""Checkpoint files, read safely: nothing in a file ever runs code.

- :mod:`~engines.checkpoints.header`: the one safetensors header reader (bounded; metadata bodies, format).
- :mod:`~engines.checkpoints.config`: the one bounded JSON config reader.
- :mod:`~engines.checkpoints.tensors`: named tensors from safetensors or weights-only PyTorch files, and
  the check of a state dict against a model.
- :mod:`~engines.checkpoints.files`: ``NAME.safetensors`` + ``NAME.json`` checkpoints for any engine.
- :mod:`~engines.checkpoints.stem`: a checkpoint named by the stem ``train --out`` took.
- :mod:`~engines.checkpoints.plan`: a config's model, made on the meta device, checked against the weights'
  shapes and the memory budget (:mod:`engines.budget`) before the real one is built.

The names below load their module on first use (PEP 562), so reading a header or a config loads no torch.
"""
from __future__ import annotations

import importlib
from typing import Any

_HOME = {
    "MAX_JSON_BYTES": "config", "read_json_config": "config",
    "config_path": "files", "config_source": "files", "read_checkpoint": "files", "save_checkpoint": "files",
    "declared_format": "header", "metadata_bodies": "header", "read_header": "header",
    "match_state_dict": "tensors", "read_safetensors": "tensors", "read_tensors": "tensors",
    "resolve_checkpoint": "stem",
    "check_weights_fit": "plan", "header_shapes": "plan", "planned_model": "plan", "tensor_shapes": "plan",
}
__all__ = sorted(_HOME)


def __getattr__(name: str) -> Any:
    if name not in _HOME:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_HOME[name]}"), name)
