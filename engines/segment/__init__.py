"""Unsupervised Chinese word segmentation: a lexicon from raw text by the minimum-entropy principle.

Settings and what they mean: :mod:`.catalogue` (no torch) and :mod:`.params`. Corpus reading
(:mod:`.corpus`: encodings, invalid bytes, compression, streaming), gold formats (:mod:`.gold`), character
classes (:mod:`.units`), batched n-gram counting (:mod:`.counting`), a corpus counted once with its cached
text (:mod:`.counted`), the lexicon (:mod:`.lexicon`: n-gram min-PMI and minimum-entropy pairs; built with
the conventions in :mod:`.build`), unigram-LM segmentation (:mod:`.segmenter`) of a whole corpus
(:mod:`.segmenting`), scoring (:mod:`.evaluate`), what a reader is shown (:mod:`.display`), jieba as the
reference (:mod:`.reference`) and the three steps chained (:mod:`.pipeline`).

    from engines.jobs import run
    from engines.segment.pipeline import run_segmentation
    result = run(run_segmentation, "peoples-daily", "peoples-daily")
    result.result.scores.f1, result.lexicon.rows()[:10]

Importing the package loads nothing (the catalogue stays free of torch). The engines compute with numpy:
torch is imported only to run the counting's unique on a GPU (:func:`.counting.resolve_device`).
"""
