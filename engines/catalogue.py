"""Catalogues: what an engine offers, as plain data that imports neither torch nor Qt.

Each engine keeps a ``catalogue`` module of :class:`Entry` objects (a sampler, an optimizer, a surface, a
clustering method...) with their :class:`Option` schemas. GUI forms, argparse options and ``--help``
texts are generated from these, so each fact (a label, a default, a range, a citation) is written once.
Options validate values where they are parsed and name themselves and their allowed range when refusing.
"""
from __future__ import annotations

import importlib
import math
import numbers
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from engines.errors import InputError

KINDS = ("float", "int", "bool", "choice", "text")
MAX_SEED = 2**31 - 1  # every generator takes it (numpy, scikit-learn, torch) and so does a form's spin box


@dataclass(frozen=True)
class Option:
    """One setting: its name (as in code and ``KEY=VALUE`` specs), a label for forms, its kind, default
    and allowed range, a one-line help text and a unit. ``default=None`` means "the model's own" (or off).

    ``minimum``/``maximum`` are inclusive; ``choices`` lists the allowed values of a "choice", and
    ``choice_labels`` (the same length, optional) what a form shows for each."""

    name: str
    label: str
    kind: str = "float"
    default: Any = None
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] = ()
    help: str = ""
    unit: str = ""
    step: float | None = None  # a form's spin step (None: 1 for ints, a hundredth of the range for floats)
    decimals: int = 3  # a form's decimals for floats
    none_label: str = ""  # with default None: what "no value" means in a form ("model's", "off")
    choice_labels: tuple[str, ...] = ()  # a form's readable text for each of ``choices``, in their order

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"option {self.name}: unknown kind {self.kind!r}")
        if self.choice_labels and len(self.choice_labels) != len(self.choices):
            raise ValueError(f"option {self.name}: {len(self.choice_labels)} choice labels for {len(self.choices)} choices")

    @property
    def range_text(self) -> str:
        """The allowed values in words: "between 0 and 1", "one of a, b", "at least 1"."""
        if self.kind == "choice":
            return "one of " + ", ".join(self.choices)
        if self.kind == "bool":
            return "true or false"
        lo, hi = (None if v is None else self._number(v) for v in (self.minimum, self.maximum))
        if lo is not None and hi is not None:
            return f"between {lo} and {hi}"
        if lo is not None:
            return f"at least {lo}"
        if hi is not None:
            return f"at most {hi}"
        return "a number" if self.kind in ("float", "int") else "text"

    def parse(self, text: str, where: str = "") -> Any:
        """The value of ``text`` (a command-line or spec string), validated. An option with a
        ``none_label`` reads that label (and, for a float, "nan") as None."""
        raw = text.strip()
        if self.none_label and raw.lower() in (self.none_label.lower(), *(("nan",) if self.kind == "float" else ())):
            return None
        value: Any = raw
        try:
            if self.kind == "int":
                value = _whole(raw)
            elif self.kind == "float":
                value = float(raw)
            elif self.kind == "bool":
                lowered = raw.lower()
                if lowered not in ("true", "false", "1", "0", "yes", "no", "on", "off"):
                    raise ValueError
                value = lowered in ("true", "1", "yes", "on")
        except ValueError:
            raise InputError(f"{self._where(where)} must be {self.range_text}, got {text!r}") from None
        return self.validate(value, where)

    def validate(self, value: Any, where: str = "") -> Any:
        """``value`` checked against the kind and range; InputError naming the option and its range."""
        if value is None:
            return None
        if self.kind in ("int", "float"):
            if isinstance(value, bool) or not isinstance(value, numbers.Real):
                raise InputError(f"{self._where(where)} must be {self.range_text}, got {value!r}")
            if not math.isfinite(value):
                raise InputError(f"{self._where(where)} must be {self.range_text}, got {float(value):g}")
            if self.kind == "int" and float(value) != int(value):
                raise InputError(f"{self._where(where)} must be a whole number, got {value!r}")
            value = int(value) if self.kind == "int" else float(value)
            if (self.minimum is not None and value < self.minimum) or (
                    self.maximum is not None and value > self.maximum):
                raise InputError(f"{self._where(where)} must be {self.range_text}, got {self._number(value)}")
        elif self.kind == "choice" and value not in self.choices:
            raise InputError(f"{self._where(where)} must be {self.range_text}, got {value!r}")
        elif self.kind == "bool" and not isinstance(value, bool):
            raise InputError(f"{self._where(where)} must be true or false, got {value!r}")
        return value

    def describe(self) -> str:
        """``name`` with its default and range, for help texts."""
        default = "" if self.default is None else f"={_show(self.default)}"
        rng = self.range_text if self.kind not in ("text",) else ""
        return f"{self.name}{default}" + (f" ({rng})" if rng else "")

    def _number(self, value: float) -> str:
        """``value`` as a range shows it: whole for an int option (4294967295, not 4.29497e+09), else %g."""
        return str(int(value)) if self.kind == "int" else f"{value:g}"

    def _where(self, where: str) -> str:
        return f"{where} {self.name}" if where else self.name


