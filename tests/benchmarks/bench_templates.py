"""Benchmark: sentence templates on People's Daily (the built-in corpus, segmented with the default
settings), against the targets of issue 17: the top 100 templates each occur at least 20 times and save
bits; the bits per character after templates are below those after words. Prints the seconds of each
step, the figures, peak memory and the 15 templates that save the most.
Run: python tests/benchmarks/bench_templates.py  (prints; no assertions).
"""
from __future__ import annotations

import resource
import time

from engines.jobs import run
from tasks.segment_templates import templates_job
from tasks.segmentation import SegmentRequest, discover_job


def main() -> None:
    t0 = time.perf_counter()
    lines: list[str] = []
    seg = run(discover_job, SegmentRequest("peoples-daily"), display_lines=0, sample_lines=0,
              write_line=lines.append, with_reference=False)
    t1 = time.perf_counter()
    parses: list[str] = []
    done = run(templates_job, [line.split() for line in lines], write_parse=parses.append)
    r = done.result
    top = r.templates[:100]
    print(f"People's Daily: {seg.counted.n_chars:,} characters, {len(lines):,} lines, {len(r.stream.ids):,} tokens; "
          f"segmenting {t1 - t0:.1f} s, templates {done.timings['templates_s']:.1f} s, "
          f"parses {done.timings['parses_s']:.1f} s")
    print(f"templates kept: {len(r.templates):,}; top 100: least count {min(t.count for t in top)} "
          f"(target >= 20), least bits saved {min(t.bits_saved for t in top):.1f} (target > 0)")
    print(f"bits/char: characters {seg.result.bits_before:.3f}, words {r.bits_words:.3f}, "
          f"templates {r.bits_templates:.3f} (target < words)")
    nested = sum("{" in p[p.find("{") + 1:] for p in parses if "{" in p)
    print(f"lines with a template: {sum('{' in p for p in parses):,} of {len(parses):,}; with two or more: {nested:,}")
    print(f"peak resident memory: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    for t in r.templates[:15]:
        print(f"  {t.pattern}\t{t.count}\t{t.bits_saved:.0f}\t{' / '.join(t.examples)}")


if __name__ == "__main__":
    main()
