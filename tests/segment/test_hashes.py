"""The n-gram and word hashes (engines/segment/kernels/ngrams.py) against the polynomial hash written out
in Python, window by window and word by word."""
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from engines.segment.counting import MISSING, PRIME, ngram_codes
from engines.segment.usage import word_counts, word_spans

units_lists = st.lists(st.integers(0, 6), max_size=200)  # 0: a separator


def polynomial(values) -> int:
    h = 0
    for v in values:
        h = (h * PRIME + int(v)) % 2 ** 64
    return h - 2 ** 64 if h >= 2 ** 63 else h  # as int64 arithmetic wraps around


@settings(max_examples=60, deadline=None)
@given(units=units_lists, max_n=st.integers(1, 7))
def test_ngram_codes_are_the_hash_of_each_window(units, max_n):
    codes = ngram_codes(np.array(units, np.int64), max_n)
    assert len(codes) == max_n
    for n in range(1, max_n + 1):
        expected = [polynomial(units[i:i + n]) if i + n <= len(units) and 0 not in units[i:i + n] else MISSING
                    for i in range(len(units))]
        assert codes[n - 1].tolist() == expected


@settings(max_examples=60, deadline=None)
@given(units=units_lists, data=st.data(), max_len=st.integers(1, 6))
def test_word_spans_follow_the_word_starts(units, data, max_len):
    flags = data.draw(st.lists(st.booleans(), min_size=len(units), max_size=len(units)))
    edges = [i for i in range(len(units)) if flags[i] or units[i] == 0]  # a word or a separator begins
    words = [(i, min(end - i, max_len)) for i, end in zip(edges, [*edges[1:], len(units)]) if units[i] != 0]
    starts, lens, codes = word_spans(np.array(units, np.int64), np.array(flags, bool), max_len)
    assert list(zip(starts.tolist(), lens.tolist())) == words
    assert codes.tolist() == [polynomial(units[i:i + n]) for i, n in words]
    distinct, counts = word_counts(np.array(units, np.int64), np.array(flags, bool), max_len)
    expected = {}
    for code in codes.tolist():
        expected[code] = expected.get(code, 0) + 1
    assert dict(zip(distinct.tolist(), counts.tolist())) == expected and list(distinct) == sorted(expected)
