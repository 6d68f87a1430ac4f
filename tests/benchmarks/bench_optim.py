"""Benchmark: Adam on Rosenbrock, 65,536 starts, float32, CPU (REFERENCE §1 figures).

Compares the engine (run_trajectories) with torch.optim stepping one trajectory at a time and with
torch.optim.Adam on one batched tensor using autograd; then times a 256×256 basin map with 1000 steps.
Run: python tests/benchmarks/bench_optim.py  (prints; no assertions).
"""
from __future__ import annotations

import time

import numpy as np
import torch

from engines.jobs import run
from engines.optim.basins import basin_map
from engines.optim.spec import parse_spec
from engines.optim.surfaces import get_surface
from engines.optim.trajectories import TrajectoryRequest, run_trajectories

N, STEPS, REPEATS = 65_536, 300, 3
SURFACE = get_surface("rosenbrock")
LR = 1e-3


def starts(n: int) -> np.ndarray:
    rng = np.random.default_rng(0)
    return np.c_[rng.uniform(-2, 2, n), rng.uniform(-1, 3, n)]


def best_rate(fn, work: int) -> float:
    """Trajectory-steps per second, best of REPEATS (other jobs share the machine)."""
    rates = []
    for _ in range(REPEATS):
        t = time.perf_counter()
        fn()
        rates.append(work / (time.perf_counter() - t))
    return max(rates)


def engine() -> None:
    req = TrajectoryRequest(SURFACE, [parse_spec(f"adam:lr={LR}")], starts(N), STEPS, record_every=STEPS,
                            record_state=False)
    run(run_trajectories, req)


def one_at_a_time(steps: int = 200) -> None:
    p = torch.tensor([-1.5, 2.5], requires_grad=True)
    opt = torch.optim.Adam([p], lr=LR)
    for _ in range(steps):
        opt.zero_grad()
        SURFACE.fn(p).backward()
        opt.step()


def torch_batched() -> None:
    p = torch.tensor(starts(N), dtype=torch.float32, requires_grad=True)
    opt = torch.optim.Adam([p], lr=LR)
    for _ in range(STEPS):
        opt.zero_grad()
        SURFACE.fn(p).sum().backward()
        opt.step()


def main() -> None:
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads; Adam on Rosenbrock, float32")
    single = best_rate(one_at_a_time, 200)
    batched = best_rate(torch_batched, N * STEPS)
    ours = best_rate(engine, N * STEPS)
    print(f"(a) torch.optim, one trajectory at a time: {single:.3g} trajectory-steps/s")
    print(f"(b) torch.optim.Adam, one batched tensor of {N} (autograd): {batched:.3g} trajectory-steps/s")
    print(f"engine run_trajectories, {N} starts:           {ours:.3g} trajectory-steps/s")
    print(f"engine / (a) = {ours / single:.0f}x, engine / (b) = {ours / batched:.2f}x")
    t = time.perf_counter()
    bm = run(basin_map, SURFACE, parse_spec("adam:lr=0.01"), n=256, steps=1000)
    dt = time.perf_counter() - t
    print(f"basin map 256x256 starts x 1000 Adam steps: {dt:.2f} s ({256 * 256 * 1000 / dt:.3g} trajectory-steps/s), "
          f"{(bm.minimum_index >= 0).mean():.0%} of starts within tol of (1, 1)")


if __name__ == "__main__":
    main()
