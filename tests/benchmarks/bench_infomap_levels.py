"""Benchmark: InfoMap's two-level and multi-level codes on the digits kNN graph (raw pixels, 15 neighbours,
Markov time 1, a few seeds): modules per level and codelengths (bits per step). Target (issue 17): at least
two levels below the root, codelength no worse than two-level.
Run: python tests/benchmarks/bench_infomap_levels.py  (prints; no assertions).
"""
from __future__ import annotations

import time

from sklearn.datasets import load_digits

from engines.cluster.graph import knn_graph, run_infomap


def main() -> None:
    x = load_digits().data
    src, dst, w = knn_graph(x, 15)
    print(f"digits kNN graph: {len(x)} nodes, {len(src)} links")
    for seed in (1, 2, 3):
        t0 = time.perf_counter()
        two = run_infomap(len(x), src, dst, w, seed=seed, levels="two")
        t1 = time.perf_counter()
        multi = run_infomap(len(x), src, dst, w, seed=seed, levels="multi")
        t2 = time.perf_counter()
        per_level = ", ".join(f"L{lv.level}: {lv.modules} modules {lv.codelength:.3f}" for lv in multi.levels)
        print(f"seed {seed}: two-level {two.codelength:.4f} bits ({two.modules.max() + 1} modules, {t1 - t0:.2f} s); "
              f"multi-level {multi.codelength:.4f} bits ({t2 - t1:.2f} s with the per-level codes) [{per_level}]")


if __name__ == "__main__":
    main()
