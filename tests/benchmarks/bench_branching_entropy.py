"""Benchmark: F1 on the People's Daily 1998-01 corpus (built-in, gold) with each boundary statistic: the
min-PMI, the branching entropy (Jin & Tanaka-Ishii 2006) and both; the corpus counted once, the lexicon
rebuilt from the cached counts for each (the branching entropies computed once, on first use), at the
default settings and at each pair threshold of the panel's sweep. Target (issue 17): the combination at
least matches the better of the two.
Run: python tests/benchmarks/bench_branching_entropy.py [MAX_LINES]  (prints; no assertions).
"""
from __future__ import annotations

import sys
import time

from engines.jobs import run
from engines.segment.build import build_lexicon
from engines.segment.catalogue import STATISTICS
from engines.segment.counted import count_corpus
from engines.segment.params import SegmentParams
from engines.segment.segmenting import segment_corpus
from tasks.segmentation import SWEEP


def f1(counted, params: SegmentParams) -> float:
    lexicon = run(build_lexicon, counted, params)
    return run(segment_corpus, counted, lexicon, params).scores.f1


def main() -> None:
    max_lines = int(sys.argv[1]) if len(sys.argv) > 1 else None
    counted = run(count_corpus, "peoples-daily", "peoples-daily", max_lines=max_lines)
    print(f"People's Daily 1998-01: {counted.n_chars:,} characters, {counted.n_lines:,} lines")
    print("statistic   F1 (defaults)  " + "  ".join(f"T2={t:<5g}" for t in SWEEP) + "  seconds")
    best = {}
    for statistic in STATISTICS.names:
        t0 = time.perf_counter()
        params = SegmentParams(statistic=statistic)
        at_default = f1(counted, params)
        sweep = [f1(counted, params.with_values({"threshold_2": t})) for t in SWEEP]
        best[statistic] = at_default
        print(f"{statistic:<10}  {at_default:.4f}         " + "  ".join(f"{v:.4f}  " for v in sweep)
              + f"  {time.perf_counter() - t0:.1f}")
    better = max(best["pmi"], best["entropy"])
    print(f"both - max(pmi, entropy) at the defaults: {best['both'] - better:+.4f}")


if __name__ == "__main__":
    main()
