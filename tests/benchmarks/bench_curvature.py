"""Benchmark: the top Hessian eigenvalue of the training loss (power iteration on Hessian-vector products,
engines.landscape.curvature) on the digits MLP along a short SGD run, beside 2/lr (Cohen et al. 2021); its
agreement with a dense eigendecomposition (torch.autograd.functional.hessian + eigvalsh) on a tiny network
and on a narrow digits MLP; and the 1-D interpolation between the run's ends (Goodfellow et al. 2015),
batched vs one point per call.

Run: ``.venv/bin/python tests/benchmarks/bench_curvature.py [--device cpu|cuda|auto]``. Prints; asserts nothing.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import torch
from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from engines.device import describe_device, pick_device  # noqa: E402 - after the repository root is importable
from engines.jobs import run  # noqa: E402
from engines.landscape import curvature as cv  # noqa: E402
from engines.landscape import digits  # noqa: E402
from engines.landscape.interpolation import interpolate  # noqa: E402
from engines.landscape.registry import Registry, Split  # noqa: E402
from engines.landscape.training import train_run  # noqa: E402
from tests.optim.dense_hessian import dense_top  # noqa: E402

REGISTRY = Registry()
digits.register(REGISTRY)
SPEC = "sgd:lr=0.1"
TOL, MAX_ITER = 1e-4, 200


def timed(fn):
    start = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - start


def along_run(device: torch.device) -> None:
    trained, seconds = timed(lambda: run(train_run, REGISTRY, SPEC, steps=300, save_every=100, device=device))
    n_params = sum(p.numel() for p in trained.model(REGISTRY).parameters())
    print(f"-- digits MLP {trained.arch_config['hidden']}, {n_params} parameters, {SPEC}, 300 steps "
          f"(trained in {seconds:.1f} s); full training split, tol {TOL}, cap {MAX_ITER}")
    run(cv.top_eigenvalue, trained.model(REGISTRY), trained.task(REGISTRY).train.take(slice(0, 64)),
        trained.task(REGISTRY).loss_fn, max_iter=3, device=device)  # warm-up
    result, seconds = timed(lambda: run(cv.curvature_along_run, REGISTRY, trained, tol=TOL, max_iter=MAX_ITER,
                                        device=device))
    for step, value, its, ok in zip(result.steps, result.top_eigenvalue, result.iterations, result.converged):
        print(f"step {step:4d}: top eigenvalue {value:9.4f} ({its:3d} Hessian-vector products, "
              f"{'converged' if ok else 'NOT converged'}); 2/lr = {result.threshold:.1f}")
    print(f"time per eigenvalue: {seconds / len(result.steps):.3f} s; per Hessian-vector product: "
          f"{seconds / result.iterations.sum() * 1e3:.2f} ms")

    task = trained.task(REGISTRY)
    a, b = trained.snapshots[0], trained.snapshots[-1]
    batched, t_batched = timed(lambda: run(interpolate, trained.model(REGISTRY), task, a, b, n=41, device=device))
    _, t_single = timed(lambda: run(interpolate, trained.model(REGISTRY), task, a, b, n=41, device=device,
                                    batch_points=1))
    print(f"interpolation init→end, 41 points, train+test: batched {t_batched:.3f} s, one point per call "
          f"{t_single:.3f} s ({t_single / t_batched:.1f}×); train loss at t=-0.5/0/0.5/1/1.5: "
          + " / ".join(f"{batched.train_loss[i]:.3f}" for i in (0, 10, 20, 30, 40))
          + f"; test accuracy at t=1: {batched.test_metric[30]:.3f}")


def agreement(device: torch.device) -> None:
    torch.manual_seed(3)
    tiny = nn.Sequential(nn.Linear(3, 5), nn.Tanh(), nn.Linear(5, 3)).double()
    data = Split((torch.randn(40, 3, dtype=torch.float64),), torch.randint(0, 3, (40,)))
    cases = [("tiny tanh net 3-5-3 (38 parameters, float64)", tiny, data, nn.functional.cross_entropy)]
    trained = run(train_run, REGISTRY, "sgd:lr=0.5", steps=50, save_every=50, arch_config={"hidden": [4]})
    narrow = trained.model(REGISTRY)
    task = trained.task(REGISTRY)
    cases.append(("digits MLP [4] after 50 SGD steps (310 parameters, float32)", narrow, task.train, task.loss_fn))
    for label, model, split, loss_fn in cases:
        reference, t_dense = timed(lambda: dense_top(model, split, loss_fn))
        found, t_power = timed(lambda: run(cv.top_eigenvalue, model, split, loss_fn, tol=TOL, max_iter=MAX_ITER,
                                           device=device))
        print(f"{label}: power iteration {found.value:.6f} ({found.iterations} products, {t_power:.3f} s), "
              f"dense {reference:.6f} ({t_dense:.3f} s), relative difference "
              f"{abs(found.value - reference) / abs(reference):.2e}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cpu")
    device = pick_device(parser.parse_args().device)
    print(f"device: {describe_device(device)}, torch {torch.__version__}, {torch.get_num_threads()} threads")
    agreement(device)
    along_run(device)


if __name__ == "__main__":
    main()
