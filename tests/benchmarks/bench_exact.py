"""The exact-path reference (``run diffusion --exact-reference``, the panel's Exact path tab), measured in one
run on one machine: the exact PF-ODE solve (DOP853, rtol 1e-10) against the number of samples, and the
whole exact-reference job against the comparison it accompanies (same samplers, NFE, samples, seed), with
the final errors at NFE 20 and the fitted orders it finds on eight_gaussians (the mixture's own σ grid:
σ_max its diameter, ρ 3; ``--sigma-max 80 --rho 7`` gives EDM's image grid for comparison).

    python tests/benchmarks/bench_exact.py [--samples 1000] [--threads 1]
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import numpy as np  # noqa: E402
import torch  # noqa: E402

from engines.diffusion.convergence import ORDER_NFES, exact_job  # noqa: E402
from engines.diffusion.exact_path import solve_exact  # noqa: E402
from engines.diffusion.mixture import named_mixture  # noqa: E402
from engines.diffusion.run import compare_job  # noqa: E402
from engines.diffusion.sources import mixture_source  # noqa: E402
from engines.jobs import run  # noqa: E402

SAMPLERS = ["ddim", "euler", "heun", "dpmpp_2m", "euler_maruyama"]  # the panel's defaults and Euler
GRID = ("euler", "heun", "dpmpp_2m")  # the samplers on the Karras σ grid


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=1000)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--sigma-max", type=float, default=None, help="σ_max of the Karras grid (the mixture's)")
    parser.add_argument("--rho", type=float, default=None, help="ρ of the Karras grid (the mixture's)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    mix = named_mixture("eight_gaussians")
    grid = {k: v for k, v in (("sigma_max", args.sigma_max), ("rho", args.rho)) if v is not None}
    samplers = [(name, grid if name in GRID else {}) for name in SAMPLERS]
    sigma_max = args.sigma_max or mix.sigma_max

    solve_exact(mix, np.zeros((2, 2)), sigma_max, rtol=1e-3)  # imports scipy's solver outside the timings
    print(f"exact path (DOP853, rtol 1e-10, σ {sigma_max:g} → 1e-6) on eight_gaussians:")
    for n in (100, 1000, 10000):
        noise = np.random.default_rng(0).standard_normal((n, 2))
        start = time.perf_counter()
        path = solve_exact(mix, noise, sigma_max)
        print(f"  {n:>6,} samples: {time.perf_counter() - start:6.2f} s, {path.calls} evaluations of the right-hand side")

    source = mixture_source("eight_gaussians")
    start = time.perf_counter()
    run(compare_job, source, samplers, 20, args.samples, 0)
    compare_s = time.perf_counter() - start
    start = time.perf_counter()
    result = run(exact_job, mix, samplers, 20, args.samples, 0)
    exact_s = time.perf_counter() - start
    print(f"comparison of {len(samplers)} samplers at NFE 20 on {args.samples:,} samples: {compare_s:.2f} s; "
          f"its exact reference (per-call errors + final error at 7 NFEs per ODE sampler): {exact_s:.2f} s "
          f"({exact_s / compare_s:.1f}x); Karras grid σ_max {sigma_max:g}, ρ {args.rho or mix.rho:g}")
    at_20 = {name: dict(zip(ORDER_NFES, c.final_error))[20] for name, c in result.orders.items()}
    print("final error at NFE 20: " + ", ".join(f"{name} {e:.3g}" for name, e in at_20.items()))
    for name, curve in result.orders.items():
        errors = ", ".join(f"{n}: {e:.2e}" for n, e in zip(curve.nfe, curve.final_error))
        print(f"  {name:<10} order {curve.order:.2f} (NFE ≥ {result.upper_nfe}: {curve.upper_order:.2f}), "
              f"theory {curve.theory}; final error {errors}")


if __name__ == "__main__":
    main()
