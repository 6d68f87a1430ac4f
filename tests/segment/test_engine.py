"""Counting, hashing, lexicon, segmentation and scoring against hand-checked numbers and brute force."""
import itertools
import math
import random
from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engines.jobs import run
from engines.segment.counted import count_corpus
from engines.segment.counting import MISSING, count_units, merge, ngram_codes, resolve_device, sum_tables
from engines.segment.counting import Counter as TableCounter  # not collections' Counter
from engines.segment.evaluate import score
from engines.segment.gold import detect_format, parse_gold
from engines.segment.hashindex import HashIndex
from engines.segment.segmenter import WordIndex, segment_units
from engines.segment.units import ALNUM, NUM, OFFSET, encode


def test_units_classes_and_punctuation():
    enc = encode("１９９８年，ＣＤＭＡ手机３．５％。——好\n")
    names = [int(u) for u in enc.units]
    assert names == [NUM, ord("年") + OFFSET, 0, ALNUM, ord("手") + OFFSET, ord("机") + OFFSET, NUM, 0,
                     ord("好") + OFFSET, 0]
    starts = enc.cp[enc.forced]
    assert [chr(c) for c in starts] == ["，", "。", "—"]  # "——" is one token


def test_ngram_counts_match_python_counter():
    rng = random.Random(0)
    seq = [rng.choice([0, 20, 21, 22, 23]) for _ in range(3000)]
    table = count_units(np.array(seq), 3)
    for n in (1, 2, 3):
        expected = Counter(tuple(seq[i:i + n]) for i in range(len(seq) - n + 1) if 0 not in seq[i:i + n])
        assert table.total(n) == sum(expected.values())
        assert len(table.codes[n - 1]) == len(expected)
        codes = ngram_codes(np.array(seq), n)[n - 1]
        for gram, count in list(expected.items())[:20]:
            i = next(i for i in range(len(seq)) if tuple(seq[i:i + n]) == gram)
            assert int(table.lookup(n, codes[i:i + 1])[0]) == count
    halves = merge([count_units(np.array(seq[:1500]), 3), count_units(np.array(seq[1500:]), 3)])
    whole = count_units(np.array([*seq[:1500], 0, *seq[1500:]]), 3)
    for n in range(3):
        assert np.array_equal(halves.codes[n], whole.codes[n]) and np.array_equal(halves.counts[n], whole.counts[n])


def test_the_counter_sums_the_same_whenever_it_merges():
    rng = np.random.default_rng(1)
    parts = [rng.choice([0, 20, 21, 22, 23, 24], 800) for _ in range(7)]
    whole = count_units(np.concatenate([np.r_[p, 0] for p in parts]), 3)  # one text, the parts apart
    for pending_bytes in (1, 10_000, 1 << 40):  # merging at every table, every few, once at the end
        counter = TableCounter(pending_bytes)
        for p in parts:
            counter.add_table(count_units(p, 3))
        summed = counter.result()
        for n in range(3):
            assert np.array_equal(summed.codes[n], whole.codes[n]) and np.array_equal(summed.counts[n], whole.counts[n])


@settings(max_examples=60, deadline=None)
@given(tables=st.lists(st.dictionaries(st.integers(-2 ** 63, 2 ** 63 - 1), st.integers(-9, 9), max_size=12),
                       max_size=7))
def test_summed_tables_are_the_sums_of_their_counts(tables):
    expected = Counter()
    for table in tables:
        expected.update(table)  # a key summing to 0 stays, as it does in the merge
    codes, counts = sum_tables([(np.array(sorted(t), np.int64), np.array([t[k] for k in sorted(t)], np.int64))
                                for t in tables])
    assert codes.tolist() == sorted(expected) and counts.tolist() == [expected[k] for k in sorted(expected)]


