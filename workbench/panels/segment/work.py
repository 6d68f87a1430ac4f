"""The panel's jobs (top-level functions, so they can also run in a subprocess) and their results."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

DISPLAY_LINES = 150
SAMPLE_LINES = 6000  # lines whose words feed the word graph
SWEEP = (-1.0, 0.0, 0.8, 1.6, 2.5, 3.5)


@dataclass
class SegmentState:
    counted: Any  # engines.segment.pipeline.Counted (cached counts and text)
    lexicon: Any
    result: Any  # SegmentResult
    params: Any
    reference: set | None
    rows: list = field(default_factory=list)  # (word, count, score, length, new)
    sample_words: list = field(default_factory=list)
    timings: dict = field(default_factory=dict)


def _rows(lexicon, reference) -> list:
    rows = []
    for word, count, score, length in lexicon.rows():
        new = reference is not None and "<" not in word and word not in reference
        rows.append((word, count, score, length, new))
    return rows


def _sample_words(counted, lexicon, params, lines: int = SAMPLE_LINES) -> list[list[str]]:
    import numpy as np

    from engines.segment.evaluate import join_lines
    from engines.segment.hashindex import HashIndex
    from engines.segment.parallel import torch_threads
    from engines.segment.pipeline import _iter_cached, _line_of, char_starts
    from engines.segment.segmenter import segment_units
    import math

    index = HashIndex(lexicon.codes.numpy())
    logp = lexicon.logp() + params.word_bonus
    unk = math.log(0.5 / max(float(lexicon.counts.sum()), 1.0)) + params.word_bonus
    out: list[list[str]] = []
    with torch_threads(1):
        for chunk in _iter_cached(counted):
            ws = segment_units(chunk.units, index, logp, max(lexicon.max_len, 1), unk)
            pred = char_starts(chunk, ws)
            line_of = _line_of(chunk)
            n = min(chunk.n_lines, lines - len(out))
            stop = int(np.searchsorted(line_of, n))
            for line in join_lines(chunk.enc.cp[~chunk.enc.spaces][:stop], pred[:stop], line_of[:stop], n):
                out.append(line.split(" ") if line else [])
            if len(out) >= lines:
                break
    return out


def discover_job(reporter, corpus: str, gold: str | None, params, display_lines: int = DISPLAY_LINES,
                 device: str = "cpu") -> SegmentState:
    """First launch / new corpus: count (on ``device``), build the lexicon, segment and score."""
    import time

    from engines.device import pick_device

    from engines.segment.pipeline import build_lexicon, count_corpus, reference_dictionary, segment_corpus

    t0 = time.perf_counter()
    reporter.progress(None, "loading the reference dictionary")
    reference = reference_dictionary()
    counted = count_corpus(reporter, corpus, gold, max(params.max_n, 2), cnum=params.cnum,
                           device=pick_device(device))
    t1 = time.perf_counter()
    reporter.progress(None, "building the lexicon")
    lexicon = build_lexicon(reporter, counted, params)
    t2 = time.perf_counter()
    reporter.progress(None, "segmenting")
    result = segment_corpus(reporter, counted, lexicon, params, display_lines=display_lines, reference=reference)
    t3 = time.perf_counter()
    state = SegmentState(counted, lexicon, result, params, reference, _rows(lexicon, reference))
    state.sample_words = _sample_words(counted, lexicon, params)
    state.timings = {"count_s": t1 - t0, "lexicon_s": t2 - t1, "segment_s": t3 - t2}
    return state


def resegment_job(reporter, previous: SegmentState, params, display_lines: int = DISPLAY_LINES) -> SegmentState:
    """New thresholds: rebuild the lexicon from the cached counts and segment again (no recounting)."""
    import time

    from engines.segment.pipeline import build_lexicon, segment_corpus

    t0 = time.perf_counter()
    lexicon = build_lexicon(reporter, previous.counted, params)
    t1 = time.perf_counter()
    result = segment_corpus(reporter, previous.counted, lexicon, params, display_lines=display_lines,
                            reference=previous.reference)
    t2 = time.perf_counter()
    state = SegmentState(previous.counted, lexicon, result, params, previous.reference,
                         _rows(lexicon, previous.reference))
    state.sample_words = _sample_words(previous.counted, lexicon, params)
    state.timings = {"count_s": 0.0, "lexicon_s": t1 - t0, "segment_s": t2 - t1}
    return state


@dataclass
class Sweep:
    thresholds: list
    f1: list
    sizes: list


def sweep_job(reporter, counted, params, thresholds=SWEEP) -> Sweep:
    """F1 and lexicon size for several pair thresholds (streams partial sweeps)."""
    from dataclasses import replace

    from engines.segment.pipeline import build_lexicon, segment_corpus

    done = Sweep([], [], [])
    for k, t in enumerate(thresholds):
        reporter.progress(k / len(thresholds), f"threshold {t:g}")
        thr = list(params.thresholds)
        thr[1] = t
        p = replace(params, thresholds=tuple(thr))
        lexicon = build_lexicon(reporter, counted, p)
        result = segment_corpus(reporter, counted, lexicon, p)
        done.thresholds.append(t)
        done.f1.append(result.scores.f1 if result.scores is not None else float("nan"))
        done.sizes.append(int(lexicon.multi().sum()))
        reporter.partial(Sweep(list(done.thresholds), list(done.f1), list(done.sizes)))
    return done


def jieba_job(reporter, counted, reference):
    from engines.segment.pipeline import jieba_baseline

    return jieba_baseline(reporter, counted, reference=reference)
