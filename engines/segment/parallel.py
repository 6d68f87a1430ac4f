"""Chunks of a corpus processed side by side in threads (numpy releases the GIL in its kernels): whole chunks
in parallel use the cores fully, where the small vector operations of one chunk would not.
"""
from __future__ import annotations

import contextlib
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from functools import partial
from typing import Callable, Iterable, Iterator, TypeVar

from engines.budget import cores

T = TypeVar("T")
R = TypeVar("R")

MAX_THREADS = 4


def default_threads() -> int:
    """Threads for chunk-parallel passes: the cores this process may use, at most MAX_THREADS."""
    return max(1, min(MAX_THREADS, cores()))


def ordered_map(fn: Callable[[T], R] | None, items: Iterable[T], threads: int | None = None,
                submit: Callable[[T], Future] | None = None, window: int | None = None) -> Iterator[tuple[T, R]]:
    """``(item, fn(item))`` for each item, in order, computed on ``threads`` threads, or by ``submit`` (which
    hands an item to an executor of the caller's, a process pool say, and returns the future; ``fn`` is then
    unused). At most ``window`` items (default: two per thread) are in flight, so a streamed corpus stays
    streamed."""
    threads = default_threads() if threads is None else threads
    if submit is None and threads <= 1:
        for item in items:
            yield item, fn(item)
        return
    window = window or 2 * threads
    with contextlib.ExitStack() as stack:
        if submit is None:
            pool = stack.enter_context(ThreadPoolExecutor(threads, thread_name_prefix="segment"))
            submit = partial(pool.submit, fn)
        pending: deque = deque()
        try:
            for item in items:
                pending.append((item, submit(item)))
                if len(pending) >= window:
                    done, future = pending.popleft()
                    yield done, future.result()
            while pending:
                done, future = pending.popleft()
                yield done, future.result()
        finally:
            for _, future in pending:
                future.cancel()
