"""The lexicon table's sort and search (tasks.lexicon_view), checked against Python's own ``sorted`` and
``re``: every column in both directions, stable ties, the new-words filter, and any search text either
arranges or is refused with a sentence."""
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engines.errors import InputError
from engines.segment.lexicon import LexiconRow
from tasks.lexicon_view import FIELDS, MAX_PATTERN, Arrangement, LexiconColumns, arrange, arrange_job
from tasks.runner import run

ROWS = [
    LexiconRow("中国", "", 3456, 1489, 3.21, 2, False),
    LexiconRow("#年", "number", 3986, 3986, 3.11, 2, False),
    LexiconRow("中共中央", "", 120, 131, float("inf"), 4, False),
    LexiconRow("兰红", "", 7, 9, 5.5, 2, True),
    LexiconRow("@手机", "latin", 7, 4, 2.0, 3, True),
    LexiconRow("国家", "", 937, 700, 3.51, 2, False),
    LexiconRow("中国", "", 3, 3, 1.0, 2, True),  # a duplicate word: ties keep the lexicon's order
]


def reference(rows, how: Arrangement) -> list[int]:
    keep = [i for i, r in enumerate(rows) if (not how.only_new or r.new)
            and (not how.pattern or re.search(how.pattern, r.word))]
    # sorted() is stable; reverse=True keeps ties in order too
    return sorted(keep, key=lambda i: getattr(rows[i], how.sort_by), reverse=how.descending)


@pytest.mark.parametrize("sort_by", FIELDS)
@pytest.mark.parametrize("descending", [False, True])
def test_sorting_every_column_matches_python(sort_by, descending):
    columns = LexiconColumns.from_rows(ROWS)
    how = Arrangement(sort_by, descending)
    assert arrange(columns, how).tolist() == reference(ROWS, how)


@pytest.mark.parametrize("pattern,only_new", [("^中", False), ("国$", False), ("^#", False), ("中", True),
                                              ("", True), ("x", False)])
def test_search_and_new_words_filter(pattern, only_new):
    columns = LexiconColumns.from_rows(ROWS)
    how = Arrangement("count", True, pattern, only_new)
    assert arrange(columns, how).tolist() == reference(ROWS, how)


def test_the_job_builds_columns_once_and_reuses_them():
    done = run(arrange_job, ROWS, None, Arrangement())
    assert [ROWS[i].count for i in done.order] == sorted((r.count for r in ROWS), reverse=True)
    again = run(arrange_job, ROWS, done.columns, Arrangement("word", False))
    assert again.columns is done.columns
    assert [ROWS[i].word for i in again.order] == sorted(r.word for r in ROWS)


def test_an_empty_lexicon_arranges_to_nothing():
    assert arrange(LexiconColumns.from_rows([]), Arrangement("word", False, "中")).tolist() == []


def test_bad_searches_are_sentences():
    columns = LexiconColumns.from_rows(ROWS)
    with pytest.raises(InputError, match="not a regular expression"):
        arrange(columns, Arrangement(pattern="中("))
    with pytest.raises(InputError, match=f"at most {MAX_PATTERN}"):
        arrange(columns, Arrangement(pattern="a" * (MAX_PATTERN + 1)))
    with pytest.raises(InputError, match="sort by one of"):
        arrange(columns, Arrangement(sort_by="frequency"))


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40))
def test_any_search_text_arranges_or_is_refused(pattern):
    columns = LexiconColumns.from_rows(ROWS)
    try:
        order = arrange(columns, Arrangement(pattern=pattern))
    except InputError as exc:
        assert str(exc).startswith("search: ")
    else:
        assert set(order.tolist()) <= set(range(len(ROWS)))
