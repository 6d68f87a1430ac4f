"""Segmentation: learn a lexicon from raw Chinese text, segment it and score it; the jobs the panel and
``workbench run segment`` share.

:func:`discover_job` counts a corpus, builds the lexicon and segments every line (what the panel shows
first; :func:`run_job`, the headless run, is the same job plus its metrics); :func:`resegment_job` redoes
the last two steps from the cached counts with new settings; :func:`sweep_job` traces F1 and the lexicon's
size against the pair threshold under each boundary statistic; :func:`jieba_job` runs the supervised baseline on the same lines. Every
job resolves the device preference it is given once, inside the job.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Callable, Iterator, Optional

from engines.segment.params import SegmentParams

if TYPE_CHECKING:  # the engines load numpy: the jobs import them when they run
    from engines.segment.counted import Counted
    from engines.segment.lexicon import Lexicon, LexiconRow
    from engines.segment.reference import Baseline
    from engines.segment.segmenting import SegmentResult
    from tasks.clustering import Words

DISPLAY_LINES = 150  # lines the panel shows with their gap statistics
SAMPLE_LINES = 6000  # lines whose words are sent to the clustering panel
SWEEP = (-1.0, 0.0, 0.8, 1.6, 2.5, 3.5)  # pair thresholds of the sweep
LEXICON_COLUMNS = ("word", "count", "candidates", "score", "class")  # lexicon.tsv


@dataclass(frozen=True)
class SegmentRequest:
    """What to segment and how: a corpus (a built-in name or a path), its gold segmentation (optional),
    the settings, how many lines to read (None: all), counting processes, the device preference, the Dask
    scheduler to run on (None: this machine) and a base corpus whose counts, times ``base_weight``, join the
    text's (a built-in name or a path; None: none)."""

    corpus: str
    gold: Optional[str] = None
    params: SegmentParams = field(default_factory=SegmentParams)
    max_lines: Optional[int] = None
    workers: int = 1
    device: str = "cpu"
    scheduler: Optional[str] = None  # local:N or tcp://HOST:PORT: run on a Dask cluster (None: here)
    base_corpus: Optional[str] = None
    base_weight: float = 1.0


@dataclass
class Segmentation:
    """A segmented corpus: the cached counts, the lexicon, the segmentation and its scores, the lexicon's
    rows as users read them (new words marked against the reference dictionary) and the step timings."""

    counted: Counted
    lexicon: Lexicon
    result: SegmentResult
    params: SegmentParams
    reference: Optional[set[str]]
    rows: list[LexiconRow] = field(default_factory=list)
    timings: dict = field(default_factory=dict)

    def words(self) -> Words:
        """The segmented sample lines, for the clustering panel's word graph."""
        from tasks.clustering import Words

        return Words(name=self.counted.name, lines=self.result.sample)


def discover_job(reporter, request: SegmentRequest, display_lines: int = DISPLAY_LINES,
                 sample_lines: int = SAMPLE_LINES,
                 write_line: Optional[Callable[[str], None]] = None, with_reference: bool = True) -> Segmentation:
    """Job: count the corpus, build the lexicon, segment and score every line (``write_line`` receives
    each segmented line); ``with_reference`` reads jieba's dictionary (new words, OOV recall)."""
    from engines.segment.counting import resolve_device
    from engines.segment.pipeline import run_segmentation
    from engines.segment.reference import reference_dictionary

    device = resolve_device(request.device)
    reference = None
    if with_reference:
        reporter.progress(None, "loading the reference dictionary")
        reference = reference_dictionary(reporter.check)
    done = run_segmentation(reporter, request.corpus, request.gold, request.params, write_line, display_lines,
                            request.max_lines, reference, request.workers, device, sample_lines,
                            request.scheduler, request.base_corpus, request.base_weight)
    return Segmentation(done.counted, done.lexicon, done.result, request.params, reference,
                        done.lexicon.rows(reference=reference, base=done.counted.base), done.timings)


def resegment_job(reporter, previous: Segmentation, params: SegmentParams, display_lines: int = DISPLAY_LINES,
                  sample_lines: int = SAMPLE_LINES) -> Segmentation:
    """Job: new settings: rebuild the lexicon from the cached counts and segment again (no recounting)."""
    from engines.segment.build import build_lexicon
    from engines.segment.segmenting import segment_corpus

    t0 = time.perf_counter()
    lexicon = build_lexicon(reporter, previous.counted, params)
    t1 = time.perf_counter()
    result = segment_corpus(reporter, previous.counted, lexicon, params, display_lines=display_lines,
                            reference=previous.reference, sample_lines=sample_lines)
    t2 = time.perf_counter()
    return Segmentation(previous.counted, result.lexicon, result, params, previous.reference,
                        result.lexicon.rows(reference=previous.reference, base=previous.counted.base),
                        {"lexicon_s": t1 - t0, "segment_s": t2 - t1})


