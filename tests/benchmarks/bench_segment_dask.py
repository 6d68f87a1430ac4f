"""Benchmark: segmentation throughput on one machine and on a Dask LocalCluster of 1 and 2 workers.

A corpus of about SIZE_MB MB (People's Daily lines, shuffled per copy) is written to a temporary folder;
each run is the whole ``workbench run segment`` pipeline writing segmented.txt; the cluster runs are timed
with and without the start of their worker processes. The outputs are compared with the local run's (they must be equal).
Run: python tests/benchmarks/bench_segment_dask.py [SIZE_MB]  (prints; no assertions).
"""
from __future__ import annotations

import random
import sys
import tempfile
import time
from pathlib import Path


def write_corpus(path: Path, size_mb: float) -> None:
    from engines.segment.corpus import builtin_paths
    from engines.segment.gold import parse_gold

    lines = parse_gold(builtin_paths("peoples-daily")[0].read_text(encoding="utf-8").splitlines(), "wordtag").raw
    rng = random.Random(0)
    with path.open("w", encoding="utf-8") as handle:
        while handle.tell() < size_mb * 2**20:
            rng.shuffle(lines)
            handle.write("\n".join(lines) + "\n")


def main() -> None:
    from engines.jobs import run
    from engines.segment.pipeline import run_segmentation
    from tasks.segmentation import lexicon_lines

    size_mb = float(sys.argv[1]) if len(sys.argv) > 1 else 20
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "corpus.txt"
        write_corpus(path, size_mb)
        mb = path.stat().st_size / 2**20
        reference = None
        for scheduler in (None, "local:1", "local:2"):
            out: list[str] = []
            t0 = time.perf_counter()
            done = run(run_segmentation, str(path), write_line=out.append, scheduler=scheduler)
            seconds = time.perf_counter() - t0
            files = (out, list(lexicon_lines(done.lexicon.rows())))
            reference = reference or files
            t = done.timings
            work = seconds - t.get("connect_s", 0.0)
            print(f"{scheduler or 'this process':>12}: {mb:6.1f} MiB in {seconds:6.1f} s, {mb / seconds:5.2f} MiB/s; "
                  f"without starting the workers ({t.get('connect_s', 0.0):.1f} s) {mb / work:5.2f} MiB/s "
                  f"(count {t['count_s']:.1f} s, lexicon {t['lexicon_s']:.1f} s, segment {t['segment_s']:.1f} s); "
                  f"same output: {files == reference}")


if __name__ == "__main__":
    main()
