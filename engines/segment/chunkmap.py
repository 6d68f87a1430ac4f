"""One pass over a counted corpus's chunks, in input order: on threads here, or as the tasks of a Dask
cluster (one per byte range, :mod:`engines.segment.distributed`) when the corpus was counted on one."""
from __future__ import annotations

from typing import Any, Callable, Iterator

from engines.segment.counted import Chunk, Counted, iter_chunks
from engines.segment.parallel import ordered_map


def map_chunks(reporter, counted: Counted, fn: Callable[..., Any], *shared: Any) -> Iterator[tuple[int, Any]]:
    """``(characters, fn(chunk, *shared))`` for each chunk of ``counted``, in order. Here ``fn`` also gets
    ``check=reporter.check``; on a cluster ``shared`` is sent to every worker once."""
    if counted.cluster is not None:
        yield from counted.cluster.map(reporter, fn, *shared)
        return

    def run(chunk: Chunk) -> Any:
        reporter.check()
        return fn(chunk, *shared, check=reporter.check)

    for chunk, result in ordered_map(run, iter_chunks(counted)):
        yield chunk.n_chars, result
