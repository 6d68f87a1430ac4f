"""Text to units in one compiled pass (engines/segment/kernels/encoding.py) against the same rules written
with numpy array operations, on random text mixing Han characters, Chinese numerals, digits, letters, the
characters allowed inside or after a run, punctuation, spaces, line breaks and characters outside the BMP."""
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from engines.segment.units import (AFTER, ALNUM, DIGIT, INNER, LATIN, NUM, OFFSET, PUNCT, SPACE, _cnum_mask,
                                   class_table, encode)

ALPHABET = "我们爱北京一二三十百万两〇年月日 ，。！？—…1２3456abcＤＥ.．/:：,，%％‰\t\n\u3000𠀀𝔘·"


def _shifted(values: np.ndarray, first) -> np.ndarray:
    out = np.empty_like(values)
    out[:1] = first
    out[1:] = values[:-1]
    return out


def vectorised(text: str, cnum: bool):
    """The rules of engines.segment.units over whole arrays: (units, offsets, forced, spaces)."""
    cp = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), np.uint32).astype(np.int32)
    cls = class_table()[cp]
    isal = (cls == DIGIT) | (cls == LATIN)
    pal = _shifted(isal, False)
    inner = (cls == INNER) & pal
    inner[:-1] &= isal[1:]
    inner[-1:] = False
    after = (cls == AFTER) & pal
    cls[((cls == INNER) & ~inner) | ((cls == AFTER) & ~after)] = PUNCT
    run = isal | inner | after
    digitish = (cls == DIGIT) | inner | after
    if cnum:
        iscn = _cnum_mask()[np.minimum(cp, 0xFFFF)] & (cp <= 0xFFFF) & ~run
        cnrun = iscn & (_shifted(iscn, False) | np.r_[iscn[1:], False])
        run |= cnrun
        digitish |= cnrun
    nonunit = ((cls == PUNCT) | (cls == SPACE)) & ~run
    run_start = run & ~_shifted(run, False)
    han = ~run & ~nonunit
    pos = np.flatnonzero(han | run_start | (nonunit & ~_shifted(nonunit, False)))
    units = cp[pos].astype(np.int64) + OFFSET
    units[~han[pos]] = 0
    if run_start.any():
        run_id = np.cumsum(run_start) - 1
        letters = np.bincount(run_id[run & ~digitish], minlength=int(run_id[-1]) + 1)
        units[run_start[pos]] = np.where(letters > 0, ALNUM, NUM)
    forced = (cls == PUNCT) & ~run
    forced[1:] &= (cls[:-1] != PUNCT) | (cp[:-1] != cp[1:]) | run[:-1]
    return units, pos, forced, (cls == SPACE) & ~run


@settings(max_examples=150, deadline=None)
@given(text=st.text(alphabet=ALPHABET, max_size=80), cnum=st.booleans())
def test_units_follow_the_rules_written_over_arrays(text, cnum):
    enc = encode(text, cnum=cnum)
    expected = vectorised(text, cnum)
    for got, want in zip((enc.units, enc.offsets, enc.forced, enc.spaces), expected):
        assert got.tolist() == want.tolist()
