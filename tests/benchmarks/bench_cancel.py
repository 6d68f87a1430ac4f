"""Cancel latency of every kind of job, through the runner the GUI uses (:mod:`tasks.runner`, called from a
worker thread as :mod:`workbench.jobs` does; process jobs in a job process as the panels start them).

Each job is started, cancelled at a few points after its first report, and timed from Cancel to the
worker stopped (the runner returned ``cancelled``); reports delivered after Cancel are counted (must be 0).
Target: <= 200 ms for every job on a loaded 2-core machine (``--load N`` adds N busy processes).
Thread jobs run in this one interpreter, in the order listed, after the window's start-up jobs (which load
torch, then the libraries the first jobs would import: :mod:`engines.preload`); a first-use import inside a job would be a pause no check can interrupt
(the moons are drawn without scikit-learn for that reason); "diffusion sampling (open model)" samples a model
opened beforehand, as the panel does on a rerun.
Run: python tests/benchmarks/bench_cancel.py [--after 0.2 1 2.5] [--load 0] [--only NAME ...]
"""
from __future__ import annotations

import argparse
import multiprocessing
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np


@dataclass
class Case:
    name: str
    fn: Callable[..., Any]
    args: Callable[[], tuple]  # made when the case runs (opening a model imports what it needs then)
    process: bool


def cases() -> list[Case]:
    """One long-running job of each kind, as the panels start them."""
    from engines.latent.data import DataSpec
    from tasks import clustering, diffusion, landscape, latent, optimizer, segmentation

    traj = optimizer.TrajectoriesRequest(optimizer.SurfaceChoice("rosenbrock"), ("sgd:lr=0.001", "adam:lr=0.01"),
                                         np.random.default_rng(0).uniform(-2, 2, (256, 2)), 20_000)
    samplers = [("ddpm", {}), ("heun", {})]

    def sampling(source: Any) -> tuple:
        return diffusion.SampleRequest(source, samplers, nfe=1000, samples=20_000, device="cpu"),

    return [
        Case("optimizer trajectories", optimizer.trajectories_job, lambda: (traj,), traj.in_process),
        Case("network landscape", landscape.network_job,
             lambda: (landscape.NetworkRequest("adam:lr=0.001", 3000, plane="pca", n=31),), True),
        Case("latent training", latent.train_job,
             lambda: (latent.TrainRequest("vae", DataSpec("digits"), {"epochs": 200}), "cpu"), True),
        Case("diffusion sampling", diffusion.sample_job, lambda: sampling("bundled:moons"), False),
        Case("diffusion sampling (open model)", diffusion.sample_job,
             lambda: sampling(diffusion.open_source("bundled:moons")), False),
        Case("diffusion training", diffusion.train_job, lambda: (diffusion.TrainRequest(steps=20_000, device="cpu"),),
             True),
        Case("segmentation", segmentation.discover_job,
             lambda: (segmentation.SegmentRequest("peoples-daily", "peoples-daily", device="cpu"),), False),
        *(Case(name, clustering.cluster_points_job, lambda request=request: ("digits", request, "cpu"),
               clustering.in_process(request))
          for name, request in (("k-means on t-SNE", clustering.PointsRequest("kmeans", 10, "tsne")),
                                ("GMM on t-SNE", clustering.PointsRequest("gmm", 10, "tsne")),
                                ("k-means on PCA", clustering.PointsRequest("kmeans", 10, "pca")),
                                ("InfoMap", clustering.PointsRequest("infomap", 10, "raw")))),
    ]


def cancel_once(case: Case, after: float) -> tuple[float | None, int, str]:
    """(seconds from Cancel to the worker stopped or None if it ended first, reports after Cancel, outcome)."""
    from tasks.runner import execute, execute_in_process

    cancel = threading.Event()
    first = threading.Event()
    cancelled_at: list[float] = []
    late: list[float] = []

    def report(_payload: Any) -> None:
        first.set()
        if cancelled_at:
            late.append(time.perf_counter())

    runner = execute_in_process if case.process else execute
    args = case.args()
    outcome: list[Any] = []
    worker = threading.Thread(target=lambda: outcome.append(runner(case.fn, args, {}, report, report, cancel)))
    worker.start()
    first.wait(120)
    time.sleep(after)
    if not worker.is_alive():
        return None, 0, outcome[0].kind
    cancelled_at.append(time.perf_counter())
    cancel.set()
    worker.join()
    return time.perf_counter() - cancelled_at[0], len(late), outcome[0].kind


def spin() -> None:
    while True:
        pass


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--after", type=float, nargs="+", default=[0.2, 1.0, 2.5],
                        help="seconds after the job's first report to press Cancel")
    parser.add_argument("--load", type=int, default=0, help="busy processes running alongside")
    parser.add_argument("--only", nargs="*", help="job names to run (default: all)")
    args = parser.parse_args()
    import torch

    from engines.device import probe
    from engines.jobs import run
    from engines.preload import preload

    run(probe, "cpu")  # the window's start-up jobs: torch, then what the first jobs would import on first use
    run(preload)
    torch.set_num_threads(2)
    load = [multiprocessing.get_context("spawn").Process(target=spin, daemon=True) for _ in range(args.load)]
    for p in load:
        p.start()
    try:
        print(f"{'job':32s} {'where':8s} {'p50 ms':>8s} {'max ms':>8s} {'late reports':>13s}  points")
        for case in cases():
            if args.only and case.name not in args.only:
                continue
            ms, late, notes = [], 0, []
            for after in args.after:
                seconds, n_late, kind = cancel_once(case, after)
                if seconds is None:
                    notes.append(f"ended ({kind}) before {after:g} s")
                    continue
                ms.append(seconds * 1000)
                late += n_late
                notes.append(f"{after:g} s: {seconds * 1000:.0f} ms")
            where = "process" if case.process else "thread"
            if ms:
                print(f"{case.name:32s} {where:8s} {np.median(ms):8.0f} {max(ms):8.0f} {late:13d}  {'; '.join(notes)}",
                      flush=True)
            else:
                print(f"{case.name:32s} {where:8s} {'-':>8s} {'-':>8s} {'-':>13s}  {'; '.join(notes)}", flush=True)
    finally:
        for p in load:
            p.terminate()


if __name__ == "__main__":  # job processes re-import the main module
    main()
