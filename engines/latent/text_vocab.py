"""The text VAE's vocabulary: the most frequent characters of the training text, id 0 reserved for any other
character. Saved in the checkpoint's JSON as a list of characters (no pickle) and checked on load."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any, Iterable

import numpy as np

from engines.errors import InputError
from engines.latent.text_catalogue import VOCAB

UNKNOWN = "□"  # shown for id 0: a character the vocabulary does not hold
MAX_VOCAB = int(VOCAB.maximum)


@dataclass(frozen=True)
class Vocabulary:
    """``chars[i]`` is the character of id ``i + 1``; id 0 is the unknown character."""

    chars: tuple[str, ...]

    @property
    def size(self) -> int:
        return len(self.chars) + 1

    def encode(self, lines: Iterable[str], length: int) -> np.ndarray:
        """(N, length) int64 ids of lines of exactly ``length`` characters."""
        index = {c: i + 1 for i, c in enumerate(self.chars)}
        rows = [[index.get(c, 0) for c in line] for line in lines]
        bad = next((r for r in rows if len(r) != length), None)
        if bad is not None:
            raise InputError(f"a line of {len(bad)} characters was given where the model reads {length}")
        return np.asarray(rows, dtype=np.int64).reshape(-1, length)

    def decode(self, ids: Iterable[int]) -> str:
        return "".join(self.chars[i - 1] if 0 < i <= len(self.chars) else UNKNOWN for i in ids)

    def as_json(self) -> list[str]:
        return list(self.chars)

    @classmethod
    def build(cls, lines: Iterable[str], cap: int) -> "Vocabulary":
        """The ``cap - 1`` most frequent characters of ``lines`` (ties in first-seen order), most frequent first."""
        counts = Counter(c for line in lines for c in line)
        return cls(tuple(c for c, _ in counts.most_common(max(1, cap - 1))))

    @classmethod
    def from_json(cls, value: Any, source: str) -> "Vocabulary":
        """The vocabulary a checkpoint's JSON holds, refused with a sentence unless it is a list of at most
        :data:`MAX_VOCAB` distinct single characters."""
        if not isinstance(value, list):
            raise InputError(f"{source}: its vocabulary is not a list of characters")
        if not value or len(value) >= MAX_VOCAB:
            raise InputError(f"{source}: its vocabulary holds {len(value)} characters; a text VAE's holds 1 to "
                             f"{MAX_VOCAB - 1}")
        if not all(isinstance(c, str) and len(c) == 1 and c.isprintable() and not c.isspace() for c in value):
            raise InputError(f"{source}: its vocabulary holds entries that are not single printable characters")
        if len(set(value)) != len(value):
            raise InputError(f"{source}: its vocabulary lists a character twice")
        return cls(tuple(value))
