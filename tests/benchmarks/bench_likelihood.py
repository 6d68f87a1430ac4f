"""Likelihood and reflow figures, measured in this run: the bundled models' ELBO and ODE bits/dim with 95%
intervals (the bound ELBO ≥ ODE), the exact mixture's ODE log-likelihood against its closed form, ε / x0 /
v × linear / cosine each trained briefly on moons, and the straightness and one-step quality of reflow
rounds; seconds for each.
Run: python tests/benchmarks/bench_likelihood.py [--rows 256] [--steps 1500] [--rounds 2] [--skip-table]
"""
from __future__ import annotations

import argparse
import time

import numpy as np
import torch

from engines.jobs import run


def measure(spec: str, rows: int, probes: int, ode_steps: int) -> None:
    from tasks.diffusion_likelihood import LikelihoodRequest, likelihood_job, summary

    start = time.perf_counter()
    outcome = run(likelihood_job, LikelihoodRequest(spec, rows, probes, ode_steps, device="cpu"))
    print(f"{spec:24s} {summary(outcome.likelihood)}  [{time.perf_counter() - start:.1f} s]")


def mixture_check(rows: int, probes: int, ode_steps: int) -> None:
    from engines.diffusion.mixture import named_mixture
    from engines.diffusion.ode_likelihood import ode_likelihood_job
    from engines.jobs import Reporter

    mix = named_mixture("eight_gaussians")
    x = mix.sample(rows, torch.Generator().manual_seed(0))
    start = time.perf_counter()
    result = ode_likelihood_job(Reporter(), mix, x, probes, ode_steps)
    true = mix.log_prob(x, 1.0, result.sigma_range[0]).double().numpy() / 2
    diff = result.per_row - true
    half = 1.96 * diff.std(ddof=1) / np.sqrt(len(diff))
    print(f"eight_gaussians exact: ODE log p {result.per_row.mean():.4f}, closed form {true.mean():.4f} nats/dim; "
          f"ODE − exact {diff.mean():+.4f} ± {half:.4f} ({rows} rows, {probes} probes, {ode_steps} RK4 steps) "
          f"[{time.perf_counter() - start:.1f} s]")


def table(steps: int, rows: int, probes: int, ode_steps: int) -> None:
    from tasks.diffusion_likelihood import TableRequest, table_job

    start = time.perf_counter()
    result = run(table_job, TableRequest("moons", steps, rows, probes, ode_steps, device="cpu"))
    print(f"moons, DDPM trained {steps} steps each (bits/dim of a density, 95% intervals):")
    for r in result.rows:
        lk = r.likelihood
        print(f"  {r.prediction:3s} {r.schedule:6s} ELBO {lk.elbo_bits.mean:8.3f} ± {lk.elbo_bits.half_width:.3f}   "
              f"ODE {lk.ode_bits.mean:7.3f} ± {lk.ode_bits.half_width:.3f}   reconstruction "
              f"{lk.elbo.reconstruction.mean:+.2f} nats/dim")
    print(f"  [{time.perf_counter() - start:.1f} s]")


def reflow(steps: int, rounds: int) -> None:
    from tasks.diffusion_reflow import ReflowRequest, reflow_job

    start = time.perf_counter()
    result = run(reflow_job, ReflowRequest("moons", steps, rounds, device="cpu"))
    cols = result.columns()
    print(f"reflow on moons, {steps} steps a round:")
    for i in range(len(cols["round"])):
        print(f"  round {cols['round'][i]}: straightness {cols['straightness'][i]:.4g} ± {cols['ci95_half_width'][i]:.2g}, "
              f"sliced Wasserstein 1 step {cols['one_step_sliced_wasserstein'][i]:.4f}, "
              f"2 steps {cols['two_step_sliced_wasserstein'][i]:.4f}")
    print(f"  [{time.perf_counter() - start:.1f} s]")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=256)
    parser.add_argument("--probes", type=int, default=2)
    parser.add_argument("--ode-steps", type=int, default=64)
    parser.add_argument("--steps", type=int, default=1500)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--skip-table", action="store_true")
    args = parser.parse_args()
    torch.set_num_threads(1)
    mixture_check(args.rows, args.probes, args.ode_steps)
    measure("bundled:moons", args.rows, args.probes, args.ode_steps)
    measure("bundled:digits", min(args.rows, 64), args.probes, args.ode_steps)
    if not args.skip_table:
        table(args.steps, args.rows, args.probes, args.ode_steps)
    reflow(args.steps, args.rounds)


if __name__ == "__main__":
    main()
