"""Steps per second of small-model jobs with torch's default threads (one per core) against the threads
engines/threads.py chooses for the work size, without and with competing CPU load, in one run.

Jobs: ``train diffusion`` on the bundled moons (DDPM, batch 512, as the command runs it) and latent training
(the digits VAE), each for a fixed number of steps; diffusion sampling (DDIM, 1000 samples) in model calls
per second. "load" adds ``--load`` busy processes (default: one per core) beside whatever else the machine
runs; the 1-minute load average is printed with each line.
Run: python tests/benchmarks/bench_threads.py [--steps 100] [--load N]
"""
from __future__ import annotations

import argparse
import multiprocessing
import os
import time
from contextlib import contextmanager
from typing import Callable, Iterator


def spin() -> None:
    while True:
        pass


@contextmanager
def busy(n: int) -> Iterator[None]:
    procs = [multiprocessing.get_context("spawn").Process(target=spin, daemon=True) for _ in range(n)]
    for p in procs:
        p.start()
    time.sleep(2.0 if n else 0.0)  # let the spinners take their cores
    try:
        yield
    finally:
        for p in procs:
            p.terminate()
            p.join()


@contextmanager
def threads_used(default: bool) -> Iterator[list[int]]:
    """The thread counts jobs take meanwhile (listed as they are picked); with ``default``, torch's default
    (one per core) instead of the count chosen for the work size."""
    import engines.threads as threads

    chosen = threads.threads_for
    used: list[int] = []

    def pick(flops: float, available=None) -> int:
        used.append(threads.cores() if default else chosen(flops, available))
        return used[-1]

    threads.threads_for = pick
    try:
        yield used
    finally:
        threads.threads_for = chosen


def jobs(steps: int) -> list[tuple[str, str, Callable[[], float]]]:
    """(name, unit, run) where run() returns the units done per second."""
    import torch

    from engines.diffusion.data import load_data
    from engines.diffusion.run import sample_one
    from engines.diffusion.training import train_job as train_diffusion
    from engines.jobs import run
    from engines.latent.config import ModelConfig, TrainConfig
    from engines.latent.data import DataSpec
    from engines.latent.training import train_job as train_latent
    from tasks.diffusion import open_source

    moons = load_data("moons", 0)
    source = open_source("bundled:moons", "cpu")
    noise = torch.randn(1000, 2, generator=torch.Generator().manual_seed(0))

    def diffusion_training() -> float:
        t = time.perf_counter()
        run(train_diffusion, moons, "ddpm", steps, batch=512, preview_every=10 * steps, preview_n=16)
        return steps / (time.perf_counter() - t)

    def latent_training() -> float:
        t = time.perf_counter()
        snap = run(train_latent, ModelConfig(kind="vae", latent=16), TrainConfig(epochs=2, batch_size=128), DataSpec())
        return snap.step / (time.perf_counter() - t)

    def sampling() -> float:
        _, _, seconds, calls = sample_one(source.model, "ddim", {}, 20, noise, 0)
        return calls / seconds

    return [("train diffusion, moons, batch 512", "steps/s", diffusion_training),
            ("train latent, digits VAE, batch 128", "steps/s", latent_training),
            ("sample diffusion, DDIM, 1000 points", "calls/s", sampling)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=100, help="diffusion training steps per measurement")
    parser.add_argument("--load", type=int, default=None, help="busy processes for the loaded runs (default: cores)")
    args = parser.parse_args()
    import torch

    from engines.threads import cores

    load = cores() if args.load is None else args.load
    print(f"{cores()} cores, torch's default {torch.get_num_threads()} threads; FLOPs chosen by engines.threads")
    cases = jobs(args.steps)
    for extra in (0, load):
        with busy(extra):
            for name, unit, fn in cases:
                fn()  # warm: first-use imports and allocations
                rates, used = {}, {}
                for default in (True, False):
                    with threads_used(default) as picked:
                        rates[default] = fn()
                    used[default] = "/".join(str(n) for n in sorted(set(picked)))
                print(f"{name:<36} +{extra} busy (load {os.getloadavg()[0]:5.1f}): {used[True]} threads "
                      f"{rates[True]:8.1f} {unit}, chosen {used[False]} threads {rates[False]:8.1f} {unit} "
                      f"({rates[False] / rates[True]:.1f}x)", flush=True)


if __name__ == "__main__":
    main()
