"""An exported PyTorch program (``.pt2``, written by ``torch.export.save``) opened with nothing in the file
executed.

``torch.export.load`` is never called: it unpickles the archive's weights with ``weights_only=False`` and
its custom objects with ``pickle.loads``, and retries a failed safe load unsafely. Instead the archive is read
with bounds (:mod:`~engines.checkpoints.pt2_archive`), its program checked (:mod:`~engines.checkpoints.
pt2_program`), every pickled member (the sample inputs, pickled weights) loaded through the project's
weights-only refusal (:func:`~engines.checkpoints.tensors.parse_pickled`), raw tensors built from their bytes
after checking their shapes against them, custom and opaque objects and compiled (AOTInductor) code refused,
and only then torch's own deserializer builds the program from the checked parts.
"""
from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import torch

from engines.checkpoints.pt2_archive import read_members
from engines.checkpoints.pt2_program import checked_program
from engines.checkpoints.tensors import parse_pickled
from engines.errors import InputError

MODEL = "model"  # the program torch.export.save writes
KNOWN_DIRS = ("models/", "data/weights/", "data/constants/", "data/sample_inputs/", "extra/", ".data/")
KNOWN_FILES = ("archive_format", "archive_version", "byteorder", "version")
TENSOR_PREFIX = "tensor_"  # a tensor constant's member; custom_obj_/opaque_obj_ hold Python objects


def load_exported(path: str | Path) -> torch.export.ExportedProgram:
    """The exported program in ``path``, on the CPU; InputError for anything hostile, damaged or not a
    program torch.export wrote."""
    path = Path(path)
    _, members = read_members(path)
    name = path.name
    unknown = [m for m in members if not (m.startswith(KNOWN_DIRS) or m in KNOWN_FILES)]
    if unknown:
        raise InputError(f"{name} holds {unknown[0]}, which is not part of an exported program (compiled code "
                         "or another payload); only torch.export.save archives are opened")
    if members.get("archive_format", b"").strip() != b"pt2":
        raise InputError(f"{name} is not a torch.export archive (its archive_format is not pt2)")
    program = checked_program(_json(members, f"models/{MODEL}.json", name), name)
    weights = _payload(members, "data/weights/", f"{MODEL}_weights_config.json", name)
    constants = _payload(members, "data/constants/", f"{MODEL}_constants_config.json", name)
    inputs_name = f"data/sample_inputs/{MODEL}.pt"
    inputs = parse_pickled(members[inputs_name], f"{name}: {inputs_name}") if inputs_name in members else None
    return _deserialize(program, weights, constants, inputs, name)


def exported_module(path: str | Path) -> torch.nn.Module:
    """The program in ``path`` (:func:`load_exported`) as a callable module; InputError when torch cannot
    make one of it."""
    program = load_exported(path)
    try:
        return program.module()
    except Exception as exc:  # a program that deserialized but does not hold together
        raise InputError(f"{Path(path).name}: torch cannot run its program: {_first(exc)}") from None


def _first(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0][:200] if text else type(exc).__name__


def _deserialize(program: dict[str, Any], weights: dict[str, torch.Tensor], constants: dict[str, torch.Tensor],
                 inputs: Any, name: str) -> torch.export.ExportedProgram:
    from torch._export.serde import schema
    from torch._export.serde.serialize import ExportedProgramDeserializer, _dict_to_dataclass

    try:
        serialized = _dict_to_dataclass(schema.ExportedProgram, program)
        return ExportedProgramDeserializer().deserialize(serialized, weights, constants, inputs)
    except InputError:
        raise
    except Exception as exc:  # torch's deserializer raises assertion, key, type and serialize errors
        raise InputError(f"{name}: torch cannot rebuild its program: {_first(exc)}") from None


def _json(members: dict[str, bytes], member: str, name: str) -> Any:
    if member not in members:
        raise InputError(f"{name} has no {member}: not an archive written by torch.export.save")
    try:
        return json.loads(members[member])
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise InputError(f"{name}: {member} is not valid JSON: {exc}") from None


def _payload(members: dict[str, bytes], folder: str, config: str, name: str) -> dict[str, torch.Tensor]:
    """The tensors a payload config (weights or constants) lists, by fully qualified name."""
    body = _json(members, folder + config, name)
    entries = body.get("config") if isinstance(body, dict) else None
    if not isinstance(entries, dict):
        raise InputError(f"{name}: {folder + config} lists no tensors")
    tensors: dict[str, torch.Tensor] = {}
    for fqn, entry in entries.items():
        file = entry.get("path_name") if isinstance(entry, dict) else None
        if not isinstance(file, str) or folder + file not in members:
            raise InputError(f"{name}: {folder + config} names for {fqn!r} a member that is not in the archive")
        if folder == "data/constants/" and not file.startswith(TENSOR_PREFIX):
            raise InputError(f"{name}: its constant {fqn!r} is a Python object ({file}), which would need code to "
                             "load; only tensors are opened")
        body = members[folder + file]
        if entry.get("use_pickle"):
            tensor = parse_pickled(body, f"{name}: {folder + file}")
            if not isinstance(tensor, torch.Tensor):
                raise InputError(f"{name}: {folder + file} holds a {type(tensor).__name__}, not a tensor")
        else:
            tensor = _raw_tensor(body, entry.get("tensor_meta"), f"{name}: {folder + file}")
        tensors[fqn] = torch.nn.Parameter(tensor, requires_grad=False) if entry.get("is_param") else tensor
    return tensors


def _raw_tensor(body: bytes, meta: Any, where: str) -> torch.Tensor:
    """A tensor of ``body``'s bytes with the dtype, sizes, strides and offset of ``meta``, checked to lie
    within those bytes."""
    from torch._export.serde.serialize import _SERIALIZE_TO_TORCH_DTYPE

    try:
        dtype = _SERIALIZE_TO_TORCH_DTYPE[meta["dtype"]]
        sizes = [int(s["as_int"]) for s in meta["sizes"]]
        strides = [int(s["as_int"]) for s in meta["strides"]]
        offset = int(meta["storage_offset"]["as_int"])
    except (KeyError, TypeError, ValueError) as exc:
        raise InputError(f"{where}: its tensor description is damaged ({exc!r})") from None
    itemsize = torch.empty((), dtype=dtype).element_size()
    if len(sizes) != len(strides) or min([*sizes, *strides, offset, 0]) < 0 or len(body) % itemsize:
        raise InputError(f"{where}: sizes {sizes}, strides {strides} and offset {offset} do not describe a tensor")
    count = len(body) // itemsize
    extent = offset + sum((n - 1) * s for n, s in zip(sizes, strides)) + 1 if math.prod(sizes) else 0
    if extent > count:
        raise InputError(f"{where}: a tensor of sizes {sizes} needs {extent} items, the member holds {count}")
    flat = torch.frombuffer(bytearray(body), dtype=dtype) if count else torch.zeros(0, dtype=dtype)
    return flat.as_strided(sizes, strides, offset) if math.prod(sizes) else torch.zeros(sizes, dtype=dtype)
