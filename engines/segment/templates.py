"""Sentence templates: non-adjacent word collocations with slots, kept by the minimum-entropy principle
(Su Jianlin 2018, "最小熵原理(三): 飞象过河之句模版和语言结构", https://kexue.fm/archives/5577; the idea of
nlp-zero's Template_Finder, written anew here around an explicit code length).

A template is k = 2 or 3 literal words with a slot of 1..G words (``max_gap``) between each two in a row,
inside one clause: 在X中 is (在, slot, 中), 可以X吗 is (可以, slot, 吗).

Code length. The segmented corpus is coded token by token with a unigram model; with token counts c_s
summing to N it costs L(c) = N log2 N - Σ_s c_s log2 c_s bits (divided by the characters: the "bits/char
after words" figure; punctuation tokens cost the same either way and are left out; each distinct number is
a word of its own here, where the lexicon's figure counts a number or latin run by its class, so this one
is a little higher). Using template t for n occurrences (their literal positions disjoint from those of
the templates taken before) replaces each occurrence's k literal tokens (k distinct words) with one token
t: N' = N - (k-1) n, c'_a = c_a - n for each literal a, c'_t = n. The decoder then reads each slot's
length ℓ from the slot's own histogram n_{j,ℓ}: G_t = Σ_j (n log2 n - Σ_ℓ n_{j,ℓ} log2 n_{j,ℓ}) bits, and
the template itself costs M_t = k log2 V + (k-1)(G-1)/2 · log2 n bits (its words among the V of the
vocabulary; half log2 n per free parameter of its slot histograms). The saving is

    saved(t) = L(c) - L(c') - G_t - M_t,

and t is kept when saved(t) > 0 with n >= ``min_count``. Candidates (pairs, then pairs extended by a third
word) are counted with numpy, pruned by count and capped; they are tried in order of their saving
estimated from raw counts, each evaluated exactly against the code as it stands (greedy, one pass).
On People's Daily (N ≈ 1.0 M words, V ≈ 34,000) 在X中 is taken for n = 1,113 matches and saves ≈ 1,300
bits: c_在 and c_中 each fall by 1,113 and N by 1,113, less ≈ 1,760 bits for its slot lengths.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

import numpy as np

from engines.jobs import Reporter
from engines.segment import template_catalogue as tc
from engines.segment.wordstream import WordStream, read_stream

SLOTS = "XYZ"


@dataclass(frozen=True)
class TemplateParams:
    """``min_count``: least uses of a kept template; ``max_gap``: longest slot, in words; ``max_candidates``:
    candidates tried (pairs and triples, half each at most); ``max_rows``: pair occurrences held (the
    triples' step holds up to ``max_gap`` times as many, 32 B each); ``max_tokens``: tokens read (later lines
    are not used; counting holds a few 8-byte arrays of that length); ``examples``: matches kept per
    template."""

    min_count: int = tc.MIN_COUNT.default
    max_gap: int = tc.MAX_GAP.default
    max_candidates: int = 8000
    max_rows: int = 1_000_000
    max_tokens: int = 8_000_000
    examples: int = 3


def params_of(values: Mapping[str, Any]) -> TemplateParams:
    """The finder's settings from the values of :data:`template_catalogue.OPTIONS` (by option name)."""
    return TemplateParams(min_count=values[tc.MIN_COUNT.name], max_gap=values[tc.MAX_GAP.name])


@dataclass
class Template:
    """A kept template: its literal words, uses, bits saved when it was taken, example matches (slot
    contents in brackets) and its rank (the order in which it was taken, 0 first)."""

    words: tuple[str, ...]
    count: int
    bits_saved: float
    examples: list[str] = field(default_factory=list)
    rank: int = 0

    @property
    def pattern(self) -> str:
        """The literal words with a slot letter between each two: 在X中, 可以X吗, aXbYc."""
        parts = [self.words[0]]
        for slot, word in zip(SLOTS, self.words[1:]):
            parts += [slot, word]
        return "".join(parts)


@dataclass
class TemplateResult:
    """The templates (most bits saved first), each one's matches (rows of literal positions in the
    stream, by the template's rank), the stream, and the corpus's bits/char after words and after
    templates (data, slot lengths and the templates themselves)."""

    templates: list[Template]
    matches: list[np.ndarray]
    stream: WordStream
    bits_words: float
    bits_templates: float


def xlogx(x: np.ndarray | float) -> np.ndarray:
    """x log2 x, 0 at 0."""
    x = np.asarray(x, np.float64)
    return np.where(x > 0, x * np.log2(np.maximum(x, 1e-300)), 0.0)


def data_bits_saved(n: np.ndarray, lit_counts: np.ndarray, k: int, total: float) -> np.ndarray:
    """L(c) - L(c') for templates of ``k`` distinct literals used ``n`` times (vectorized), where
    ``lit_counts`` (rows: templates, columns: literals) are the literals' counts and ``total`` = N."""
    n = np.asarray(n, np.float64)
    after = total - (k - 1) * n
    return (xlogx(total) - xlogx(after) - (xlogx(lit_counts) - xlogx(lit_counts - n[:, None])).sum(1) + xlogx(n))


