"""The whole pipeline as one job: count the corpus, build the lexicon, segment and score every line.

Each step is also a job of its own (:func:`~engines.segment.counted.count_corpus`,
:func:`~engines.segment.build.build_lexicon`, :func:`~engines.segment.segmenting.segment_corpus`), so the
lexicon and the segmentation can rerun from the cached counts with new settings.
"""
from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass
from typing import Callable

from engines.allocator import map_large_blocks
from engines.device import DeviceLike
from engines.errors import InputError
from engines.segment.base import with_base
from engines.segment.build import build_lexicon
from engines.segment.counted import Counted, count_corpus
from engines.segment.kernels import load_in_background
from engines.segment.lexicon import Lexicon
from engines.segment.params import SegmentParams
from engines.segment.segmenting import SegmentResult, segment_corpus


@dataclass
class PipelineResult:
    counted: Counted
    lexicon: Lexicon  # as used by the segmentation (each word's count in the output)
    result: SegmentResult
    timings: dict


def run_segmentation(reporter, corpus: str, gold: str | None = None, params: SegmentParams | None = None,
                     write_line: Callable[[str], None] | None = None, display_lines: int = 0,
                     max_lines: int | None = None, reference: set[str] | None = None, workers: int = 1,
                     device: DeviceLike = "cpu", sample_lines: int = 0, scheduler: str | None = None,
                     base: str | None = None, base_weight: float = 1.0) -> PipelineResult:
    """Job: count, build the lexicon and segment every line (the arguments are those of the three steps);
    with ``scheduler`` (``local:N`` or ``tcp://HOST:PORT``) the passes over the text run on that Dask
    cluster (:mod:`engines.segment.distributed`), with the same output; ``base``: a base corpus whose
    counts, times ``base_weight``, join the text's (:mod:`.base`; on this machine only)."""
    map_large_blocks()  # the passes' short-lived arrays go back to the system when freed
    load_in_background()  # where the kernels are numba's, their start-up overlaps the counting
    params = params or SegmentParams()
    if scheduler is not None and base is not None:
        raise InputError("a base corpus is counted on this machine only: leave out --scheduler or --base-corpus")
    timings = {}
    with contextlib.ExitStack() as stack:
        t0 = time.perf_counter()
        if scheduler is None:
            counted = count_corpus(reporter, corpus, gold, max(params.max_n, 2), max_lines, workers=workers,
                                   cnum=params.cnum, device=device)
        else:
            from engines.segment import distributed

            distributed.unsupported(corpus, gold, max_lines)
            reporter.progress(None, f"connecting to {scheduler}")
            client = stack.enter_context(distributed.connect(scheduler))
            timings["connect_s"], t0 = time.perf_counter() - t0, time.perf_counter()
            counted = distributed.count_on_cluster(reporter, client, corpus, max(params.max_n, 2), params.cnum)
            stack.callback(setattr, counted, "cluster", None)  # the cached counts outlive the cluster
        if base is not None:
            reporter.progress(None, "counting the base corpus")
            pooled = count_corpus(reporter, base, None, max(params.max_n, 2), workers=workers, cnum=params.cnum,
                                  device=device)
            counted = with_base(counted, pooled, base_weight)[1]
        t1 = time.perf_counter()
        reporter.progress(None, "building the lexicon")
        lexicon = build_lexicon(reporter, counted, params)
        t2 = time.perf_counter()
        reporter.progress(None, "segmenting")
        result = segment_corpus(reporter, counted, lexicon, params, write_line, display_lines, reference,
                                sample_lines)
        t3 = time.perf_counter()
    timings.update({"count_s": t1 - t0, "lexicon_s": t2 - t1, "segment_s": t3 - t2,
                    "total_s": t3 - t0 + timings.get("connect_s", 0.0)})
    return PipelineResult(counted, result.lexicon, result, timings)
