"""A line longer than the piece size: read in pieces cut where the result cannot change, and written to a
file piece by piece, with the output of the same line read whole."""
import io

import pytest

from engines.jobs import run
from engines.segment import corpus
from engines.segment.corpus import builtin_paths
from engines.segment.counted import LineWriter
from engines.segment.gold import parse_gold
from engines.segment.pipeline import run_segmentation


class Parts(LineWriter):
    """A LineWriter that also counts the parts it was handed (calls with end="")."""

    parts = 0

    def __call__(self, text, end="\n"):
        self.parts += end == ""
        super().__call__(text, end)


@pytest.fixture(scope="module")
def long_line(tmp_path_factory):
    lines = parse_gold(builtin_paths("peoples-daily")[0].read_text(encoding="utf-8").splitlines()[:700], "wordtag").raw
    path = tmp_path_factory.mktemp("long") / "long.txt"
    # one ~60,000-character line between two short ones; 「 」 before a Han character is no safe cut
    path.write_text("开头一行。\n" + "".join(lines).replace("“", "「") + "\n最后一行。\n", encoding="utf-8")
    return path


def _segment(path, writer):
    done = run(run_segmentation, str(path), write_line=writer)
    return [(row.word, row.count, row.candidates) for row in done.lexicon.rows()], done.counted.table.distinct()


def test_pieces_cut_at_safe_places_give_the_whole_line_result(long_line, monkeypatch):
    whole = io.StringIO()
    reference = _segment(long_line, LineWriter(whole))
    monkeypatch.setattr(corpus, "PIECE_CHARS", 2000)
    monkeypatch.setattr(corpus, "CHUNK_BYTES", 4096)
    pieces = io.StringIO()
    writer = Parts(pieces)
    got = _segment(long_line, writer)
    assert writer.parts > 10  # the long line came in pieces, each written as it came
    assert pieces.getvalue() == whole.getvalue() and len(whole.getvalue().splitlines()) == 3
    assert got == reference  # the same counts and lexicon


def test_a_cut_lands_after_punctuation_or_space_before_a_han_character():
    text = "我们，走吧。ab 3.5 好" + "x" * 10
    at = corpus._safe_cut(text, len(text) - 10)
    assert text[:at].endswith(" ") and text[at] == "好"
    assert corpus._safe_cut("abc,def", 7) == 7  # none: the piece ends where it must
