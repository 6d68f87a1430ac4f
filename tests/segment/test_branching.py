"""Branching entropy (Jin & Tanaka-Ishii 2006) of every n-gram seen twice or more matches scipy's entropy of
its neighbours counted with collections.Counter (an end: a neighbour of its own), and the three boundary
statistics build lexicons from the same cached counts."""
import random
from collections import Counter

import numpy as np
import pytest
from scipy.stats import entropy

from engines.errors import InputError
from engines.jobs import run
from engines.segment import corpus
from engines.segment.branching import branching_at, branching_entropy, branching_of
from engines.segment.build import build_lexicon
from engines.segment.catalogue import STATISTICS
from engines.segment.counted import count_corpus
from engines.segment.counting import ngram_codes
from engines.segment.params import SegmentParams
from engines.segment.segmenting import segment_corpus
from engines.segment.units import encode


def neighbour_entropy(clauses: list[str], w: str, side: int) -> float:
    """Entropy of the unit after (side 1) or before (side -1) each occurrence of w; each end is unique."""
    seen: Counter = Counter()
    ends = 0
    for clause in clauses:
        for i in range(len(clause) - len(w) + 1):
            if clause[i:i + len(w)] == w:
                j = i + len(w) if side == 1 else i - 1
                if 0 <= j < len(clause):
                    seen[clause[j]] += 1
                else:
                    ends += 1
    return float(entropy(list(seen.values()) + [1] * ends))


@pytest.mark.parametrize("seed", [0, 1])
def test_branching_entropy_matches_scipy(tmp_path, seed):
    rng = random.Random(seed)
    lines = ["".join(rng.choice("甲乙乙丙丁戊，") for _ in range(rng.randint(5, 40))) for _ in range(120)]
    path = tmp_path / "t.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    counted = run(count_corpus, str(path), max_n=3)
    branching = run(branching_of, counted)
    clauses = [c for line in lines for c in line.split("，") if c]
    checked = 0
    for n in (1, 2, 3):
        grams = Counter(c[i:i + n] for c in clauses for i in range(len(c) - n + 1))
        for w, k in grams.items():
            code = ngram_codes(encode(w).units, n)[n - 1][:1]
            left, right = branching.lookup(n, code)
            want = (neighbour_entropy(clauses, w, -1), neighbour_entropy(clauses, w, 1)) if k >= 2 else (0.0, 0.0)
            assert np.allclose([left[0], right[0]], want, atol=1e-9), (w, left, right, want)
            checked += k >= 2
    assert checked > 50
    assert set(branching.moments) == {2, 3} and all(np.isfinite(m).all() for m in branching.moments.values())


def test_statistics_rebuild_from_cached_counts():
    counted = run(count_corpus, "peoples-daily", "peoples-daily", max_lines=400)
    sizes = {}
    for statistic in STATISTICS.names:
        sizes[statistic] = len(run(build_lexicon, counted, SegmentParams(statistic=statistic)))
        assert (counted.branching is None) == (statistic == "pmi")
    assert len(set(sizes.values())) == 3, sizes  # each statistic finds another lexicon


def test_branching_entropy_stops_at_its_memory_budget(tmp_path, monkeypatch):
    """The neighbours of every n, merged every few chunks, are held to the counting budget."""
    monkeypatch.setattr(corpus, "CHUNK_BYTES", 4096)
    rng = random.Random(2)
    path = tmp_path / "t.txt"
    path.write_text("".join("".join(rng.choice("甲乙丙丁戊己庚辛，") for _ in range(30)) + "\n" for _ in range(2000)),
                    encoding="utf-8")
    counted = run(count_corpus, str(path), max_n=3)
    assert len(counted.chunks) >= 8
    with pytest.raises(InputError, match="counting budget of 0 MiB"):
        run(branching_entropy, counted, memory_budget=10_000)
    table = counted.table
    assert np.array_equal(run(branching_entropy, counted, memory_budget=1 << 30).codes[2], table.codes[2][table.counts[2] >= 2])


@pytest.mark.parametrize("seed", [0, 1])
def test_the_entropies_of_some_ngrams_are_those_of_the_whole_table(tmp_path, seed):
    """branching_at adds the same terms in the same order: equal bit for bit, seen-once n-grams read 0."""
    rng = random.Random(seed)
    path = tmp_path / "t.txt"
    path.write_text("".join("".join(rng.choice("甲乙乙丙丁戊，") for _ in range(rng.randint(5, 40))) + "\n"
                            for _ in range(300)), encoding="utf-8")
    counted = run(count_corpus, str(path), max_n=3)
    whole = run(branching_entropy, counted)
    table = counted.table
    wanted = [np.r_[codes[::3], codes[:5], 12345] for codes in table.codes]  # some seen once, a repeat, an unseen
    some = run(branching_at, counted, wanted)
    for n in (1, 2, 3):
        assert np.array_equal(some.lookup(n, wanted[n - 1])[0], whole.lookup(n, wanted[n - 1])[0])
        assert np.array_equal(some.lookup(n, wanted[n - 1])[1], whole.lookup(n, wanted[n - 1])[1])
    assert sum(int((whole.lookup(n, wanted[n - 1])[1] > 0).sum()) for n in (1, 2, 3)) > 50


def test_the_lines_on_screen_show_the_entropies_of_the_whole_table():
    counted = run(count_corpus, "peoples-daily", "peoples-daily", max_lines=1500)
    params = SegmentParams()
    lexicon = run(build_lexicon, counted, params)
    quick = run(segment_corpus, counted, lexicon, params, display_lines=150)
    assert counted.branching is None  # the gaps' n-grams only
    run(branching_of, counted)
    whole = run(segment_corpus, counted, lexicon, params, display_lines=150)
    assert len(quick.lines) == 150 and [line.entropies for line in quick.lines] == [line.entropies for line in whole.lines]
    assert sum(e is not None and e[0] > 0 for line in whole.lines for e in line.entropies) > 500