def find_templates(reporter: Reporter, lines: Iterable[str | list[str]],
                   params: TemplateParams | None = None) -> TemplateResult:
    """Job: read the segmented ``lines`` and find their templates (see the module's code length)."""
    params = params or TemplateParams()
    reporter.progress(None, "templates: reading the segmented text")
    stream = read_stream(reporter, lines, params.max_tokens)
    words = stream.ids[stream.clause >= 0]  # punctuation costs the same with or without templates
    counts = np.bincount(words, minlength=len(stream.vocab)).astype(np.float64)
    total = float(len(words))
    base = float(xlogx(total) - xlogx(counts).sum())
    reporter.progress(0.1, "templates: counting word pairs with gaps")
    pairs, pair_rows = _pair_candidates(reporter, stream, counts, params)
    reporter.progress(0.4, "templates: extending pairs by a third word")
    triples, triple_rows = _triple_candidates(reporter, stream, counts, pairs, pair_rows, params)
    candidates = [(lit, rows, est) for lit, rows, est in (*pairs, *triples)]
    candidates.sort(key=lambda c: -c[2])
    kept, matches, spent = _select(reporter, stream, counts, total, base, candidates, params)
    order = sorted(range(len(kept)), key=lambda r: -kept[r].bits_saved)
    chars = max(stream.n_chars, 1)
    return TemplateResult([kept[r] for r in order], matches, stream, base / chars, (base - spent) / chars)