def test_the_torch_unique_counts_as_numpy_does(tmp_path):
    """The counting's torch path (a GPU's), run on the CPU by giving a torch.device: the same table."""
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(2)
    units = rng.choice([0, 20, 21, 22, 23, 24], 5000)
    here, there = count_units(units, 4), count_units(units, 4, device=torch.device("cpu"))
    for n in range(4):
        assert np.array_equal(here.codes[n], there.codes[n]) and np.array_equal(here.counts[n], there.counts[n])
        assert there.codes[n].dtype == there.counts[n].dtype == np.int64
    assert resolve_device("cpu") is None and resolve_device(None) is None
    assert resolve_device(torch.device("cpu")) == torch.device("cpu")
    corpus = tmp_path / "c.txt"
    corpus.write_text("我们爱北京，我们爱和平。\n今天天气很好。\n" * 30, encoding="utf-8")
    plain, forced = run(count_corpus, str(corpus)).table, run(count_corpus, str(corpus), device=torch.device("cpu")).table
    assert all(np.array_equal(a, b) for a, b in zip(plain.codes + plain.counts, forced.codes + forced.counts))


def test_hash_index_matches_dict():
    rng = np.random.default_rng(1)
    keys = np.unique(rng.integers(-2 ** 62, 2 ** 62, 5000))
    index = HashIndex(keys)
    queries = np.r_[keys[::3], rng.integers(-2 ** 62, 2 ** 62, 1000), np.array([MISSING])]
    lookup = {int(k): i for i, k in enumerate(keys)}
    assert index.lookup(queries).tolist() == [lookup.get(int(q), -1) for q in queries]
    values = rng.integers(1, 1000, keys.size)
    stored = HashIndex(keys, values)
    expected = [int(values[lookup[int(q)]]) if int(q) in lookup else 0 for q in queries]
    assert stored.stored(queries).tolist() == expected
    gate = rng.integers(0, 4, queries.size)
    assert stored.stored(queries, gate, 2).tolist() == [v if g >= 2 else 0 for v, g in zip(expected, gate)]
    given = HashIndex(np.r_[keys, keys[:7]], np.r_[np.arange(keys.size) * 3, np.full(7, -2)])  # the first row wins
    assert given.lookup(queries).tolist() == [3 * lookup[int(q)] if int(q) in lookup else -1 for q in queries]


@settings(max_examples=100, deadline=None)
@given(keys=st.lists(st.integers(-3, 3), max_size=6, unique=True),
       items=st.lists(st.tuples(st.integers(-4, 4), st.sampled_from([1e16, 1.0, -0.5])), max_size=40))
def test_hash_index_sums_by_row_as_bincount_does(keys, items):
    """Sums in the query's order: equal bit for bit to np.bincount over the keys' rows (1e16 + 1 + 1 is
    not 1 + 1 + 1e16 in floating point, so another order fails)."""
    index = HashIndex(np.array(keys, np.int64))
    query = np.array([k for k, _ in items], np.int64)
    weights = np.array([w for _, w in items], np.float64)
    row = index.lookup(query)
    expected = np.bincount(row[row >= 0], weights=weights[row >= 0], minlength=len(keys))
    assert index.sum_by_row(query, weights).tolist() == expected.tolist()


def test_dp_equals_brute_force():
    rng = random.Random(3)
    alphabet = [OFFSET + i for i in range(4)]
    words = {tuple(rng.choice(alphabet) for _ in range(rng.randint(2, 3))) for _ in range(8)}
    words |= {(a,) for a in alphabet}
    words = sorted(words)
    logp = np.array([-rng.uniform(1, 6) for _ in words])
    codes = np.array([int(ngram_codes(np.array(w), len(w))[len(w) - 1][0]) for w in words])
    order = np.argsort(codes)
    index = word_index([words[i] for i in order])
    logp = logp[order]
    value = {w: float(logp[list(codes[order]).index(codes[i])]) for i, w in enumerate(words)}
    for _ in range(20):
        sent = [rng.choice(alphabet) for _ in range(rng.randint(1, 9))]
        starts = segment_units(np.array(sent), index, logp, 3, -100.0)
        cut = [i for i in range(len(sent)) if starts[i]]
        got = sum(value[tuple(sent[a:b])] for a, b in zip(cut, cut[1:] + [len(sent)]))
        best = -math.inf
        for mask in itertools.product([0, 1], repeat=len(sent) - 1):
            bounds = [0] + [i + 1 for i, m in enumerate(mask) if m] + [len(sent)]
            pieces = [tuple(sent[a:b]) for a, b in zip(bounds, bounds[1:])]
            if all(p in value for p in pieces):
                best = max(best, sum(value[p] for p in pieces))
        assert got == pytest.approx(best)


