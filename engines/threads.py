"""Threads for the work size: how many intra-op threads torch gets for a loop of small steps.

Torch's default (one thread per core) pays on large operations, but a small model's step is over before
the threads have met at their barrier, and on a busy machine a thread waiting for a core stalls every
operation: ``train diffusion`` on the bundled moons took 64 s for 200 steps with the default threads on a
loaded 2-core machine and 2.4 s with one (tests/benchmarks/bench_threads.py measures it). So a job counts the
FLOPs of one step (torch.utils.flop_counter) and takes one thread per :data:`FLOPS_PER_THREAD` of them, no
more than the cores it may run on, and at least one. The choice depends on the work alone, never on the
machine's momentary load: a run's numbers (float reductions split over threads) are the same every time.
"""
from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from typing import Optional

import torch

FLOPS_PER_THREAD = 2e9  # FLOPs of a step per thread: below this a second thread costs more than it saves
BACKWARD_FACTOR = 3.0  # a training step: the forward pass plus a backward pass of about twice its FLOPs


def cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def threads_for(flops: float, available: Optional[int] = None) -> int:
    """Threads for a step of ``flops`` FLOPs: one per :data:`FLOPS_PER_THREAD`, between 1 and ``available``
    (default: :func:`cores`)."""
    limit = cores() if available is None else max(1, int(available))
    return max(1, min(limit, int(flops // FLOPS_PER_THREAD)))


def forward_flops(call: Callable[[], object]) -> int:
    """FLOPs of ``call()`` (a forward pass), counted by torch.utils.flop_counter, without autograd and
    without moving the CPU random stream (a training run stays what it was)."""
    from torch.utils.flop_counter import FlopCounterMode

    with torch.random.fork_rng(devices=[]), torch.no_grad(), FlopCounterMode(display=False) as counter:
        call()
    return int(counter.get_total_flops())


@contextlib.contextmanager
def torch_threads(n: int) -> Iterator[int]:
    """Run the enclosed torch work on ``n`` intra-op threads; the previous count is restored after."""
    n = max(1, int(n))
    old = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        yield n
    finally:
        torch.set_num_threads(old)


@contextlib.contextmanager
def step_threads(forward: Callable[[], object], repeats: float, device: object = "cpu") -> Iterator[int]:
    """:func:`torch_threads` for a loop of steps that each cost ``repeats`` × the FLOPs of ``forward()`` (e.g.
    the batch size × :data:`BACKWARD_FACTOR` with ``forward`` one sample's forward pass). On a CUDA or MPS
    device torch's setting stays: there the host threads only launch kernels."""
    if torch.device(device).type != "cpu":
        yield torch.get_num_threads()
        return
    with torch_threads(threads_for(repeats * forward_flops(forward))) as n:
        yield n
