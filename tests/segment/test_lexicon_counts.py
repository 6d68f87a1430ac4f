"""lexicon.tsv means what its header says: each word's count is its number of tokens in segmented.txt
(checked with collections.Counter over the written file), --min-count holds for every word listed, and
every word of two or more units in the output is listed; dropping rare words re-segments only the clauses
that used them, with the same result as segmenting everything again."""
import json
from collections import Counter

import numpy as np
import pytest

from engines.jobs import run
from engines.segment.build import build_lexicon
from engines.segment.counted import count_corpus
from engines.segment.hashindex import HashIndex
from engines.segment.lexicon import units_to_text, written_form
from engines.segment.params import SegmentParams
from engines.segment.segmenter import WordIndex, segment_units
from engines.segment.segmenting import path_scores
from engines.segment.units import encode
from engines.segment.usage import Paths, resegment_clauses, word_counts, word_spans


def notation(token: str) -> str:
    """A token of segmented.txt as lexicon.tsv writes it (a number run as #, a latin run as @)."""
    units = encode(token, cnum=True).units
    return written_form(units_to_text(units[None, :].astype(np.int64))[0])


@pytest.mark.parametrize("min_count", [2, 4])
def test_lexicon_counts_are_the_tokens_of_the_segmented_text(tmp_path, min_count):
    from cli import main

    out = tmp_path / "pd"
    assert main(["run", "segment", "--corpus", "peoples-daily", "--max-lines", "1500", "--min-count",
                 str(min_count), "--out", str(out)]) == 0
    written = Counter(t for line in (out / "segmented.txt").read_text(encoding="utf-8").splitlines()
                      for t in line.split())
    tokens = Counter()
    for token, n in written.items():
        tokens[notation(token)] += n
    rows = [line.split("\t") for line in (out / "lexicon.tsv").read_text(encoding="utf-8").splitlines()[1:]]
    counts = {word: int(count) for word, count, *_ in rows}
    assert len(counts) == len(rows) > 1000
    assert counts == {word: tokens[word] for word in counts}  # the count is the number of tokens
    assert min(counts.values()) >= min_count  # --min-count holds for the written lexicon
    assert {w for w in tokens if len(w) > 1} == set(counts)  # every longer token is listed, nothing else
    assert all(int(candidates) >= 1 for _, _, candidates, _, _ in rows)
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["lexicon_size"] == len(rows) and metrics["lexicon_dropped"] > 0


@pytest.fixture(scope="module")
def slice_lexicon():
    counted = run(count_corpus, "peoples-daily", "peoples-daily", max_lines=400)
    params = SegmentParams()
    return counted, run(build_lexicon, counted, params), params


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_resegmenting_the_clauses_that_used_dropped_words_equals_segmenting_all_again(slice_lexicon, seed):
    counted, lexicon, params = slice_lexicon
    logp, unk = path_scores(lexicon, params.word_bonus)
    codes = lexicon.codes
    units = u = counted.chunks[0].units
    rows, lens = lexicon.unit_rows()
    ws = segment_units(units, WordIndex(codes, rows, lens), logp, lexicon.max_len, unk)
    _, length, word_codes = word_spans(u, ws, lexicon.max_len)
    used = np.unique(word_codes[length > 1])
    rng = np.random.default_rng(seed)
    dropped = rng.choice(used, size=len(used) // 3, replace=False)
    keep = ~np.isin(codes, dropped)
    fewer = Paths(WordIndex(codes[keep], rows[keep], lens[keep]), logp[keep], unk, lexicon.max_len)
    half = int(np.flatnonzero(u == 0)[len(np.flatnonzero(u == 0)) // 2]) + 1  # two stretches, one programme
    news, change = resegment_clauses([(u[:half], ws[:half]), (u[half:], ws[half:])], HashIndex(dropped), fewer)
    repaired = np.concatenate(news)
    again = segment_units(units, fewer.index, fewer.logp, lexicon.max_len, unk)
    assert (repaired != ws).any() and np.array_equal(repaired, again)
    before, after = word_counts(u, ws, lexicon.max_len), word_counts(u, again, lexicon.max_len)
    expected = Counter(dict(zip(*after)))
    expected.subtract(Counter(dict(zip(*before))))
    assert {c: n for c, n in zip(*change) if n} == {c: n for c, n in expected.items() if n}
    assert not np.isin(dropped, word_counts(u, repaired, lexicon.max_len)[0]).any()
    # the lexicon's own index, the dropped words scored -inf (what drop_rare passes): the same paths
    unscored = Paths(WordIndex(codes, rows, lens), np.where(keep, logp, -np.inf), unk, lexicon.max_len)
    same, same_change = resegment_clauses([(u[:half], ws[:half]), (u[half:], ws[half:])], HashIndex(dropped), unscored)
    assert np.array_equal(np.concatenate(same), repaired)
    assert all(np.array_equal(a, b) for a, b in zip(same_change, change))
