"""Optimizer specifications and their one-line text form.

Grammar (whitespace around tokens is ignored)::

    spec    := part ("+" part)* ["@" label]
    part    := NAME [":" param ("," param)*]       first part: an optimizer, the rest: wrappers
    param   := KEY "=" value
    value   := NUMBER ("/" NUMBER)* | "true" | "false"      a/b is a tuple, e.g. betas=0.9/0.999

Examples: ``adam:lr=0.01,betas=0.9/0.999``,
``sgd:lr=0.001,momentum=0.9+lookahead:k=5,alpha=0.5+weight_decay:rate=0.01@my run``,
``adam+piecewise_lr:1000=1,2000=0.1`` (piecewise_lr's keys are step numbers).
Names come from the catalogues :data:`~engines.optim.catalogue.OPTIMIZERS` and
:data:`~engines.optim.catalogue.WRAPPERS`; errors raise InputError naming the bad token, and a value out of its range (:data:`~engines.optim.catalogue.PARAMETERS`) one naming the parameter and the range. Parsing and
formatting import no torch (the GUI's spec editor runs them before the engine is loaded).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable, Optional, Union

from engines.catalogue import Option
from engines.errors import InputError
from engines.optim.catalogue import OPTIMIZERS, PARAMETERS, WRAPPERS

Value = Union[float, tuple, Any]  # floats/tuples from text; tensors allowed for batched sweeps


@dataclass
class WrapperSpec:
    name: str
    params: dict[str, Value] = field(default_factory=dict)


@dataclass
class OptimizerSpec:
    name: str
    hyper: dict[str, Value] = field(default_factory=dict)
    wrappers: tuple[WrapperSpec, ...] = ()
    label: Optional[str] = None

    @property
    def display(self) -> str:
        """The label, or the text form."""
        return self.label or format_spec(self)


_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z|\d+\Z")


_PLUS = re.compile(r"\+(?=\s*[A-Za-z_])")  # "+" before a wrapper's name (not the exponent's sign in 1e+16)


def _number(token: str, key: str) -> float:
    low = token.lower()
    if low in ("true", "false"):
        return 1.0 if low == "true" else 0.0
    try:
        return float(token)
    except ValueError:
        raise InputError(f"bad number {token!r} for {key} in optimizer spec") from None


def _value(token: str, key: str) -> Value:
    parts = [_number(t.strip(), key) for t in token.split("/")]
    return parts[0] if len(parts) == 1 else tuple(parts)


def _part(text: str) -> tuple[str, dict[str, Value]]:
    name, _, rest = text.partition(":")
    name = name.strip()
    if not _NAME.match(name):
        raise InputError(f"bad name {name!r} in optimizer spec")
    params: dict[str, Value] = {}
    if rest.strip():
        for item in rest.split(","):
            key, eq, val = item.partition("=")
            key = key.strip()
            if not eq or not _KEY.match(key) or not val.strip():
                raise InputError(f"bad parameter {item.strip()!r} in optimizer spec (expected key=value)")
            if key in params:
                raise InputError(f"parameter {key!r} given twice in optimizer spec")
            params[key] = _value(val, key)
    return name, params


def _check_keys(name: str, params: dict[str, Value], known: dict[str, Any], step_keys: bool,
                ranges: Callable[[str], Option] = PARAMETERS.__getitem__) -> dict[str, Value]:
    """``params`` with every key known and every value in its range (``ranges(key)``, :data:`PARAMETERS`'
    by default)."""
    for key in params:
        if step_keys and not key.isdigit():
            raise InputError(f"{name}: parameter {key!r} must be a step number (e.g. 1000=1)")
        if not step_keys and key not in known:
            raise InputError(f"{name}: unknown parameter {key!r}; known: {', '.join(known) or 'none'}")
    return {key: _checked(name, ranges("factor" if step_keys else key), value, known.get(key, 0.0))
            for key, value in params.items()}


def _checked(name: str, option: Option, value: Value, default: Any) -> Value:
    """``value`` of ``name``'s parameter checked against its ``option``: as many numbers as its default
    has (betas: two), each in range; InputError naming the parameter and its range."""
    key = option.name
    if isinstance(default, tuple):
        if not isinstance(value, tuple) or len(value) != len(default):
            raise InputError(f"{name} {key} takes {len(default)} numbers joined by \"/\" such as "
                             f"{key}={_format_value(default)}, got {key}={_format_value(value)}")
        return tuple(option.validate(v, name) for v in value)
    if isinstance(value, tuple):
        raise InputError(f"{name} {key} takes one number, got {key}={_format_value(value)}")
    return option.validate(value, name)


def parse_spec(text: str) -> OptimizerSpec:
    """Parse the one-line form (see module docstring) into an :class:`OptimizerSpec`."""
    body, at, label = text.partition("@")
    parts = [_part(p) for p in _PLUS.split(body)]
    (name, hyper), wrapper_parts = parts[0], parts[1:]
    hyper = _check_keys(name, hyper, OPTIMIZERS[name].defaults(), False, OPTIMIZERS[name].parameter)
    wrappers = []
    for wname, wparams in wrapper_parts:
        wrapper = WRAPPERS[wname]
        wrappers.append(WrapperSpec(wname, _check_keys(wname, wparams, wrapper.defaults(), wrapper.step_keys)))
    return OptimizerSpec(name, hyper, tuple(wrappers), label.strip() or None if at else None)


def _format_value(v: Value) -> str:
    if isinstance(v, tuple):
        return "/".join(_format_value(x) for x in v)
    v = float(v)
    return str(int(v)) if v.is_integer() and abs(v) < 1e15 else repr(v)


def _format_part(name: str, params: dict[str, Value]) -> str:
    if not params:
        return name
    return name + ":" + ",".join(f"{k}={_format_value(v)}" for k, v in params.items())


def format_spec(spec: OptimizerSpec) -> str:
    """The text form; ``parse_spec(format_spec(s)) == s`` for specs with number/tuple values."""
    text = "+".join([_format_part(spec.name, spec.hyper)] + [_format_part(w.name, w.params) for w in spec.wrappers])
    return f"{text}@{spec.label}" if spec.label else text
