"""The cut pass's n-gram scores (the min-PMI kernel) against the definition computed from a Counter."""
import math
from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engines.segment.counting import count_units, ngram_codes
from engines.segment.lexicon import strong_ngrams
from engines.segment.params import SegmentParams


def _min_pmi(units: list[int], i: int, n: int, grams: Counter, total: int, min_count: int) -> float:
    """min over split points k of ln(N c(w) / (c(w[:k]) c(w[k:]))) of w = units[i:i+n]; -inf where w crosses a
    separator or the end or is rarer than ``min_count``."""
    w = tuple(units[i:i + n])
    if len(w) < n or 0 in w or grams[w] < min_count:
        return -math.inf
    return min(math.log(total) + math.log(grams[w]) - math.log(grams[w[:k]]) - math.log(grams[w[k:]])
               for k in range(1, n))


@settings(max_examples=60, deadline=None)
@given(units=st.lists(st.sampled_from([0, 20, 21, 22, 23, 24]), min_size=1, max_size=300),
       max_n=st.integers(2, 5), min_count=st.integers(1, 3))
def test_ngram_scores_are_the_min_pmi_of_the_counts(units, max_n, min_count):
    table = count_units(np.array(units), max_n)
    codes = ngram_codes(np.array(units), max_n)
    params = SegmentParams(max_n=max_n, min_count=min_count)
    scores, strong = strong_ngrams(table, codes, params)
    grams = Counter(tuple(units[i:i + n]) for n in range(1, max_n + 1) for i in range(len(units) - n + 1)
                    if 0 not in units[i:i + n])
    total = sum(1 for u in units if u)
    for n in range(2, max_n + 1):
        expected = [_min_pmi(units, i, n, grams, max(total, 1), min_count) for i in range(len(units))]
        assert scores[n - 1].tolist() == pytest.approx(expected, rel=1e-12, abs=1e-12)
        assert strong[n - 1].tolist() == [s > params.threshold(n) for s in scores[n - 1]]
