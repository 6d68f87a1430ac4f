"""The number convention and the learned surnames, on small texts whose statistics are known."""
import numpy as np

from engines.segment.counting import count_units
from engines.segment.lexicon import text_to_units
from engines.segment.names import find_names
from engines.segment.numbers import number_measure_words, numeral_diversity
from engines.segment.units import NUM, OFFSET, encode


def _table(text: str, max_n: int = 3):
    return count_units(encode(text).units, max_n)


def _rows(words: list[str]):
    rows, lens = text_to_units(np.array(words))
    return rows, lens


def test_measure_words_are_split_from_numbers_but_dates_join():
    text = "一种，两种，三种，五种，一些，一些，一定，一定，３个，１９９８年，１２月，十五，十五，两万，两万。" * 3
    table = _table(text)
    assert list(numeral_diversity(np.array([ord("种") + OFFSET, ord("些") + OFFSET]), table)) == [4, 1]
    words = ["一种", "两种", "一些", "一定", "\ue000个", "\ue000年", "\ue000月", "十五", "两万", "种"]
    rows, lens = _rows(words)
    assert rows[4, 0] == NUM
    drop = number_measure_words(rows, lens, table)
    assert [w for w, d in zip(words, drop) if d] == ["一种", "两种", "\ue000个"]


def test_surnames_are_learned_from_bound_three_character_words():
    names = ["张宝军", "张东波", "张万年", "张小明", "张建华", "张志强", "李红光", "李国华", "李晓东", "李文学",
             "李长春", "李振宇"]
    compounds = ["大学生", "大使馆", "大会堂", "大多数", "大规模", "大部分"]
    text = "，".join(names * 3 + compounds * 3 + ["学生", "大使", "会堂", "多数", "规模", "部分"] * 10) + "。"
    table = _table(text)
    words = names + compounds
    rows, lens = _rows(words)
    counts = np.full(len(words), 3)
    found = find_names(rows, lens, counts, table)
    smaller = find_names(rows, lens, counts, table, min_count=3)  # the words' counts: rarer pairs read 0
    assert all(np.array_equal(getattr(found, f), getattr(smaller, f)) for f in ("words", "surnames", "given"))
    assert sorted(chr(u - OFFSET) for u in found.surnames) == ["张", "李"]
    assert sorted(words[i] for i in found.words) == sorted(names)
    given = ["".join(chr(u - OFFSET) for u in row) for row in found.given]
    assert sorted(given) == sorted(n[1:] for n in names)
    # with fewer than min_words bound words per first character nothing is learned
    assert find_names(rows[:4], lens[:4], counts[:4], table).words.size == 0