def word_index(words: list[tuple[int, ...]]) -> WordIndex:
    """The segmenter's index of words given as tuples of units."""
    width = max(map(len, words), default=1)
    rows = np.array([[*w, *[0] * (width - len(w))] for w in words], np.int64).reshape(len(words), width)
    lens = np.array([len(w) for w in words], np.int64)
    codes = np.array([int(ngram_codes(np.array(w), len(w))[len(w) - 1][0]) for w in words], np.int64)
    return WordIndex(codes, rows, lens)


def _viterbi_reference(units, words, unk, max_len, forbid=None):
    """Plain-Python Viterbi over clauses (no word crosses a 0): word starts, the shortest last word on ties."""
    starts, best, back = [False] * len(units), [0.0] * (len(units) + 1), [1] * len(units)
    begin = 0
    for p, unit in enumerate(units):
        if unit == 0:
            begin = p + 1
            continue
        value, arg = -math.inf, 1
        for ln in range(1, min(max_len, p - begin + 1) + 1):
            word = tuple(units[p - ln + 1: p + 1])
            lp = words.get(word, unk if ln == 1 else None)
            if lp is None or (forbid is not None and forbid[p] == ln):
                continue
            if best[p - ln + 1] + lp > value:
                value, arg = best[p - ln + 1] + lp, ln
        best[p + 1], back[p] = value, arg
        if p + 1 == len(units) or units[p + 1] == 0:
            q = p
            while q >= begin:
                q -= back[q]
                starts[q + 1] = True
    return starts


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_segmenter_kernel_matches_a_python_viterbi_with_ties(data):
    """Scores drawn from three values make ties common; clauses run past 1,024 units (never cut)."""
    alphabet = [OFFSET + i for i in range(3)]
    words = {tuple(data.draw(st.lists(st.sampled_from(alphabet), min_size=1, max_size=4))): None
             for _ in range(data.draw(st.integers(0, 12)))}
    for word in words:
        words[word] = data.draw(st.sampled_from([-1.0, -2.0, -3.0]))
    length = data.draw(st.sampled_from([1, 7, 40, 1500]))
    units = data.draw(st.lists(st.sampled_from([0, *alphabet, *alphabet]), min_size=length, max_size=length))
    logp = np.array(list(words.values()), np.float64)
    got = segment_units(np.array(units, np.int64), word_index(list(words)), logp, 4, -2.0)
    assert got.tolist() == _viterbi_reference(units, words, -2.0, 4)


def test_gold_formats_and_scores():
    lines = ["迈向/v  充满/v  希望/n  的/u  新/a  世纪/n", "江/nr  泽民/nr"]
    assert detect_format(lines) == "wordtag"
    assert detect_format(["迈向 充满 希望"]) == "spaces"
    gold = parse_gold(lines, "wordtag")
    assert gold.raw == ["迈向充满希望的新世纪", "江泽民"]
    assert parse_gold(["迈向 充满  希望 的 新 世纪", "江 泽民"], "spaces").starts.tolist() == gold.starts.tolist()
    # predicted: 迈向 | 充满希望 | 的 | 新 | 世 | 纪 || 江泽民
    pred = np.zeros(13, bool)
    pred[[0, 2, 6, 7, 8, 9, 10]] = True
    line_of = np.array([0] * 10 + [1] * 3)
    s = score(pred, gold.starts, line_of, 2)
    assert (s.gold_words, s.pred_words, s.correct) == (8, 7, 3)
    assert s.precision == pytest.approx(3 / 7) and s.recall == pytest.approx(3 / 8)
    assert s.over_merge.tolist() == [1, 1] and s.over_split.tolist() == [1, 0]
