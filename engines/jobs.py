"""The engine/worker contract.

A job is a plain function ``job(reporter, **params) -> result``. While it runs it

* reports progress with ``reporter.progress(fraction, message)`` (fraction in [0, 1] or ``None``; work
  that reads input adds ``bytes_done``, the bytes read so far, from which a printer derives a rate),
* streams partial results with ``reporter.partial(payload)``: each payload is a snapshot the GUI may
  draw; a consumer may drop intermediate snapshots when it is busy, so a payload must be usable on its
  own (send cumulative state or self-contained chunks that are also kept in the final result),
* calls ``reporter.check()`` between chunks, which raises :class:`Cancelled` once cancellation was
  requested. A chunk is at most about 0.1 s of work on a busy core (Cancel stops a job within 0.2 s:
  tests/benchmarks/bench_cancel.py); work that cannot check that often (one long library call, a
  first-use import) runs in a job process, which :mod:`tasks.runner` terminates at once on Cancel.
  Once cancelled, a reporter delivers nothing more.

Jobs never import Qt; ``workbench.jobs`` runs them off the GUI thread and turns reports into signals.
From a script, :func:`run` runs a job in the calling thread with optional callbacks.
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any, Callable, Optional


class Cancelled(Exception):
    """Raised inside a job by :meth:`Reporter.check` once cancellation was requested."""


@dataclass(frozen=True)
class Progress:
    fraction: Optional[float]
    message: str
    bytes_done: Optional[int] = None  # bytes of input read so far, when the work reads input


class Reporter:
    """What a job sees of the outside world: progress, partial results, cancellation."""

    def __init__(
        self,
        on_progress: Optional[Callable[[Progress], None]] = None,
        on_partial: Optional[Callable[[Any], None]] = None,
        cancel_event: Optional[threading.Event] = None,
    ) -> None:
        self._on_progress = on_progress
        self._on_partial = on_partial
        self._cancel = cancel_event if cancel_event is not None else threading.Event()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def cancel(self) -> None:
        self._cancel.set()

    def check(self) -> None:
        """Raise :class:`Cancelled` if the job was asked to stop."""
        if self._cancel.is_set():
            raise Cancelled()

    def progress(self, fraction: Optional[float], message: str = "", bytes_done: Optional[int] = None) -> None:
        self.check()  # a cancelled job reports nothing more
        if fraction is not None:
            fraction = min(1.0, max(0.0, float(fraction)))
        if self._on_progress is not None:
            self._on_progress(Progress(fraction, message, bytes_done))
        self.check()

    def partial(self, payload: Any) -> None:
        self.check()
        if self._on_partial is not None:
            self._on_partial(payload)
        self.check()


class MappedReporter:
    """A reporter that hands each partial payload through ``fn`` to ``parent`` (a job wrapping another job's
    snapshots in its own result type); as one stage of a longer job, its progress fractions 0..1 become
    ``start``..``start + width`` of the parent's."""

    def __init__(self, parent: Reporter, fn: Callable[[Any], Any], start: float = 0.0, width: float = 1.0) -> None:
        self.parent, self.fn = parent, fn
        self.start, self.width = start, width

    @property
    def cancelled(self) -> bool:
        return self.parent.cancelled

    def check(self) -> None:
        self.parent.check()

    def progress(self, fraction: Optional[float], message: str = "", bytes_done: Optional[int] = None) -> None:
        self.parent.progress(None if fraction is None else self.start + self.width * fraction, message, bytes_done)

    def partial(self, payload: Any) -> None:
        self.parent.partial(self.fn(payload))


class SpanReporter(MappedReporter):
    """A reporter for one stage of a longer job: its progress fractions 0..1 become ``start``..``start + width``
    of the parent's; the stage's partials are dropped (the longer job sends its own)."""

    def __init__(self, parent: "Reporter | MappedReporter", start: float, width: float) -> None:
        super().__init__(parent, lambda payload: payload, start, width)

    def partial(self, payload: Any) -> None:
        self.parent.check()


def checker(reporter: Optional["Reporter | MappedReporter"]) -> Callable[[], None]:
    """``reporter.check``, or a no-op for an engine function called without a reporter (outside a job)."""
    return reporter.check if reporter is not None else _no_check


def _no_check() -> None:
    pass


class Throttle:
    """True at most once every ``interval`` seconds: lets a tight loop report at a sane rate."""

    def __init__(self, interval: float = 0.05) -> None:
        self.interval = interval
        self._last = -float("inf")

    def __call__(self) -> bool:
        now = time.monotonic()
        if now - self._last >= self.interval:
            self._last = now
            return True
        return False


def run(
    job: Callable[..., Any],
    *args: Any,
    on_progress: Optional[Callable[[Progress], None]] = None,
    on_partial: Optional[Callable[[Any], None]] = None,
    cancel_event: Optional[threading.Event] = None,
    **kwargs: Any,
) -> Any:
    """Run ``job`` in this thread (scripts, notebooks, the CLI)."""
    return job(Reporter(on_progress, on_partial, cancel_event), *args, **kwargs)
