"""Parses: each line as a tree of the templates it matches, slots filled recursively (the unsupervised
syntactic analysis of Su Jianlin 2018, "最小熵原理(三): 飞象过河之句模版和语言结构",
https://kexue.fm/archives/5577).

The matches are those the template finder used to code the corpus. A line keeps them in the order they
were taken (the most useful template first) as long as they nest: a match lies either outside another one
or wholly inside one of its slots; a match that would cross one kept already is left out of the tree.

Bracketed form: a template's match is ``{literal (slot) literal ...}``, a slot ``(words and matches)``,
plain words separated by spaces: ``{在 (新 {的 (一 年)} ...) 中}``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator, Union

import numpy as np

from engines.jobs import Reporter
from engines.segment.templates import TemplateResult


@dataclass
class Node:
    """A ``kind`` "match" of the template of rank ``template``, a "slot" or a whole "line"; its children
    are words and nodes in text order (a match's: its literals and its slots), covering the line's words
    ``first``..``last``."""

    kind: str
    children: list[Union[str, "Node"]] = field(default_factory=list)
    template: int | None = None
    first: int = 0
    last: int = -1

    def bracketed(self) -> str:
        inner = " ".join(c if isinstance(c, str) else c.bracketed() for c in self.children)
        return {"match": "{" + inner + "}", "slot": "(" + inner + ")"}.get(self.kind, inner)


def parse_lines(reporter: Reporter, result: TemplateResult) -> Iterator[Node]:
    """The tree of every line the finder read, in line order."""
    by_line = _matches_by_line(result)
    for k in range(result.stream.n_lines):
        if k % 500 == 0:
            reporter.check()
        yield _tree(result, k, by_line.get(k, []))


def parse_line(result: TemplateResult, k: int) -> Node:
    """The tree of line ``k`` alone."""
    return _tree(result, k, [(rank, row) for rank in range(len(result.matches))
                             for row in line_matches(result, rank, k)])


def line_matches(result: TemplateResult, rank: int, k: int) -> list[list[int]]:
    """The matches of the template of rank ``rank`` in line ``k`` (their literal positions in the line's
    words), whether the parse keeps them or not."""
    rows = result.matches[rank]
    start, end = (int(x) for x in result.stream.line_start[k: k + 2])
    lo, hi = np.searchsorted(rows[:, 0], [start, end])
    return (rows[lo:hi] - start).tolist()


def _tree(result: TemplateResult, k: int, matches: list[tuple[int, list[int]]]) -> Node:
    """Line ``k``'s tree from its matches (template rank, literal positions in the line), in rank order."""
    words = result.stream.line_words(k)
    kept = _nesting(matches)
    return Node("line", _build(words, 0, len(words), kept), None, 0, len(words) - 1)


def _matches_by_line(result: TemplateResult) -> dict[int, list[tuple[int, list[int]]]]:
    """Each line's matches (template rank, literal positions in the line), in rank order."""
    out: dict[int, list[tuple[int, list[int]]]] = {}
    starts = result.stream.line_start
    for rank, rows in enumerate(result.matches):
        lines = np.searchsorted(starts, rows[:, 0], "right") - 1
        for line, row in zip(lines.tolist(), (rows - starts[lines, None]).tolist()):
            out.setdefault(line, []).append((rank, row))
    return out


def _inside_slot(inner: list[int], outer: list[int]) -> bool:
    return any(a < inner[0] and inner[-1] < b for a, b in zip(outer, outer[1:]))


def _nesting(matches: list[tuple[int, list[int]]]) -> list[tuple[int, list[int]]]:
    """The matches kept in order when each nests with those kept before (outside, or inside a slot)."""
    kept: list[tuple[int, list[int]]] = []
    for t, row in matches:
        if all(row[-1] < q[0] or q[-1] < row[0] or _inside_slot(row, q) or _inside_slot(q, row) for _, q in kept):
            kept.append((t, row))
    return kept


def _build(words: list[str], lo: int, hi: int, matches: list[tuple[int, list[int]]]) -> list[Union[str, Node]]:
    """The children covering words lo..hi-1: the outermost matches there as nodes, other words as text."""
    outer = {}
    for t, row in matches:
        if lo <= row[0] and row[-1] < hi and not any(q is not row and _inside_slot(row, q) for _, q in matches
                                                     if lo <= q[0] and q[-1] < hi):
            outer[row[0]] = (t, row)
    out: list[Union[str, Node]] = []
    p = lo
    while p < hi:
        if p not in outer:
            out.append(words[p])
            p += 1
            continue
        t, row = outer[p]
        node = Node("match", [], t, row[0], row[-1])
        for s, q in enumerate(row):
            node.children.append(words[q])
            if s + 1 < len(row):
                inside = [m for m in matches if row[s] < m[1][0] and m[1][-1] < row[s + 1]]
                node.children.append(Node("slot", _build(words, q + 1, row[s + 1], inside), None, q + 1, row[s + 1] - 1))
        out.append(node)
        p = row[-1] + 1
    return out
