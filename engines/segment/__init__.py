"""Unsupervised Chinese word segmentation: a lexicon from raw text by the minimum-entropy principle.

Corpus reading (:mod:`.corpus`: encodings, invalid bytes, compression, streaming), gold formats
(:mod:`.gold`), character classes (:mod:`.units`), batched n-gram counting (:mod:`.counting`), the
lexicon (:mod:`.lexicon`: n-gram min-PMI and minimum-entropy pairs), unigram-LM segmentation
(:mod:`.segmenter`), scoring (:mod:`.evaluate`) and the pipeline jobs with the jieba baseline
(:mod:`.pipeline`).

    from engines.jobs import run
    from engines.segment import run_segmentation
    result = run(run_segmentation, "peoples-daily", "peoples-daily")
    result.result.scores.f1, result.lexicon.rows()[:10]
"""
from engines.segment.pipeline import (Counted, PipelineResult, SegmentParams, SegmentResult, build_lexicon,
                                      count_corpus, jieba_baseline, reference_dictionary, run_segmentation,
                                      segment_corpus)

__all__ = ["Counted", "PipelineResult", "SegmentParams", "SegmentResult", "build_lexicon", "count_corpus",
           "jieba_baseline", "reference_dictionary", "run_segmentation", "segment_corpus"]
