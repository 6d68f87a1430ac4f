"""Counting, cutting and segmenting a corpus on a Dask distributed cluster (``dask.distributed``).

The corpus is cut into byte ranges at line ends (:mod:`engines.segment.ranges`); each range is a task that
reads its lines on a worker, so the corpus must lie at a path every worker sees. The partial n-gram tables
come back and are merged here in input order (sums: the same counts as one process); the n-gram table and
then the lexicon are broadcast to every worker (``Client.scatter``) for the cut pass and the segmentation,
whose results come back range by range in input order. The passes that follow (dropping rare words,
scoring, writing) read the same ranges here, so the output is that of a run on one machine.

``local:N`` starts a ``LocalCluster`` of N worker processes for the run (closed at its end, on an error or
a cancel too); ``tcp://HOST:PORT`` connects to a running scheduler (``dask scheduler``, with workers
started by ``dask worker tcp://HOST:PORT``).
"""
from __future__ import annotations

import contextlib
import logging
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable, Iterator

from engines.allocator import map_large_blocks
from engines.errors import InputError
from engines.segment import corpus as corpus_mod
from engines.segment.budget import counting_budget
from engines.segment.counted import Counted, over_budget, range_chunks
from engines.segment.counting import Counter, count_units
from engines.segment.gold import detect_format
from engines.segment.parallel import ordered_map
from engines.segment.ranges import ByteRange, plan_ranges
from engines.segment.scheduler import local_workers

CONNECT_TIMEOUT_S = 5
POLL_S = 0.1  # how often a wait for a task's result looks for a cancel


@contextlib.contextmanager
def connect(scheduler: str) -> Iterator[Any]:
    """A ``dask.distributed.Client`` for ``scheduler`` (a LocalCluster started for ``local:N`` and closed
    on leaving); InputError when a tcp scheduler does not answer within :data:`CONNECT_TIMEOUT_S` seconds."""
    from dask.distributed import Client, LocalCluster

    workers = local_workers(scheduler)
    with contextlib.ExitStack() as stack:
        if workers is not None:
            cluster = stack.enter_context(LocalCluster(n_workers=workers, threads_per_worker=1,
                                                       processes=True, dashboard_address=None,
                                                       silence_logs=logging.ERROR))
            client = stack.enter_context(Client(cluster))
        else:
            try:
                client = Client(scheduler, timeout=CONNECT_TIMEOUT_S)
            except (OSError, TimeoutError) as exc:
                raise InputError(f"no Dask scheduler answers at {scheduler} within {CONNECT_TIMEOUT_S} s: start "
                                 f"one there with `dask scheduler`, or use local:N") from exc
            stack.enter_context(client)
        yield client


def _workers(client) -> int:
    return max(1, len(client.scheduler_info().get("workers", {})))


def _map_range(rng: ByteRange, fmt: str | None, cnum: bool, fn: Callable[..., Any], *shared: Any) -> list:
    """Task: ``(characters, fn(chunk, *shared))`` for each chunk of one range."""
    map_large_blocks()
    return [(chunk.n_chars, fn(chunk, *shared)) for chunk in range_chunks(rng, fmt, cnum)]


class _Polled:
    """A task's future whose ``result()`` runs ``check`` every :data:`POLL_S` seconds while it waits."""

    def __init__(self, future, check: Callable[[], None]) -> None:
        self.future, self.check = future, check
        self._done = threading.Event()
        future.add_done_callback(lambda _: self._done.set())

    def result(self) -> Any:
        while not self._done.wait(POLL_S):  # not result(timeout=): a timed-out gather can lose the result
            self.check()
        return self.future.result()

    def cancel(self) -> None:
        self.future.cancel()


@dataclass
class ClusterMap:
    """Passes over a corpus's byte ranges as tasks of a client's cluster (see
    :func:`engines.segment.chunkmap.map_chunks`)."""

    client: Any
    ranges: list[ByteRange]
    fmt: str | None
    cnum: bool

    def results(self, reporter, task: Callable[..., Any], *args: Any) -> Iterator[tuple[ByteRange, Any]]:
        """``(range, task(range, *args))`` in input order, at most two tasks per worker in flight (a
        cancel is seen within :data:`POLL_S` while a task runs)."""
        submit = lambda rng: _Polled(self.client.submit(task, rng, *args, pure=False), reporter.check)  # noqa: E731
        for rng, result in ordered_map(None, self.ranges, submit=submit, window=2 * _workers(self.client)):
            reporter.check()
            yield rng, result

    def map(self, reporter, fn: Callable[..., Any], *shared: Any) -> Iterator[tuple[int, Any]]:
        shared = tuple(self.client.scatter(s, broadcast=True, hash=False) for s in shared)
        for _, results in self.results(reporter, _map_range, self.fmt, self.cnum, fn, *shared):
            yield from results


