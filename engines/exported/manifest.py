"""An exported model's manifest: ``NAME.json`` beside ``NAME.pt2`` saying what the program is (torch-free).

``{"format": "workbench-exported", "role": "latent", "program": "decoder.pt2", "latent_size": 8,
"data_shape": [1, 8, 8], "encoder": "encoder.pt2"}``; every key is checked where it is read, naming the key
and its allowed values (:mod:`engines.exported.catalogue`); the README lists them all.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Optional

from engines.checkpoints.config import read_json_config
from engines.errors import InputError
from engines.exported import catalogue as C
from engines.files import output_file

MAX_DIMS = 3 * 256 * 256  # numbers in one data item
SUFFIX = ".pt2"


@dataclass(frozen=True)
class Manifest:
    """A validated manifest: the role, the program files (absolute) and the keys of the role."""

    path: Path  # the manifest itself
    role: str
    program: Path
    data_shape: tuple[int, ...]
    values: dict[str, Any]  # the role's other keys (catalogue names), validated, defaults filled in

    def file(self, key: str) -> Optional[Path]:
        """The file a key names (beside the manifest), None when the key is not given."""
        name = self.values.get(key)
        return None if name is None else _beside(self.path, name, key)

    @property
    def name(self) -> str:
        return self.program.name


def folder_manifest(folder: Path) -> Optional[Path]:
    """The manifest of the one program in ``folder`` that has one (NAME.json beside NAME.pt2; an encoder beside
    it has none), None when there is none; InputError when there are several."""
    if not folder.is_dir():
        return None
    found = sorted(p.with_suffix(".json") for p in folder.glob("*" + SUFFIX) if p.with_suffix(".json").is_file())
    if len(found) > 1:
        raise InputError(f"{folder.resolve().name or folder} holds {len(found)} exported programs with manifests "
                         f"({', '.join(p.stem for p in found)}): open one of their .pt2 files")
    return found[0] if found else None


def manifest_path(path: str | Path) -> Path:
    """The manifest of ``path``: itself when a .json, that of the one program in a folder, else NAME.json
    beside NAME.pt2."""
    path = Path(path)
    if path.is_dir():
        return folder_manifest(path) or path / f"{path.name}.json"
    return path if path.suffix.lower() == ".json" else path.with_suffix(".json")


def is_exported(path: str | Path) -> bool:
    """Whether ``path`` is an exported program, its manifest (by name and the JSON's format alone) or a folder
    holding one with its manifest."""
    path = Path(path)
    if path.suffix.lower() == SUFFIX:
        return True
    if path.is_dir():
        try:
            return folder_manifest(path) is not None
        except InputError:
            return True  # opening it says which programs it holds
    if path.suffix.lower() != ".json" or not path.is_file():
        return False
    try:
        return read_json_config(path).get("format") == C.FORMAT
    except InputError:
        return False


def read_manifest(path: str | Path, role: Optional[str] = None) -> Manifest:
    """The manifest of ``path`` (a .pt2 or its .json), checked, and of ``role`` when one is asked for."""
    path = Path(path)
    where = manifest_path(path)
    if not where.exists():
        raise InputError(f"{path.name} has no manifest {where.name} beside it saying what the program is; write "
                         f"one with: workbench manifest {path} --role latent|diffusion|landscape ...")
    return check_manifest(read_json_config(where), where, role)


def check_manifest(body: dict[str, Any], where: Path, role: Optional[str] = None) -> Manifest:
    """``body`` (a manifest's JSON) checked as the manifest at ``where``."""
    if body.get("format") != C.FORMAT:
        raise InputError(f"{where.name}: format must be {C.FORMAT!r} for an exported program, got {body.get('format')!r}")
    found = C.ROLE.validate(body.get("role"), where.name) if "role" in body else None
    if found is None:
        raise InputError(f"{where.name}: role must be {C.ROLE.range_text}, and it is missing")
    if role is not None and found != role:
        raise InputError(f"{where.name} describes a {found} program, not a {role} one")
    options = {o.name: o for o in C.KEYS[found]}
    unknown = sorted(set(body) - {"format", "role", "program"} - set(options))
    if unknown:
        raise InputError(f"{where.name}: unknown key {unknown[0]!r} for role {found}; it takes "
                         f"{', '.join(['program', *options])}")
    values = {name: _value(option, body.get(name), where.name) for name, option in options.items()}
    program = _beside(where, body.get("program", where.with_suffix(SUFFIX).name), "program")
    shape = parse_shape(values.pop("data_shape"), where.name)
    if found == "latent" and values["latent_size"] is None:
        raise InputError(f"{where.name}: latent_size is missing (the length of z, {C.LATENT_SIZE.range_text})")
    if found == "landscape" and values["dataset"] is None:
        raise InputError(f"{where.name}: dataset is missing (an .npz with arrays x and y beside the manifest)")
    return Manifest(where, found, program, shape, values)


def parse_shape(value: Any, where: str) -> tuple[int, ...]:
    """``data_shape`` from a list of sizes or "C,H,W" text: 1 to 3 positive sizes, at most MAX_DIMS numbers."""
    if value is None:
        raise InputError(f"{where}: data_shape is missing (the shape of one item, e.g. [1, 8, 8] or [2])")
    items = value.split(",") if isinstance(value, str) else value
    try:
        shape = tuple(int(v) for v in items) if isinstance(items, (list, tuple)) else ()
    except (TypeError, ValueError):
        shape = ()
    if not 1 <= len(shape) <= 3 or any(s < 1 for s in shape) or any(isinstance(v, (bool, float)) for v in items):
        raise InputError(f"{where}: data_shape must be 1 to 3 positive whole sizes (C,H,W or D), got {value!r}")
    count = 1
    for s in shape:
        count *= s
    if count > MAX_DIMS:
        raise InputError(f"{where}: data_shape {list(shape)} holds {count} numbers per item, more than {MAX_DIMS}")
    return shape


def write_manifest(program: str | Path, role: str, values: dict[str, Any],
                   check: Optional[Callable[[Path], Any]] = None) -> Path:
    """Write NAME.json beside the program NAME.pt2 for ``role`` with ``values`` (catalogue names; None left
    out); with ``check``, only once ``check(manifest)`` passed on it (an old manifest stays otherwise). The
    manifest's path."""
    program = Path(program)
    if program.suffix.lower() != SUFFIX:
        raise InputError(f"{program.name} is not an exported program (a {SUFFIX} file written by torch.export.save)")
    target = output_file(manifest_path(program), "manifest")
    body: dict[str, Any] = {"format": C.FORMAT, "role": C.ROLE.validate(role), "program": program.name}
    for option in C.KEYS[role]:
        value = values.get(option.name)
        if value is not None:
            body[option.name] = list(parse_shape(value, "--data-shape")) if option.name == "data_shape" else value
    check_manifest(body, target, role)
    staged = target.with_name(f".{target.stem}.checking.json")
    try:
        staged.write_text(json.dumps(body, indent=2) + "\n", encoding="utf-8")
        if check is not None:
            check(staged)
        staged.replace(target)
    finally:
        staged.unlink(missing_ok=True)
    return target


def _value(option, value: Any, where: str) -> Any:
    if value is None:
        return option.default
    if option.kind == "text" and option.name != "data_shape" and not isinstance(value, str):
        raise InputError(f"{where}: {option.name} must be a file or data set name, got {value!r}")
    return value if option.name == "data_shape" else option.validate(value, where)


def _beside(manifest: Path, name: Any, key: str) -> Path:
    if not isinstance(name, str) or not name or Path(name).name != name:
        raise InputError(f"{manifest.name}: {key} must name a file beside the manifest (no folders), got {name!r}")
    return manifest.parent / name
