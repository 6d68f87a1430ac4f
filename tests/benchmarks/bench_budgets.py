"""Benchmark: work sized from options, each case in a subprocess under an address-space cap (RLIMIT_AS) of
what it has mapped after its imports plus CAP_MB. Prints, for each case, whether it finished or how it was
refused, its peak RSS and its time:

- the kNN graph (InfoMap, the neighbour vote) of N points: in 64 MB blocks of rows, and as one N x N matrix
  without the memory check (what it was before) for comparison;
- sampling 1,000,000 samples at 1000 calls with 4 samplers (the frames would need tens of GB): refused;
- 1,000,000 optimizer starts: refused.

Run: python tests/benchmarks/bench_budgets.py [N]   (default N = 20000; prints; no assertions)
"""
from __future__ import annotations

import json
import subprocess
import sys

CAP_MB = 1024

CHILD = r"""
import json, resource, sys, time
import numpy as np
import torch
from engines.budget import _address_space_used
from engines.errors import InputError

case, n, cap = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]) * 2**20
resource.setrlimit(resource.RLIMIT_AS, (_address_space_used() + cap, resource.RLIM_INFINITY))
start = time.perf_counter()
outcome = "finished"
try:
    if case.startswith("knn"):
        from engines.cluster import graph
        from engines.cluster.graph import BLOCK_BYTES, knn_graph
        if case == "knn-whole":  # as before the blocks: one N x N matrix, no memory check
            graph.check = lambda what, needed: None
        x = np.random.default_rng(0).normal(size=(n, 16)).astype(np.float32)
        knn_graph(x, 15, block_bytes=BLOCK_BYTES if case == "knn-blocks" else 4 * n * n)
    elif case == "diffusion":
        from engines.diffusion.run import compare_job
        from engines.diffusion.sources import mixture_source
        from engines.jobs import run
        run(compare_job, mixture_source("moons"), [(s, {}) for s in ("ddim", "heun", "dpmpp_2m", "euler")], 1000,
            1_000_000)
    elif case == "starts":
        from engines.jobs import run
        from tasks.optimizer import TrajectoriesRequest, trajectories_job
        run(trajectories_job, TrajectoriesRequest(starts=np.random.default_rng(0).uniform(-2, 2, (1_000_000, 2)),
                                                  grid_n=16))
except InputError as exc:
    outcome = "refused: " + str(exc)
except (MemoryError, RuntimeError) as exc:
    outcome = f"failed: {type(exc).__name__}: {str(exc)[:120]}"
print(json.dumps({"outcome": outcome, "seconds": time.perf_counter() - start,
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def measure(case: str, n: int) -> dict:
    proc = subprocess.run([sys.executable, "-c", CHILD, case, str(n), str(CAP_MB)], capture_output=True, text=True)
    lines = proc.stdout.strip().splitlines()
    if proc.returncode != 0 or not lines:
        return {"outcome": f"exit {proc.returncode}: {proc.stderr.strip().splitlines()[-1:]}", "seconds": 0.0,
                "peak_rss_mb": 0.0}
    return json.loads(lines[-1])


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    print(f"address-space cap: imports + {CAP_MB} MB; N = {n:,} points for the kNN graph")
    for case in ("knn-blocks", "knn-whole", "diffusion", "starts"):
        r = measure(case, n)
        print(f"{case:<11} peak RSS {r['peak_rss_mb']:7.0f} MB  {r['seconds']:6.2f} s  {r['outcome'][:200]}")


if __name__ == "__main__":
    main()