def _count_range(rng: ByteRange, fmt: str | None, cnum: bool, max_n: int) -> tuple:
    """Task: the n-gram table of one range, its characters, lines, whether every chunk has gold, its reading."""
    map_large_blocks()
    stats = corpus_mod.ReadStats()
    counter = Counter()
    n_chars = n_lines = 0
    has_gold = True
    for chunk in range_chunks(rng, fmt, cnum, stats):
        counter.add_table(count_units(chunk.units, max_n))
        n_chars += chunk.n_chars
        n_lines += chunk.n_lines - chunk.open_end
        has_gold &= chunk.gold is not None
    return counter.result(), n_chars, n_lines, has_gold, stats


def _gold_format(source: corpus_mod.CorpusSource) -> str | None:
    """The corpus's gold format, sniffed on its first chunk as a whole read does."""
    if source.gold_format is None:
        first = next(iter(corpus_mod.iter_line_chunks(source)), [])
        if detect_format(first) == "wordtag":
            source.gold_format = "wordtag"
    return source.gold_format


def count_on_cluster(reporter, client, corpus: str, max_n: int = 4, cnum: bool = True,
                     range_bytes: int | None = None, memory_budget: int | None = None) -> Counted:
    """Job: count ``corpus`` in byte ranges on ``client``'s workers and merge their tables here; the result
    keeps a :class:`ClusterMap` (``cluster``) through which the later passes run on the same cluster.
    ``range_bytes``: a task's share of a file (default :data:`engines.segment.ranges.RANGE_BYTES`)."""
    t0 = time.perf_counter()
    budget = counting_budget() if memory_budget is None else memory_budget
    source = corpus_mod.resolve(corpus)
    cluster = ClusterMap(client, plan_ranges(source, range_bytes), _gold_format(source), cnum)
    stats = corpus_mod.ReadStats()
    counter = Counter()
    n_chars = n_lines = read = 0
    has_gold = True
    total = max(source.total_bytes, 1)
    workers = _workers(client)
    for rng, (table, chars, lines, gold, got) in cluster.results(reporter, _count_range, cluster.fmt, cnum, max_n):
        if counter.merge_bytes(table) > budget:
            raise InputError(over_budget(source.name, counter, table, n_chars + chars, budget))
        counter.add_table(table)
        n_chars, n_lines, has_gold = n_chars + chars, n_lines + lines, has_gold and gold
        _add_stats(stats, got)
        read += rng.size
        reporter.progress(read / total, f"counting on {workers} workers: {read / 1e6:.1f} of {total / 1e6:.1f} MB",
                          read)
    source.check_unchanged()
    table = counter.result()
    if n_chars == 0:
        raise InputError(f"{source.name} holds no text")
    stats.bytes_read = read
    reporter.progress(1.0, f"counted {n_chars:,} characters, {table.distinct():,} distinct n-grams")
    counted = Counted(source.name, source, table, None, stats, n_chars, n_lines, has_gold, max_n, None, None,
                      time.perf_counter() - t0, cnum, ranges=cluster.ranges)
    counted.cluster = cluster
    return counted


def _add_stats(stats: corpus_mod.ReadStats, part: corpus_mod.ReadStats) -> None:
    stats.encodings.update(part.encodings)
    stats.invalid_bytes += part.invalid_bytes
    stats.lines += part.lines
    stats.warnings.extend(w for w in part.warnings if w not in stats.warnings)


def unsupported(corpus: str, gold: str | None, max_lines: int | None) -> None:
    """InputError for the settings a distributed run does not take (a gold file other than the corpus, a
    line limit)."""
    if max_lines is not None:
        raise InputError("--max-lines reads the first lines in order: leave it out with --scheduler")
    if gold is not None and gold != corpus:
        raise InputError("--gold with --scheduler: score a corpus that holds its own gold (word/tag tokens), "
                         "or run without --scheduler")

