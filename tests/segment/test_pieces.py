"""Half words and cross-boundary pieces (engines.segment.pieces) checked against plain Python counting: the
extension shares against substring counts of the text, the minimum-entropy saving of two-unit words
against its closed form ln(T·n(ab)/(n(a)·n(b))) with the counts of the segmented text."""
import math

import numpy as np
import torch

from engines.segment.counting import count_units
from engines.segment.hashindex import HashIndex
from engines.segment.lexicon import Lexicon, units_to_text, word_codes
from engines.segment.pieces import MIN_SAVING, extension_shares, unfit_pieces
from engines.segment.units import OFFSET, encode

LINES = ["细水长流，细水长流不息", "细水长存", "它的光，它的水长", "水长细水长流"]
WORDS = ["细水长流", "细水长", "水长", "它的", "不息"]


def unit_rows(words: list[str]) -> np.ndarray:
    width = max(map(len, words))
    return np.array([[ord(ch) + OFFSET for ch in w] + [0] * (width - len(w)) for w in words], np.int64)


def test_extension_shares_match_substring_counts():
    units = encode("\n".join(LINES) + "\n").units.astype(np.int64)
    text = "".join(chr(u - OFFSET) if u > 0 else "|" for u in units)
    table = count_units(torch.from_numpy(units), 4)
    lexicon = HashIndex(word_codes(unit_rows(WORDS)))
    # a segmentation: every occurrence of 细水长 / 水长 / 它的 is a word, the rest single units
    starts = np.zeros(len(units), bool)
    starts[units > 0] = True
    used = []
    for word in ("细水长", "水长", "它的"):
        for k in range(len(text)):
            if text.startswith(word, k) and starts[k] and all(starts[k + 1:k + len(word)]):
                starts[k + 1:k + len(word)] = False
                used.append((word, k))
    codes, shares = extension_shares(units, starts, table, lexicon, max_len=6)

    def n(s: str) -> int:  # occurrences (overlapping) within lines
        return sum(1 for k in range(len(text)) if text.startswith(s, k))

    expected = {}
    for word, k in used:
        ext = [e for e in (text[k - 1:k + len(word)] if k else "", text[k:k + len(word) + 1]) if e in WORDS]
        share = max((n(e) / n(word) for e in ext), default=0.0)
        expected[word] = max(expected.get(word, 0.0), share)
    got = dict(zip(word_codes(unit_rows(list(expected))).tolist(), [None] * len(expected)))
    got.update(dict(zip(codes.tolist(), shares.tolist())))
    assert list(got.values()) == [expected[w] for w in expected]
    assert expected["细水长"] == 3 / 4 and expected["水长"] == 0.0  # 细水长流 holds 3 of 4; 水长 is in no lexicon word


def test_the_saving_of_two_unit_words_is_their_pmi_in_the_output():
    words = ["它", "的", "光", "水", "它的", "光水"]
    rows = unit_rows(words)
    order = np.argsort(word_codes(rows))
    uses = np.array([40, 900, 30, 50, 35, 40])[order]
    texts = units_to_text(rows[order])
    lexicon = Lexicon(torch.from_numpy(word_codes(rows)[order]), torch.from_numpy(uses), torch.from_numpy(
        (rows[order] > 0).sum(1)), texts.tolist(), torch.zeros(len(words), dtype=torch.float64))
    total = uses.sum()
    mask = unfit_pieces(lexicon, uses, (np.zeros(0, np.int64), np.zeros(0)))
    for i, w in enumerate(np.array(words)[order]):
        if len(w) == 1:
            assert not mask[i]
            continue
        a, b = (int(uses[list(np.array(words)[order]).index(ch)]) for ch in w)
        saving = math.log(total * uses[i] / (a * b))
        assert mask[i] == (saving < MIN_SAVING), (w, saving)
    # 它的 saves ln(1095·35/(40·900)) = 0.06 nats, 光水 ln(1095·40/(30·50)) = 3.37
    assert [w for w, m in zip(np.array(words)[order], mask) if m] == ["它的"]
