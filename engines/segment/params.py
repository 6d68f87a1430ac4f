"""The settings of a segmentation (no torch): defaults and ranges come from :mod:`engines.segment.catalogue`."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields, replace
from typing import Any

from engines.segment import catalogue as cat

_OPTIONS = {o.name: o for o in cat.PARAMETERS}
_THRESHOLD_NAMES = tuple(o.name for o in cat.THRESHOLDS)


@dataclass(frozen=True)
class SegmentParams:
    """How the lexicon is learned and the text segmented (see the catalogue for what each one means)."""

    method: str = cat.METHOD.default
    statistic: str = cat.STATISTIC.default
    max_n: int = cat.MAX_N_OPTION.default
    min_count: int = cat.MIN_COUNT.default
    thresholds: tuple[float, ...] = (0.0, *(o.default for o in cat.THRESHOLDS))  # ln-PMI per n (n = 1 unused)
    max_len: int = cat.MAX_LEN.default
    class_rule: bool = cat.CLASS_RULE.default
    pair_threshold: float | None = cat.PAIR_THRESHOLD.default
    pair_weight: float = cat.PAIR_WEIGHT.default
    word_bonus: float = cat.WORD_BONUS.default
    redundancy: float | None = cat.REDUNDANCY.default
    prune_pieces: bool = cat.PRUNE_PIECES.default
    cnum: bool = cat.CNUM.default
    numbers: bool = cat.NUMBERS.default
    names: bool = cat.NAMES.default

    def __post_init__(self) -> None:
        for f in fields(self):
            if f.name != "thresholds":
                _OPTIONS[f.name].validate(getattr(self, f.name))
        for n, value in enumerate(self.thresholds[1:], start=2):
            cat.THRESHOLDS[min(n, len(cat.THRESHOLDS) + 1) - 2].validate(value, f"the {n}-gram threshold,")
        object.__setattr__(self, "thresholds", tuple(float(t) for t in self.thresholds))

    def threshold(self, n: int) -> float:
        """The ln-PMI threshold of n-grams (beyond those given: the last one plus THRESHOLD_STEP per unit)."""
        if n - 1 < len(self.thresholds):
            return float(self.thresholds[n - 1])
        return float(self.thresholds[-1]) + (n - len(self.thresholds)) * cat.THRESHOLD_STEP

    def effective_n(self) -> int:
        """The longest n-gram the method scores."""
        return 2 if cat.METHODS[self.method].pairs_only else self.max_n

    def values(self) -> dict[str, Any]:
        """The settings by catalogue option name (the thresholds as ``threshold_2``, ...)."""
        out = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "thresholds"}
        out.update({name: self.threshold(n) for n, name in enumerate(_THRESHOLD_NAMES, start=2)})
        return out

    def with_values(self, values: Mapping[str, Any]) -> "SegmentParams":
        """A copy with the settings named by catalogue option (``threshold_3``, ``word_bonus``...) changed."""
        changes = {k: v for k, v in values.items() if k not in _THRESHOLD_NAMES}
        unknown = sorted(set(changes) - {f.name for f in fields(self)})
        if unknown:
            raise KeyError(f"no segmentation setting {', '.join(unknown)}")
        thresholds = list(self.thresholds)
        for n, name in enumerate(_THRESHOLD_NAMES, start=2):
            if name in values:
                thresholds += [self.threshold(k) for k in range(len(thresholds) + 1, n + 1)]
                thresholds[n - 1] = float(values[name])
        return replace(self, thresholds=tuple(thresholds), **changes)

    def as_dict(self) -> dict:
        return asdict(self)