@dataclass(frozen=True)
class Entry:
    """A named thing an engine offers: label for menus, one-line description, options, citation."""

    name: str
    label: str
    description: str = ""
    options: tuple[Option, ...] = ()
    citation: str = ""  # "Author et al. 2020: Title"
    url: str = ""

    def option(self, name: str) -> Option:
        for option in self.options:
            if option.name == name:
                return option
        raise InputError(f"{self.name} has no setting {name}; {self.takes()}")

    def takes(self) -> str:
        return f"it takes {', '.join(o.name for o in self.options)}" if self.options else "it takes none"

    def defaults(self) -> dict[str, Any]:
        return {o.name: o.default for o in self.options}

    def settings(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """``values`` checked against this entry's options (unknown names and bad values refused)."""
        unknown = sorted(set(values) - {o.name for o in self.options})
        if unknown:
            raise InputError(f"{self.name} has no setting {', '.join(unknown)}; {self.takes()}")
        return {k: self.option(k).validate(v, self.name) for k, v in values.items()}


E = TypeVar("E", bound=Entry)


@dataclass(frozen=True)
class Catalogue(Generic[E]):
    """Entries of one kind, in menu order, looked up by name with a helpful refusal."""

    what: str  # "sampler", "optimizer", ...
    entries: tuple[E, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        names = [e.name for e in self.entries]
        if len(set(names)) != len(names):
            raise ValueError(f"duplicate {self.what} names in {names}")

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(e.name for e in self.entries)

    def __iter__(self):
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    def __contains__(self, name: object) -> bool:
        return name in self.names

    def __getitem__(self, name: str) -> E:
        for entry in self.entries:
            if entry.name == name:
                return entry
        raise InputError(f"unknown {self.what} {name!r}; choose one of {', '.join(self.names)}")

    def help_table(self, width: int = 16, with_options: bool = True) -> str:
        """One line per entry: name, label (or description), and the options it takes, for ``--help``."""
        lines = []
        for e in self.entries:
            text = e.description or e.label
            if with_options and e.options:
                text += "; " + ", ".join(o.describe() for o in e.options)
            lines.append(f"  {e.name:<{width}} {text}")
        return "\n".join(lines)


def seed_option(label: str = "Seed", help: str = "random seed") -> Option:
    """The ``seed`` option: a whole number from 0 to :data:`MAX_SEED`."""
    return Option("seed", label, "int", 0, 0, MAX_SEED, help=help)


def load(path: str) -> Any:
    """The object a ``"package.module:name"`` path names, imported now (entries name their implementation
    this way, so that reading a catalogue imports no torch)."""
    module, _, name = path.partition(":")
    return getattr(importlib.import_module(module), name)


def parse_settings(entry: Entry, text: str) -> dict[str, Any]:
    """``"key=value,key=value"`` -> settings of ``entry``, each value parsed and validated by its Option."""
    settings: dict[str, Any] = {}
    for item in filter(None, (p.strip() for p in text.split(","))):
        key, eq, value = item.partition("=")
        if not eq:
            raise InputError(f"{entry.name} setting {item!r} should read KEY=VALUE")
        settings[key.strip()] = entry.option(key.strip()).parse(value, entry.name)
    return settings


def union_options(entries: Iterable[Entry]) -> tuple[Option, ...]:
    """Every option taken by any of ``entries``, once each (first definition wins), in order."""
    seen: dict[str, Option] = {}
    for entry in entries:
        for option in entry.options:
            seen.setdefault(option.name, option)
    return tuple(seen.values())


def _whole(text: str) -> int:
    """``text`` as a whole number: "12", or a float spelling of one such as "1e6" (ValueError otherwise)."""
    try:
        return int(text)
    except ValueError:
        number = float(text)
        if not number.is_integer():
            raise
        return int(number)


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, (tuple, list)):
        return "/".join(_show(v) for v in value)
    return str(value)
