"""Templates and parses of a segmented corpus (the step after the lexicon): the job the segmentation panel
and ``workbench run segment --templates`` share, and the lines of templates.tsv and parses.txt.

:func:`templates_job` reads segmented lines (a ``segmented.txt`` path, or word lists such as the panel's
sample), finds their templates (:mod:`engines.segment.templates`) and, given ``write_parse``, hands it each
line's bracketed parse tree in input order (:mod:`engines.segment.parses`).
"""
from __future__ import annotations

import contextlib
import itertools
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterator, Optional, Sequence, Union

if TYPE_CHECKING:  # the engines load numpy: the job imports them when it runs
    from engines.segment.templates import Template, TemplateParams, TemplateResult

TEMPLATE_COLUMNS = ("template", "count", "bits_saved")  # templates.tsv

Source = Union[str, Path, Sequence[Sequence[str]]]


@dataclass
class Templates:
    """Found templates, the finder's result (its stream and matches, for parsing again) and seconds."""

    result: TemplateResult
    seconds: float = 0.0
    timings: dict = field(default_factory=dict)

    @property
    def templates(self) -> list[Template]:
        return self.result.templates

    def metrics(self) -> dict:
        """What metrics.json holds of the templates."""
        r = self.result
        return {"templates": len(r.templates), "bits_per_char_words": r.bits_words,
                "bits_per_char_templates": r.bits_templates, "lines_parsed": r.stream.n_lines,
                "truncated": r.stream.truncated, "seconds": self.seconds}


def templates_job(reporter, source: Source, params: Optional[TemplateParams] = None,
                  write_parse: Optional[Callable[[str], None]] = None) -> Templates:
    """Job: the templates of ``source`` (a segmented.txt path or word lists); ``write_parse`` receives one
    bracketed tree per line of the source, in order (lines past the finder's token cap as they are)."""
    from engines.segment.parses import parse_lines
    from engines.segment.templates import find_templates

    t0 = time.perf_counter()
    with _lines(source) as lines:
        result = find_templates(reporter, lines, params)
    t1 = time.perf_counter()
    if write_parse is not None:
        total = max(result.stream.n_lines, 1)
        for k, tree in enumerate(parse_lines(reporter, result)):
            if k % 500 == 0:
                reporter.progress(k / total, f"parsing: {k:,} of {total:,} lines")
            write_parse(tree.bracketed())
        if result.stream.truncated:
            with _lines(source) as lines:
                for line in itertools.islice(lines, result.stream.n_lines, None):
                    write_parse(line.strip() if isinstance(line, str) else " ".join(line))
    t2 = time.perf_counter()
    return Templates(result, t2 - t0, {"templates_s": t1 - t0, "parses_s": t2 - t1})


@contextlib.contextmanager
def _lines(source: Source) -> Iterator[Iterator]:
    """The source's lines: a file opened (and closed after) or the word lists themselves."""
    if isinstance(source, (str, Path)):
        with open(source, encoding="utf-8") as handle:
            yield iter(handle)
    else:
        yield iter(source)


def template_lines(templates: list[Template]) -> Iterator[str]:
    """templates.tsv: a header, then one line per template (most bits saved first): its pattern (slots
    X, Y), its uses and the bits it saves."""
    yield "\t".join(TEMPLATE_COLUMNS)
    for t in templates:
        yield f"{t.pattern}\t{t.count}\t{t.bits_saved:.1f}"
