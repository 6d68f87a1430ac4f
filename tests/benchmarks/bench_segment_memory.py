"""Benchmark: the segmentation pipeline's peak memory grows with the distinct n-grams, not the file size.

The People's Daily text is written 4x and 16x over (lines shuffled per copy, so the statistics stay those
of the corpus) to temporary files; each runs the whole pipeline (count, lexicon, segment every line to a
file) in a fresh process that reports its peak resident memory. The reference is the peak of the same
process on the 1x corpus; a pipeline that held its text would grow with the file.
Run: python tests/benchmarks/bench_segment_memory.py [COPIES ...]  (default 1 4 16; 32 copies make 170 MiB;
prints peak RSS and the time and throughput of each run; no assertions).
"""
from __future__ import annotations

import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

COPIES = (1, 4, 16)

CHILD = """
import resource, sys
from engines.jobs import run
from engines.segment.pipeline import run_segmentation
with open(sys.argv[2], "w", encoding="utf-8") as out:
    result = run(run_segmentation, sys.argv[1], write_line=lambda s: out.write(s + "\\n"))
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(f"{peak:.0f} {result.counted.n_chars} {result.counted.table.nbytes() / 2**20:.0f}")
"""


def main() -> None:
    from engines.segment.corpus import builtin_paths
    from engines.segment.gold import parse_gold

    lines = parse_gold(builtin_paths("peoples-daily")[0].read_text(encoding="utf-8").splitlines(), "wordtag").raw
    rng = random.Random(0)
    base = None
    with tempfile.TemporaryDirectory() as tmp:
        for copies in [int(a) for a in sys.argv[1:]] or COPIES:
            path = Path(tmp) / f"corpus_{copies}.txt"
            with path.open("w", encoding="utf-8") as handle:
                for _ in range(copies):
                    rng.shuffle(lines)
                    handle.write("\n".join(lines) + "\n")
            mb = path.stat().st_size / 2 ** 20
            t0 = time.perf_counter()
            done = subprocess.run([sys.executable, "-c", CHILD, str(path), str(Path(tmp) / "out.txt")],
                                  capture_output=True, text=True, check=True)
            seconds = time.perf_counter() - t0
            peak, chars, table = done.stdout.split()
            base = base or float(peak)
            print(f"{copies:3d}x  file {mb:7.1f} MiB  {int(chars):>12,} chars  n-gram table {table:>5} MiB  "
                  f"peak RSS {float(peak):7.0f} MiB  ratio to the first {float(peak) / base:.2f}  RSS/file {float(peak) / mb:.2f}  "
                  f"{seconds:6.1f} s  {mb / seconds:.2f} MiB/s")
            path.unlink()


if __name__ == "__main__":
    main()
