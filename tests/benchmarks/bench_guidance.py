"""Classifier-free guidance benchmarks, measured in one run on one machine (no stored reference numbers).

1. How samples leave the true conditional as w grows, on each class-conditional mixture (class 0, Heun at
   NFE 20, 1000 samples from one noise): sliced Wasserstein and MMD² to exact conditional samples, and the
   fraction of samples in the class; as the floor, the SW of fresh exact conditional samples.
2. What label dropout costs: seconds per training step of the digits U-Net, unconditional and with
   --class-dropout 0.1 (the same batch and seed, fastest of a few repeats), and the steps of the bundled
   digits models (3000) in minutes at that rate.

    python tests/benchmarks/bench_guidance.py [--samples 1000] [--steps 30] [--threads N]
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import numpy as np  # noqa: E402
import torch  # noqa: E402

from engines.diffusion.catalogue import MIXTURES  # noqa: E402
from engines.diffusion.guidance import conditioned  # noqa: E402
from engines.diffusion.guidance_sweep import guidance_job  # noqa: E402
from engines.diffusion.metrics import sliced_wasserstein  # noqa: E402
from engines.diffusion.sources import mixture_source  # noqa: E402
from engines.jobs import run  # noqa: E402


def sweep_tables(samples: int) -> None:
    for entry in (m for m in MIXTURES if m.classes):
        source = mixture_source(entry.name)
        start = time.perf_counter()
        sweep = run(guidance_job, source, 0, sampler=("heun", {}), nfe=20, n=samples)
        seconds = time.perf_counter() - start
        fresh = conditioned(source.model, 0).sample(samples, torch.Generator().manual_seed(7)).numpy()
        floor = sliced_wasserstein(fresh, sweep.reference)
        print(f"\n{entry.name}: class 0, heun NFE 20, {samples} samples per w ({seconds:.1f} s for "
              f"{len(sweep.scales)} scales); SW floor of exact samples {floor:.4f}")
        print(f"{'w':>5} {'SW':>8} {'MMD2':>9} {'in class 0':>11}")
        for i, w in enumerate(sweep.scales):
            print(f"{w:5g} {sweep.metrics['sliced_wasserstein'][i]:8.4f} {sweep.metrics['mmd'][i]:9.5f} "
                  f"{sweep.fractions[i][0]:11.3f}")


def step_seconds(steps: int) -> None:
    from engines.diffusion.data import load_data
    from engines.diffusion.training import train_job

    data = load_data("digits")
    kinds = {"unconditional": None, "--class-dropout 0.1": 0.1}
    times = dict.fromkeys(kinds, np.inf)
    for _ in range(3):  # interleaved: a busy machine slows both alike
        for label, dropout in kinds.items():
            start = time.perf_counter()
            run(train_job, data, "ddpm", steps, batch=128, preview_n=1, preview_every=10 ** 9, class_dropout=dropout)
            times[label] = min(times[label], (time.perf_counter() - start) / steps)
    for label, best in times.items():
        print(f"digits U-Net, batch 128, {label}: {best * 1000:.1f} ms per step (fastest of 3 runs of {steps} steps, "
              f"one 1-image preview included); 3000 steps ≈ {3000 * best / 60:.1f} min")
    print(f"label dropout costs {times['--class-dropout 0.1'] / times['unconditional']:.2f}× the unconditional step")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--samples", type=int, default=1000)
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    sweep_tables(args.samples)
    step_seconds(args.steps)


if __name__ == "__main__":
    main()
