"""A base corpus's counts join a short text's: with weight 1 the pooled table is the table of both texts
counted together; a word's count in the base matches collections.Counter over the base's n-grams; the
command writes lexicon.tsv's in_base column (0 for the text's own words) and segments the text alone."""
from collections import Counter

import numpy as np
import pytest

from engines.jobs import run
from engines.segment.base import base_counts, with_base
from engines.segment.corpus import builtin_paths
from engines.segment.counted import count_corpus
from engines.segment.gold import parse_gold
from engines.segment.lexicon import text_to_units

TEXT = ["小熵今天说最小熵原理很有意思", "小熵觉得今天的天气不错", "小熵原理就是少花比特"] * 6


@pytest.fixture(scope="module")
def base_lines():
    lines = builtin_paths("peoples-daily")[0].read_text(encoding="utf-8").splitlines()[:300]
    return [line for line in parse_gold(lines, "wordtag").raw if line]


@pytest.fixture
def files(tmp_path, base_lines):
    text, base = tmp_path / "text.txt", tmp_path / "base.txt"
    text.write_text("\n".join(TEXT) + "\n", encoding="utf-8")
    base.write_text("\n".join(base_lines) + "\n", encoding="utf-8")
    return text, base


def test_weight_one_pools_the_counts_of_both_texts(files, tmp_path):
    text, base = files
    both = tmp_path / "both.txt"
    both.write_text(base.read_text(encoding="utf-8") + text.read_text(encoding="utf-8"), encoding="utf-8")
    pooled, alone = with_base(run(count_corpus, str(text)), run(count_corpus, str(base)), 1.0)
    together = run(count_corpus, str(both)).table
    for n in range(together.max_n):
        assert np.array_equal(pooled.table.codes[n], together.codes[n])
        assert np.array_equal(pooled.table.counts[n], together.counts[n])
    assert alone.pooled is pooled and alone.n_chars == sum(map(len, TEXT)) and alone.table is pooled.table
    own = run(count_corpus, str(text))
    assert alone.bits_per_char_before() == own.bits_per_char_before()  # the text's own unigram code
    own, other = run(count_corpus, str(text)).table, run(count_corpus, str(base)).table
    half, _ = with_base(run(count_corpus, str(text)), run(count_corpus, str(base)), 0.5)
    codes = together.codes[1]  # every pair of either text: its own count plus half the base's, rounded
    want = own.lookup(2, codes) + np.rint(other.lookup(2, codes) * 0.5)
    assert np.array_equal(half.table.lookup(2, codes), want)


def test_base_counts_match_counter(files, base_lines):
    _, base = files
    table = run(count_corpus, str(base)).table
    words = ["中国", "发展", "经济", "人民", "小熵", "改革开放", "社会主义", "中华人民共和国", "熵原理比特"]
    grams = Counter(line[i:i + len(w)] for line in base_lines for w in words for i in range(len(line) - len(w) + 1)
                    if line[i:i + len(w)] == w)
    got = base_counts(*text_to_units(np.array(words)), table)
    for w, k in zip(words, got):
        if len(w) <= table.max_n:
            assert k == grams[w], w
        else:  # longer than the n counted: an upper bound, 0 when a part never occurs
            assert k >= grams[w] and (k == 0) == (w == "熵原理比特"), w
    assert got[words.index("小熵")] == 0 and got[words.index("中国")] > 0


def test_the_command_marks_the_words_new_in_the_text(files, tmp_path):
    from cli import main

    text, base = files
    out = tmp_path / "out"
    assert main(["run", "segment", "--corpus", str(text), "--base-corpus", str(base), "--base-weight", "0.5",
                 "--out", str(out)]) == 0
    rows = [line.split("\t") for line in (out / "lexicon.tsv").read_text(encoding="utf-8").splitlines()]
    assert rows[0][-1] == "in_base"
    in_base = {r[0]: int(r[-1]) for r in rows[1:]}
    assert in_base.get("小熵") == 0 and any(k > 0 for k in in_base.values())
    assert len((out / "segmented.txt").read_text(encoding="utf-8").splitlines()) == len(TEXT)
