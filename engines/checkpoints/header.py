"""The one reader of safetensors headers: the JSON header of a file, bounded before it is read, and the
JSON bodies engines keep in its ``__metadata__`` (format, config), without reading any tensor data.

Layout (https://github.com/huggingface/safetensors): an 8-byte little-endian header length, then that many
bytes of JSON mapping tensor names to dtype, shape and data offsets, plus an optional ``__metadata__`` map
of strings.
"""
from __future__ import annotations

import json
import struct
from pathlib import Path
from typing import Any, Optional

from engines.errors import InputError, reading

MAX_HEADER_BYTES = 16 << 20  # safetensors' own limit is 100 MB; no Workbench header comes near 16 MB


def header_length(data: bytes) -> Optional[int]:
    """The header length the first 8 bytes claim, or None when they cannot start a safetensors file."""
    if len(data) < 8:
        return None
    (n,) = struct.unpack("<Q", data[:8])
    return n


def parse_header(data: bytes, name: str) -> dict[str, Any]:
    """The JSON header of safetensors ``data`` (the whole file or at least its header); InputError when the
    claimed length is impossible or the JSON is damaged."""
    n = header_length(data)
    if n is None or n < 2 or n > MAX_HEADER_BYTES or 8 + n > len(data):
        raise InputError(f"{name} is not a valid safetensors file (its header length is impossible)")
    try:
        header = json.loads(data[8:8 + n])
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"{name} is not a valid safetensors file (damaged header: {exc})") from None
    if not isinstance(header, dict):
        raise InputError(f"{name} is not a valid safetensors file (its header is not a JSON object)")
    return header


def read_header(path: str | Path) -> dict[str, Any]:
    """The JSON header of the safetensors file at ``path``, reading only the header's bytes."""
    path = Path(path)
    with reading(path, "safetensors file"), path.open("rb") as handle:
        first = handle.read(8)
        n = header_length(first)
        if n is None or n > MAX_HEADER_BYTES:
            raise InputError(f"{path.name} is not a valid safetensors file (its header length is impossible)")
        data = first + handle.read(n)
    return parse_header(data, path.name)


def metadata_bodies(header: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The JSON objects stored as strings in the header's ``__metadata__`` (by key); others left out."""
    metadata = header.get("__metadata__") or {}
    bodies: dict[str, dict[str, Any]] = {}
    if not isinstance(metadata, dict):
        return bodies
    for key, text in metadata.items():
        try:
            body = json.loads(text) if isinstance(text, str) else None
        except json.JSONDecodeError:
            continue
        if isinstance(body, dict):
            bodies[key] = body
    return bodies


def metadata_body(data: bytes, key: str) -> Optional[dict[str, Any]]:
    """The JSON body under ``key`` in the metadata of safetensors ``data``; None when there is none."""
    try:
        return metadata_bodies(parse_header(data, "")).get(key)
    except InputError:
        return None


def declared_format(path: str | Path) -> Optional[str]:
    """The "format" a JSON body in the file's metadata declares (None when absent or unreadable)."""
    try:
        bodies = metadata_bodies(read_header(path))
    except InputError:
        return None  # the loader reports what is wrong with the file
    return next((b["format"] for b in bodies.values() if isinstance(b.get("format"), str)), None)
