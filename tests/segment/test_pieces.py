"""Half words and cross-boundary pieces (engines.segment.pieces) checked against plain Python counting: the
half words against substring counts of the text, the minimum-entropy saving of two-unit words against its
closed form ln(T·n(ab)/(n(a)·n(b))) with the counts of the segmented text."""
import math

import numpy as np

from engines.segment.counting import count_units
from engines.segment.lexicon import Lexicon, units_to_text, word_codes
from engines.segment.pieces import HALF_SHARE, MIN_SAVING, half_words, unfit_pieces
from engines.segment.units import OFFSET, encode

LINES = ["细水长流，细水长流不息", "水长，它的光", "细水长流", "它的水长"]
WORDS = ["细水长流", "细水长", "水长", "它的", "不息", "流不息"]


def unit_rows(words: list[str]) -> np.ndarray:
    width = max(map(len, words))
    return np.array([[ord(ch) + OFFSET for ch in w] + [0] * (width - len(w)) for w in words], np.int64)


def lexicon_of(words: list[str], counts: list[int]) -> tuple[Lexicon, list[str], np.ndarray]:
    """A lexicon of ``words`` (sorted by code, as built) with the words and counts in its order."""
    rows = unit_rows(words)
    order = np.argsort(word_codes(rows))
    counts = np.asarray(counts)[order]
    lexicon = Lexicon(word_codes(rows)[order], counts, (rows[order] > 0).sum(1), units_to_text(rows[order]).tolist(),
                      np.zeros(len(words)))
    return lexicon, [words[i] for i in order], counts


def test_half_words_match_substring_counts():
    units = encode("\n".join(LINES) + "\n").units.astype(np.int64)
    table = count_units(units, 4)
    lexicon, words, _ = lexicon_of(WORDS, [1] * len(WORDS))

    def n(s: str) -> int:  # occurrences (overlapping) within lines
        return sum(line[k:].startswith(s) for line in LINES for k in range(len(line)))

    share = {w: max((n(e) / n(w) for e in WORDS if len(e) == len(w) + 1 <= 4 and (e.startswith(w) or e.endswith(w))),
                    default=0.0) for w in words}
    assert share["细水长"] == 1.0 and share["水长"] == 0.6 and share["不息"] == 1.0  # 流不息 holds every 不息
    assert half_words(lexicon, table).tolist() == [share[w] >= HALF_SHARE for w in words]


def test_the_saving_of_two_unit_words_is_their_pmi_in_the_output():
    lexicon, words, uses = lexicon_of(["它", "的", "光", "水", "它的", "光水"], [40, 900, 30, 50, 35, 40])
    total = uses.sum()
    mask = unfit_pieces(lexicon, uses, np.zeros(len(words), bool))
    for i, w in enumerate(words):
        if len(w) == 1:
            assert not mask[i]
            continue
        a, b = (int(uses[words.index(ch)]) for ch in w)
        saving = math.log(total * uses[i] / (a * b))
        assert mask[i] == (saving < MIN_SAVING), (w, saving)
    # 它的 saves ln(1095·35/(40·900)) = 0.06 nats, 光水 ln(1095·40/(30·50)) = 3.37
    assert [w for w, m in zip(words, mask) if m] == ["它的"]
