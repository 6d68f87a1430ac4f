"""Gold parsing over code points against the same parse written with regular expressions and str methods."""
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from engines.segment.gold import parse_gold

TAG = re.compile(r"/[A-Za-z]{1,5}(?=\s|$)")
SPACES = re.compile(r"[ \t\u3000]+")


def regex_parse(lines: list[str], fmt: str) -> tuple[list[str], list[bool]]:
    """Raw lines and word starts: tags removed by ``re``, word boundaries read off ``str.split``."""
    raw, starts = [], []
    for line in lines:
        text = line.rstrip("\r\n")
        if fmt == "wordtag":
            text = TAG.sub("", text)
        words = [w for w in SPACES.split(text) if w]
        raw.append("".join(words))
        starts += [k == 0 for w in words for k in range(len(w))]
    return raw, starts


TRICKY = ["/", "a", "Z", "n", "vn", "/nr", " ", "\t", "\u3000", "\xa0", "\x0b", "\r", "迈", "向", "１", "@",
          "[", "`", "{", "\u2028"]


@settings(max_examples=300, deadline=None)
@given(lines=st.lists(st.lists(st.sampled_from(TRICKY), max_size=30).map("".join), max_size=8),
       fmt=st.sampled_from(["wordtag", "spaces"]))
def test_parse_gold_matches_the_regex_parse(lines, fmt):
    parsed = parse_gold(lines, fmt)
    raw, starts = regex_parse(lines, fmt)
    assert parsed.raw == raw
    assert parsed.starts.tolist() == starts


def test_people_daily_tokens():
    parsed = parse_gold(["19980101-01-001-001/m  迈向/v  充满/v  希望/n  的/u  新/a  世纪/n", "",
                         "江/nr  泽民/nr\u3000ＣＤ/nx", "a/b/c  x/abcdef"], "wordtag")
    assert parsed.raw == ["19980101-01-001-001迈向充满希望的新世纪", "", "江泽民ＣＤ", "a/bx/abcdef"]
