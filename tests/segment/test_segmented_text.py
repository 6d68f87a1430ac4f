"""A chunk's segmented text from the one-pass kernel (Chunk.segmented) against the lines the display joins
(evaluate.join_lines over the characters' word starts), on random text with spaces, punctuation, digits,
empty lines and characters outside the BMP."""
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from engines.segment.counted import _chunk
from engines.segment.evaluate import join_lines

ALPHABET = "我们爱北京和平今天 ，。！1２3.5%abcＣ\t\u3000𠀀"
lines_strategy = st.lists(st.text(alphabet=ALPHABET, max_size=30), min_size=1, max_size=8)


@settings(max_examples=80, deadline=None)
@given(lines=lines_strategy, seed=st.integers(0, 2 ** 32 - 1))
def test_the_segmented_text_is_the_joined_lines(lines, seed):
    chunk = _chunk(lines, None, False, 0, False, True)
    ws = np.random.default_rng(seed).random(chunk.units.size) < 0.5
    text, words = chunk.segmented(ws)
    pred, line_of = chunk.char_starts(ws), chunk.line_of()
    new_line = np.r_[True, line_of[1:] != line_of[:-1]] if len(line_of) else np.zeros(0, bool)
    expected = join_lines(chunk.enc.cp[~chunk.enc.spaces], pred, line_of, chunk.n_lines)
    assert text == "".join(line + "\n" for line in expected)
    assert words == int((pred | new_line).sum())
