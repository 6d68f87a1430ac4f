"""Rewind and branch, measured in one run on the exact eight_gaussians mixture (no stored reference numbers).

1. Reproduction: each sampler branched at its middle call into itself with the calls it had left; the
   largest difference of the final samples to the run's (0 means bit for bit).
2. Switching sampler mid-run: DDIM at NFE 20 branched at calls 5, 10 and 15 into Heun, DPM-Solver++(2M)
   and Euler with the calls DDIM had left; sliced Wasserstein to held-out mixture samples against DDIM's own,
   and the branch's time (noise, replay to the call, continuation, the 2-D field; unscored) against the whole
   DDIM run's sampling time.

    python tests/benchmarks/bench_branch.py [--samples 2000] [--device cpu|cuda]
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import numpy as np  # noqa: E402
import torch  # noqa: E402

from engines.diffusion.branch import branch  # noqa: E402
from engines.diffusion.metrics import sliced_wasserstein  # noqa: E402
from engines.diffusion.run import compare_job  # noqa: E402
from engines.diffusion.sources import mixture_source  # noqa: E402
from engines.jobs import run  # noqa: E402

SEED = 0
NFE = 20
SAMPLERS = ("euler", "heun", "dpmpp_2m", "ddim", "ddpm", "flow_euler", "euler_maruyama")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=2000)
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args()
    torch.set_num_threads(1)
    source = mixture_source("eight_gaussians", args.device)
    n = args.samples
    runs = run(compare_job, source, [(s, {}) for s in SAMPLERS], NFE, n, SEED, with_field=False).runs

    print(f"1. same sampler, calls left, branched at the middle call ({n} samples, NFE {NFE})")
    print(f"   {'sampler':<16}{'call':>6}{'max |branch - run|':>22}")
    for r in runs:
        call = len(r.frames) // 2 + (1 if r.name == "heun" and len(r.frames) // 2 % 2 == 0 else 0)  # Heun: a step start
        b = branch(source.model, r, call, r.name, r.settings, r.nfe - call + 1, n, SEED)
        print(f"   {r.name:<16}{call:>6}{float(np.abs(b.samples - r.samples).max()):>22.3g}")

    ddim = runs[SAMPLERS.index("ddim")]
    print(f"\n2. DDIM at NFE {NFE} (sliced Wasserstein {ddim.metrics['sliced_wasserstein']:.4f}, "
          f"{ddim.seconds * 1000:.1f} ms) branched with the calls it had left")
    print(f"   {'call':>4}  {'into':<10}{'NFE':>5}{'SW':>9}{'branch ms':>11}")
    for call in (5, 10, 15):
        for name in ("heun", "dpmpp_2m", "euler"):
            start = time.perf_counter()
            b = branch(source.model, ddim, call, name, {}, NFE - call + 1, n, SEED)  # unscored: sampling time
            ms = (time.perf_counter() - start) * 1000
            sw = sliced_wasserstein(b.samples, source.reference)
            print(f"   {call:>4}  {name:<10}{b.nfe:>5}{sw:>9.4f}{ms:>11.1f}")


if __name__ == "__main__":
    main()
