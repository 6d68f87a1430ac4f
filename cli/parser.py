"""The argparse parser of every ``workbench`` command: options whose values may begin with '-'.

argparse reads a word that begins with '-' as an option unless it is a plain negative number (``-2``,
``-1.5``), so ``--start -1.5,2``, ``--expr -x**2`` or ``--thresholds -0.5,4,7`` fail with "expected one
argument". An option declared with :func:`allow_dash_values` takes the next word as its value when that
word begins with a single '-' and is no option of the command, as if written ``--start=-1.5,2``; a word
beginning with ``--`` or naming an option (``-h``) is still read as an option.
"""
from __future__ import annotations

import argparse
import sys
from typing import Sequence


class Parser(argparse.ArgumentParser):
    """An ArgumentParser that joins a declared option with a following value that begins with '-'.
    Sub-commands get the same class (argparse builds sub-parsers of the parent's type)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.dash_value_flags: set[str] = set()

    def parse_known_args(self, args: Sequence[str] | None = None, namespace=None):
        words = list(sys.argv[1:] if args is None else args)
        return super().parse_known_args(self._joined(words), namespace)

    def _joined(self, words: list[str]) -> list[str]:
        out: list[str] = []
        i = 0
        while i < len(words):
            word = words[i]
            if word == "--":  # everything after it is positional
                return out + words[i:]
            following = words[i + 1] if i + 1 < len(words) else None
            if word in self.dash_value_flags and following is not None and self._is_dash_value(following):
                out.append(f"{word}={following}")
                i += 2
                continue
            out.append(word)
            i += 1
        return out

    def _is_dash_value(self, word: str) -> bool:
        return word.startswith("-") and not word.startswith("--") and word not in self._option_string_actions


def allow_dash_values(parser: argparse.ArgumentParser, *flags: str) -> None:
    """Let ``flags`` of ``parser`` take values that begin with '-' (a plain ArgumentParser, as tests build
    for one command, keeps argparse's rule)."""
    if isinstance(parser, Parser):
        parser.dash_value_flags.update(flags)