def _pair_candidates(reporter: Reporter, stream: WordStream, counts: np.ndarray, params: TemplateParams):
    """Pairs (a, slot, b) used at least min_count times, most promising first, with their occurrences
    (rows i, j), within the caps."""
    ids, v = stream.ids, max(len(stream.vocab), 1)
    codes, tallies = [], []
    for i, j in _gapped(stream, params.max_gap):
        reporter.check()
        u, n = np.unique(ids[i] * v + ids[j], return_counts=True)
        codes.append(u)
        tallies.append(n)
    if not codes:
        return [], []
    reporter.check()
    u, inverse = np.unique(np.concatenate(codes), return_inverse=True)
    n = np.bincount(inverse, weights=np.concatenate(tallies))
    reporter.check()
    keep = n >= params.min_count
    u, n = u[keep], n[keep]
    a, b = u // v, u % v
    distinct = a != b
    u, n, a, b = u[distinct], n[distinct], a[distinct], b[distinct]
    est = data_bits_saved(n, np.stack([counts[a], counts[b]], 1), 2, float(counts.sum()))
    order = np.argsort(-est)
    order = order[est[order] > 0][: params.max_candidates // 2]
    order = order[np.cumsum(n[order]) <= params.max_rows]
    chosen = u[order]
    reporter.check()
    rows = _rows_of(reporter, stream, chosen, params.max_gap, v)
    return [((int(a[o]), int(b[o])), r, float(est[o])) for o, r in zip(order, rows)], rows


def _gapped(stream: WordStream, max_gap: int):
    """For each slot length g = 1..max_gap: the positions i, j = i + g + 1 of two words in one clause."""
    clause = stream.clause
    for g in range(1, max_gap + 1):
        i = np.arange(max(len(clause) - g - 1, 0))
        j = i + g + 1
        ok = (clause[i] >= 0) & (clause[i] == clause[j])
        yield i[ok], j[ok]


def _rows_of(reporter: Reporter, stream: WordStream, chosen: np.ndarray, max_gap: int, v: int) -> list[np.ndarray]:
    """The occurrences (rows i, j, sorted by i) of each pair code in ``chosen``."""
    found_code, found_rows = [], []
    for i, j in _gapped(stream, max_gap):
        reporter.check()
        code = stream.ids[i] * v + stream.ids[j]
        hit = np.isin(code, chosen)
        found_code.append(code[hit])
        found_rows.append(np.stack([i[hit], j[hit]], 1))
    return _split_by(np.concatenate(found_code) if found_code else np.zeros(0, np.int64),
                     np.concatenate(found_rows) if found_rows else np.zeros((0, 2), np.int64), chosen)


def _split_by(code: np.ndarray, rows: np.ndarray, chosen: np.ndarray) -> list[np.ndarray]:
    """``rows`` grouped by ``code`` in the order of ``chosen``, each group sorted by its first position."""
    order = np.lexsort((rows[:, 0], code))
    code, rows = code[order], rows[order]
    lo = np.searchsorted(code, chosen, "left")
    hi = np.searchsorted(code, chosen, "right")
    return [rows[s:e] for s, e in zip(lo, hi)]


def _triple_candidates(reporter: Reporter, stream: WordStream, counts: np.ndarray, pairs, pair_rows,
                       params: TemplateParams):
    """Pairs extended by a third word after a second slot: (a, slot, b, slot, c), used at least min_count
    times, most promising first, with their occurrences (rows i, j, k)."""
    if not pairs:
        return [], []
    ids, clause = stream.ids, stream.clause
    pair_of = np.repeat(np.arange(len(pair_rows)), [len(r) for r in pair_rows])
    rows = np.concatenate(pair_rows)
    v = max(len(stream.vocab), 1)
    codes, found = [], []
    for g in range(1, params.max_gap + 1):
        reporter.check()
        k = rows[:, 1] + g + 1
        ok = k < len(ids)
        ok[ok] = clause[k[ok]] == clause[rows[ok, 0]]
        codes.append(pair_of[ok] * v + ids[k[ok]])
        found.append(np.concatenate([rows[ok], k[ok, None]], 1))
    code, found_rows = np.concatenate(codes), np.concatenate(found)
    u, n = np.unique(code, return_counts=True)
    keep = n >= params.min_count
    u, n = u[keep], n[keep]
    p, c = u // v, u % v
    lits = np.array([pairs[q][0] for q in p.tolist()], np.int64).reshape(-1, 2)
    distinct = (c != lits[:, 0]) & (c != lits[:, 1])
    u, n, p, c, lits = u[distinct], n[distinct], p[distinct], c[distinct], lits[distinct]
    est = data_bits_saved(n, np.stack([counts[lits[:, 0]], counts[lits[:, 1]], counts[c]], 1), 3,
                          float(counts.sum()))
    order = np.argsort(-est)
    order = order[est[order] > 0][: params.max_candidates // 2]
    order = order[np.cumsum(n[order]) <= params.max_rows]
    hit = np.isin(code, u[order])
    groups = _split_by(code[hit], found_rows[hit], u[order])
    return [((int(lits[o, 0]), int(lits[o, 1]), int(c[o])), r, float(est[o])) for o, r in zip(order, groups)], groups


def _select(reporter: Reporter, stream: WordStream, counts: np.ndarray, total: float, base: float,
            candidates, params: TemplateParams):
    """Greedy pass: take each candidate whose exact saving (on the occurrences still free) is positive.
    Returns the templates in the order taken, their matches and the bits saved in all."""
    used = np.zeros(len(stream.ids), bool)
    counts = counts.copy()
    vocab_bits = math.log2(max(len(stream.vocab), 2))
    kept: list[Template] = []
    matches: list[np.ndarray] = []
    spent = 0.0
    for step, (lits, rows, _) in enumerate(candidates):
        if step % 50 == 0:
            reporter.check()
            reporter.progress(0.5 + 0.5 * step / max(len(candidates), 1),
                              f"templates: tried {step:,} of {len(candidates):,} candidates, kept {len(kept):,}")
        rows = _free_rows(rows, used)
        n = len(rows)
        if n < params.min_count:
            continue
        k = len(lits)
        lit_counts = counts[list(lits)][None, :]
        if (lit_counts[0] < n).any():
            continue
        gap_bits = sum(float(xlogx(n) - xlogx(np.bincount(rows[:, s + 1] - rows[:, s])).sum()) for s in range(k - 1))
        model_bits = k * vocab_bits + (k - 1) * (params.max_gap - 1) / 2 * math.log2(n)
        saved = float(data_bits_saved(np.array([n]), lit_counts, k, total)[0]) - gap_bits - model_bits
        if saved <= 0:
            continue
        used[rows.ravel()] = True
        counts[list(lits)] -= n
        total -= (k - 1) * n
        spent += saved
        words = tuple(stream.vocab[a] for a in lits)
        kept.append(Template(words, n, saved, _examples(stream, rows, params.examples), len(kept)))
        matches.append(rows)
    return kept, matches, spent


def _free_rows(rows: np.ndarray, used: np.ndarray) -> np.ndarray:
    """The occurrences none of whose literal positions is taken, and, where two share a position, the
    earlier one."""
    rows = rows[~used[rows].any(1)]
    flat = rows.ravel()
    if len(np.unique(flat)) == len(flat):
        return rows
    taken: set[int] = set()
    keep = []
    for r, row in enumerate(rows.tolist()):
        if not taken.intersection(row):
            taken.update(row)
            keep.append(r)
    return rows[keep]


def _examples(stream: WordStream, rows: np.ndarray, count: int) -> list[str]:
    """Up to ``count`` different matches, from the first ones."""
    found: list[str] = []
    for row in rows[: 50 * count]:
        text = _example(stream, row)
        if text not in found:
            found.append(text)
            if len(found) == count:
                break
    return found


def _example(stream: WordStream, row: np.ndarray) -> str:
    """A match as text: the literals and, between them, each slot's words in brackets."""
    parts = []
    positions = row.tolist()
    for s, p in enumerate(positions):
        parts.append(stream.vocab[stream.ids[p]])
        if s + 1 < len(positions):
            parts.append("[" + " ".join(stream.vocab[w] for w in stream.ids[p + 1: positions[s + 1]].tolist()) + "]")
    return "".join(parts)
