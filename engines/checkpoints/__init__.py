"""Checkpoint files, read safely: nothing in a file ever runs code.

- :mod:`~engines.checkpoints.header`: the one safetensors header reader (bounded; metadata bodies, format).
- :mod:`~engines.checkpoints.tensors`: named tensors from safetensors or weights-only PyTorch files, and
  the check of a state dict against a model.
- :mod:`~engines.checkpoints.files`: ``NAME.safetensors`` + ``NAME.json`` checkpoints for any engine, and
  the one bounded JSON config reader.
"""
from engines.checkpoints.files import MAX_JSON_BYTES, config_path, read_checkpoint, read_json_config, save_checkpoint
from engines.checkpoints.header import declared_format, metadata_bodies, read_header
from engines.checkpoints.tensors import match_state_dict, read_safetensors, read_tensors

__all__ = ["MAX_JSON_BYTES", "config_path", "declared_format", "match_state_dict", "metadata_bodies",
           "read_checkpoint", "read_header", "read_json_config", "read_safetensors", "read_tensors",
           "save_checkpoint"]
