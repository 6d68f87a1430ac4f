"""Benchmark: a 41×41 loss landscape of the digits MLP (Li et al. 2018), grid points evaluated in batches
vs one at a time, both as tomgoldstein/loss-landscape does it (weights copied into the module,
loss over minibatches of 128) and as a lean single functional_call over the whole training set. The
one-at-a-time paths run on a few grid rows and are extrapolated to the grid; each timing is the best of
``REPEATS``, the contenders timed in turns (other processes share the CPU), in wall-clock and in CPU time.
Targets: batched ≥ 2× the lean one-at-a-time path on the whole training split, ≥ 5× on 256 samples. The
digits MLP is a plain MLP, evaluated layer by layer for a chunk of grid points without vmap
(:mod:`engines.landscape.mlp_plane`).

Run: ``.venv/bin/python tests/benchmarks/bench_landscape.py``. Prints timings; asserts nothing.
"""
from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np
import torch

from engines.device import describe_device, pick_device
from engines.jobs import run
from engines.landscape import digits
from engines.landscape import planes as ls
from engines.landscape.registry import Registry, Split

N = 41
ROWS = (0, 20, 40)  # grid rows evaluated one point at a time
REFERENCE_BATCH = 128  # the reference code's default evaluation batch size
REPEATS = 5
REGISTRY = Registry()
digits.register(REGISTRY)


def interleaved_best(fns: dict[str, Callable[[], object]]) -> tuple[dict[str, float], dict[str, float]]:
    """The best of ``REPEATS`` wall-clock and CPU (process) timings of each function, taken in turns (round
    after round), so that the load of other processes on the shared CPU weighs on every contender alike;
    CPU time leaves out the waits for a core."""
    wall: dict[str, list[float]] = {k: [] for k in fns}
    cpu: dict[str, list[float]] = {k: [] for k in fns}
    for _ in range(REPEATS):
        for name, fn in fns.items():
            start, start_cpu = time.perf_counter(), time.process_time()
            fn()
            wall[name].append(time.perf_counter() - start)
            cpu[name].append(time.process_time() - start_cpu)
    return {k: min(v) for k, v in wall.items()}, {k: min(v) for k, v in cpu.items()}


@torch.no_grad()
def reference_style(model: torch.nn.Module, data: Split, loss_fn, center, dirs, a: float, b: float) -> float:
    """One grid point as in loss-landscape: set the weights in place, then average minibatch losses."""
    for name, p in model.named_parameters():
        p.copy_(center[name] + a * dirs.d1[name] + b * dirs.d2[name])
    total = 0.0
    for start in range(0, len(data), REFERENCE_BATCH):
        part = data.take(slice(start, start + REFERENCE_BATCH))
        total += float(loss_fn(model(*part.inputs), part.targets)) * len(part)
    return total / len(data)


def bench(model: torch.nn.Module, data: Split, loss_fn, center, dirs, target: float) -> None:
    print(f"-- {len(data)} samples per grid point")
    auto = ls.auto_batch_points(model, data, 4096)
    result = run(ls.loss_surface, model, data, loss_fn, dirs, n=N, device="cpu")
    points = [(float(a), float(result.b[i])) for i in ROWS for a in result.a]
    copy = REGISTRY.build_model("digits_mlp").eval()
    scale = N * N / len(points)
    chunks = (auto, 16, 64, 256)
    fns: dict[str, Callable[[], object]] = {
        str(chunk): lambda chunk=chunk: run(ls.loss_surface, model, data, loss_fn, dirs, n=N, device="cpu",
                                            batch_points=chunk) for chunk in chunks}
    fns["lean"] = lambda: [ls.point_loss(model, data, loss_fn, center, dirs, a, b) for a, b in points]
    fns["reference"] = lambda: [reference_style(copy, data, loss_fn, center, dirs, a, b) for a, b in points]
    best, cpu = interleaved_best(fns)
    timings = {chunk: best[str(chunk)] for chunk in chunks}
    lean, ref = best["lean"], best["reference"]
    for chunk in chunks:
        label = f"{chunk} (auto)" if chunk == auto else str(chunk)
        print(f"batched, {label:>9} points per call: {timings[chunk]:6.2f} s ({N * N / timings[chunk]:6.0f} points/s)")
    single = np.array([ls.point_loss(model, data, loss_fn, center, dirs, a, b) for a, b in points])
    print(f"one at a time, lean functional_call: {lean / len(points) * 1e3:.3f} ms/point, "
          f"grid ≈ {lean * scale:.2f} s")
    print(f"one at a time, reference style (weights into module, batches of {REFERENCE_BATCH}): "
          f"{ref / len(points) * 1e3:.3f} ms/point, grid ≈ {ref * scale:.2f} s")
    print(f"max |batched − single| on {len(points)} points: "
          f"{np.abs(single.reshape(len(ROWS), N) - result.loss[list(ROWS)]).max():.2e}")
    fastest = min(timings.values())
    print(f"speed-up of batching: auto chunk {lean * scale / timings[auto]:.2f}× / best chunk "
          f"{lean * scale / fastest:.2f}× over lean (target ≥ {target:g}×), auto {ref * scale / timings[auto]:.2f}× / "
          f"best {ref * scale / fastest:.2f}× over reference style")
    fastest_cpu = min(cpu[str(chunk)] for chunk in chunks)
    print(f"in CPU time: auto chunk {cpu['lean'] * scale / cpu[str(auto)]:.2f}× / best chunk "
          f"{cpu['lean'] * scale / fastest_cpu:.2f}× over lean, auto {cpu['reference'] * scale / cpu[str(auto)]:.2f}× / "
          f"best {cpu['reference'] * scale / fastest_cpu:.2f}× over reference style")


def main() -> None:
    torch.manual_seed(0)
    model = REGISTRY.build_model("digits_mlp").eval()
    task = REGISTRY.load_task("digits")
    center = ls.parameters(model)
    dirs = ls.random_directions(center, seed=1)
    n_params = sum(v.numel() for v in center.values())
    print(f"digits MLP, {n_params} parameters, {N}×{N} grid, {describe_device(pick_device('cpu'))}, "
          f"best of {REPEATS}")
    run(ls.loss_surface, model, task.train, task.loss_fn, dirs, n=5, device="cpu")  # warm-up
    bench(model, task.train, task.loss_fn, center, dirs, 2.0)  # the whole training set, as in Li et al.
    bench(model, task.train.take(slice(0, 256)), task.loss_fn, center, dirs, 5.0)


if __name__ == "__main__":
    main()