@dataclass
class Sweep:
    """F1 (NaN without gold) and the lexicon's size at each pair threshold and boundary statistic tried so far."""

    thresholds: list = field(default_factory=list)
    f1: list = field(default_factory=list)
    sizes: list = field(default_factory=list)
    statistics: list = field(default_factory=list)


def sweep_job(reporter, segmentation: Segmentation, thresholds: tuple[float, ...] = SWEEP,
              statistics: tuple[str, ...] | None = None) -> Sweep:
    """Job: F1 and lexicon size for several pair thresholds under each boundary statistic (``statistics``,
    default: every one, that of ``segmentation`` first), the other settings those of ``segmentation``
    (streams the sweep so far as partial results)."""
    from engines.segment.build import build_lexicon
    from engines.segment.catalogue import STATISTICS
    from engines.segment.segmenting import segment_corpus

    own = segmentation.params.statistic
    statistics = statistics or (own, *(s for s in STATISTICS.names if s != own))
    done = Sweep()
    points = [(s, t) for s in statistics for t in thresholds]
    for k, (statistic, t) in enumerate(points):
        reporter.progress(k / len(points), f"{statistic}, threshold {t:g}")
        params = segmentation.params.with_values({"threshold_2": t, "statistic": statistic})
        lexicon = build_lexicon(reporter, segmentation.counted, params)
        result = segment_corpus(reporter, segmentation.counted, lexicon, params)
        done.thresholds.append(t)
        done.f1.append(result.scores.f1 if result.scores is not None else float("nan"))
        done.sizes.append(result.lexicon_size)
        done.statistics.append(statistic)
        reporter.partial(replace(done, thresholds=list(done.thresholds), f1=list(done.f1), sizes=list(done.sizes),
                                 statistics=list(done.statistics)))
    return done


def jieba_job(reporter, segmentation: Segmentation) -> Baseline:
    """Job: jieba on the same lines: its scores (when there is gold) and seconds."""
    from engines.segment.reference import jieba_baseline

    return jieba_baseline(reporter, segmentation.counted, reference=segmentation.reference)


@dataclass
class Report:
    """A headless run: the segmentation and its metrics (what metrics.json holds)."""

    segmentation: Segmentation
    metrics: dict


def run_job(reporter, request: SegmentRequest, write_line: Optional[Callable[[str], None]] = None,
        with_jieba: bool = False) -> Report:
    """Job: the headless run: segment every line (to ``write_line``), score, and, with ``with_jieba``,
    run jieba on the same lines; the metrics include the timings and what was read. The reference
    dictionary is read only with gold (its OOV recall): no output without gold depends on it."""
    segmentation = discover_job(reporter, request, display_lines=0, sample_lines=0, write_line=write_line,
                                with_reference=request.gold is not None)
    counted = segmentation.counted
    metrics = segmentation.result.metrics()
    metrics["timings"] = dict(segmentation.timings)
    metrics["corpus"] = {"name": counted.name, **counted.stats.as_dict(), "characters": counted.n_chars}
    if with_jieba:
        baseline = jieba_job(reporter, segmentation)
        metrics["jieba"] = {"seconds": baseline.seconds,
                            **(baseline.scores.as_dict() if baseline.scores is not None else {})}
        metrics["timings"]["jieba_s"] = baseline.seconds
    return Report(segmentation, metrics)


def lexicon_lines(rows: list[LexiconRow]) -> Iterator[str]:
    """lexicon.tsv: a header, then one tab-separated line per word (the class notation of
    engines.segment.catalogue.CLASS_NOTATION, never internal markers): its count in segmented.txt, its
    count as a candidate piece of the cut pass, its min-PMI score and its class; with a base corpus, how
    often the base corpus writes it (``in_base``; 0: a word new in this text)."""
    based = bool(rows) and rows[0].in_base >= 0
    yield "\t".join((*LEXICON_COLUMNS, "in_base") if based else LEXICON_COLUMNS)
    for row in rows:
        tail = f"\t{row.in_base}" if based else ""
        yield f"{row.word}\t{row.count}\t{row.candidates}\t{row.score:.4f}\t{row.unit_class}{tail}"
