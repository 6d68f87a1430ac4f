"""Generic checkpoint files: ``NAME.safetensors`` with ``NAME.json`` beside it, for any engine.

:func:`save_checkpoint` writes the tensors (CPU, contiguous) as safetensors with the JSON body also in
the safetensors metadata (so the weights file alone is loadable), then the JSON with the weights' file
name and sha256; the pair replaces an old one together (both or neither). :func:`read_checkpoint` reads
either file (or a weights-only ``.pt/.pth`` through :func:`engines.checkpoints.tensors.read_tensors`, which never runs code), checks the hash and
the format tag, and returns the tensors, the JSON body and the hash. Every problem is an InputError.
"""
from __future__ import annotations

import hashlib
import json
import math
from pathlib import Path
from typing import Any, Collection, Mapping, Optional

import torch

from engines.checkpoints.config import read_json_config
from engines.checkpoints.header import metadata_body
from engines.checkpoints.stem import resolve_checkpoint
from engines.checkpoints.tensors import parse_tensors, read_file
from engines.errors import InputError

METADATA_KEY = "workbench"


def config_path(weights: Path) -> Path:
    return Path(weights).with_suffix(".json")


def config_source(path: str | Path, weights: Path) -> str:
    """The file a checkpoint's JSON body comes from, as :func:`read_checkpoint` chooses it (for messages)."""
    path = Path(path)
    source = path if path.suffix.lower() == ".json" else config_path(weights)
    return source.name if source.is_file() else f"the config in {weights.name}'s metadata"


def _jsonable(value: Any) -> Any:
    if hasattr(value, "tolist"):
        return value.tolist()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return str(value)


def save_checkpoint(path: str | Path, tensors: Mapping[str, torch.Tensor], body: Mapping[str, Any],
                    metadata_key: str = METADATA_KEY, version: str | None = None,
                    json_only: Collection[str] = ()) -> dict[str, Any]:
    """Write ``path`` (.safetensors; the suffix is added if missing) and its JSON; return the JSON body.

    The body (without the hash) also goes into the safetensors metadata under ``metadata_key``, except the
    top-level keys named in ``json_only``: what is not a function of the training inputs (timings, where
    the data lies on this machine) stays out of the hashed bytes, so that retraining with the same inputs
    writes the same weights file and sha256. The JSON also records the ``version`` of the application.
    """
    from safetensors.torch import save as save_bytes

    from engines.export.atomic import atomic_write_bytes, atomic_write_text
    from engines.export.staging import create_folder, staged_outputs

    path = Path(path)
    if path.suffix.lower() != ".safetensors":
        path = path.with_name(path.name + ".safetensors") if path.suffix in ("", ".") else path.with_suffix(".safetensors")
    create_folder(path.parent, "checkpoint folder")
    body = dict(body)
    state = {k: v.detach().to("cpu").contiguous() for k, v in tensors.items()}
    hashed = {k: v for k, v in body.items() if k not in json_only}
    data = save_bytes(state, metadata={metadata_key: json.dumps(hashed, sort_keys=True, default=_jsonable)})
    body["weights"] = path.name
    body["sha256"] = hashlib.sha256(data).hexdigest()
    body.setdefault("workbench", version or "unknown")
    with staged_outputs(path.parent) as stage:  # the weights and their JSON replace the old pair together
        atomic_write_bytes(stage / path.name, data)
        atomic_write_text(stage / config_path(path).name, json.dumps(body, indent=2, default=_jsonable) + "\n")
    return body


def read_checkpoint(path: str | Path, fmt: Optional[str] = None, metadata_key: str = METADATA_KEY,
                    ) -> tuple[dict[str, torch.Tensor], Optional[dict[str, Any]], str, Path]:
    """(tensors, JSON body or None, sha256 of the weights file, weights path) of a checkpoint.

    ``path`` may be the JSON, the .safetensors or a .pt/.pth file, or their stem (see
    :func:`~engines.checkpoints.stem.resolve_checkpoint`); the body comes from the JSON beside the
    weights, else from the safetensors metadata under ``metadata_key``. With ``fmt``, a body of another
    ``format`` is refused.
    """
    path = resolve_checkpoint(path)
    if path.is_dir():
        raise InputError(f"{path} is a folder, not a checkpoint file")
    body: Optional[dict[str, Any]] = None
    if path.suffix.lower() == ".json":
        body = read_json_config(path)
        name = body.get("weights")
        if not isinstance(name, str) or not name or Path(name).name != name:
            raise InputError(f"{path.name} does not name its weights file (a plain file name under 'weights')")
        weights = path.with_name(name)
    else:
        weights = path
        beside = config_path(path)
        if beside != path and beside.exists():  # read_json_config refuses a pipe or a folder there
            body = read_json_config(beside)
    raw = read_file(weights)
    tensors = parse_tensors(raw, weights)  # the bytes that are hashed are the bytes that are loaded
    digest = hashlib.sha256(raw).hexdigest()
    if body is not None:
        expected = body.get("sha256")
        if isinstance(expected, str) and expected and expected != digest:
            raise InputError(f"{weights.name} does not match its config: the weights' sha256 differs from the one "
                             f"in {config_path(weights).name} (the file was changed or replaced)")
    else:
        body = metadata_body(raw, metadata_key)
    if fmt is not None and body is not None and body.get("format") not in (None, fmt):
        raise InputError(f"{weights.name} is a {body.get('format')!r} checkpoint, not {fmt!r}")
    return tensors, body, digest, weights
