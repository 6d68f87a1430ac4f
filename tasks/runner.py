"""Running a job to its outcome, in this thread or in a subprocess: the one runner the GUI and the CLI share.

A job is ``fn(reporter, *args, **kwargs)`` (the contract of :mod:`engines.jobs`). :func:`execute` runs it
here, :func:`execute_in_process` in a spawned process (work that holds the GIL for long, such as InfoMap,
t-SNE or a training loop), both returning an :class:`Outcome` instead of raising. The GUI's job manager
calls them from a worker thread; :func:`run` is the command line's entry, which raises the job's error.

Process jobs are pickled by value (top-level functions and plain data); their reports come back through a
queue, each payload pickled by value too (a queue would pass torch tensors as shared-memory handles, which
die with the process). A process job has no effect but its reports, so cancelling it terminates the
process at once: no job waits for its next cancellation check (t-SNE or InfoMap inside one library call,
a training step), and the caller gets ``cancelled`` within :data:`POLL_S` plus the process's exit.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any, Callable, Optional

from engines.errors import InputError
from engines.jobs import Cancelled, Progress, Reporter

POLL_S = 0.02


@dataclass(frozen=True)
class JobError:
    """A job's failure as users see it: a one-line message, the traceback, and whether it was bad input
    (an :class:`~engines.errors.InputError`, whose message is a sentence for the user) or a bug."""

    message: str
    details: str
    input_error: bool = False


@dataclass(frozen=True)
class Outcome:
    """How a job ended: ``kind`` is "ok" (``value`` is the result), "cancelled" or "error" (a JobError)."""

    kind: str
    value: Any = None


class JobFailed(Exception):
    """A job's error re-raised in the caller (not bad input: a bug, with the job's traceback)."""

    def __init__(self, error: JobError) -> None:
        super().__init__(error.message)
        self.error = error


def describe_error(exc: BaseException) -> JobError:
    import traceback

    details = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    if isinstance(exc, InputError):
        return JobError(str(exc), details, True)
    return JobError(f"{type(exc).__name__}: {exc}", details)


ProgressCallback = Optional[Callable[[Progress], None]]
PartialCallback = Optional[Callable[[Any], None]]


def execute(fn: Callable[..., Any], args: tuple = (), kwargs: dict | None = None, on_progress: ProgressCallback = None,
            on_partial: PartialCallback = None, cancel_event: threading.Event | None = None) -> Outcome:
    """Run ``fn(reporter, *args, **kwargs)`` in this thread."""
    reporter = Reporter(on_progress, on_partial, cancel_event)
    try:
        return Outcome("ok", fn(reporter, *args, **(kwargs or {})))
    except Cancelled:
        return Outcome("cancelled")
    except BaseException as exc:  # noqa: BLE001 - every failure must reach the user
        return Outcome("error", describe_error(exc))


def _child_main(fn: Callable[..., Any], args: tuple, kwargs: dict, out: Any) -> None:
    """Entry point of a job subprocess: runs the job and sends its reports and outcome through ``out``."""
    import pickle

    def send(kind: str, payload: Any) -> None:
        out.put((kind, pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL)))

    outcome = execute(fn, args, kwargs, lambda p: send("progress", p), lambda p: send("partial", p))
    try:
        send(outcome.kind, outcome.value)
    except Exception as exc:  # noqa: BLE001 - a result that cannot be pickled is the job's bug
        send("error", describe_error(exc))


def execute_in_process(fn: Callable[..., Any], args: tuple = (), kwargs: dict | None = None,
                       on_progress: ProgressCallback = None, on_partial: PartialCallback = None,
                       cancel_event: threading.Event | None = None) -> Outcome:
    """Run ``fn(reporter, *args, **kwargs)`` in a spawned process; reports arrive through the callbacks,
    called in this thread."""
    import multiprocessing
    import pickle
    import queue

    cancel_event = cancel_event if cancel_event is not None else threading.Event()
    ctx = multiprocessing.get_context("spawn")
    out = ctx.Queue()
    proc = ctx.Process(target=_child_main, args=(fn, args, kwargs or {}, out), daemon=True)
    proc.start()
    try:
        while True:
            if cancel_event.is_set():
                return Outcome("cancelled")  # the process is terminated below
            try:
                kind, data = out.get(timeout=POLL_S)
            except queue.Empty:
                if not proc.is_alive() and out.empty():
                    return Outcome("error", JobError(
                        f"the job's process ended unexpectedly (exit code {proc.exitcode})", ""))
                continue
            if cancel_event.is_set():
                continue  # nothing reaches the caller after Cancel
            payload = pickle.loads(data)
            if kind == "progress":
                if on_progress is not None:
                    on_progress(payload)
            elif kind == "partial":
                if on_partial is not None:
                    on_partial(payload)
            else:
                return Outcome(kind, payload)
    finally:  # the outcome is in (or the job cancelled): nothing the process still does is wanted
        if proc.is_alive():
            proc.terminate()
        proc.join(timeout=1.0)
        if proc.is_alive():
            proc.kill()
            proc.join()


def run(fn: Callable[..., Any], *args: Any, process: bool = False, on_progress: ProgressCallback = None,
        on_partial: PartialCallback = None, **kwargs: Any) -> Any:
    """Run a job to its result (the command line): in this thread, or in a subprocess when ``process``.

    A process job's :class:`~engines.errors.InputError` is raised again as such, any other failure as
    :class:`JobFailed` (with the child's traceback); Ctrl+C cancels it and raises KeyboardInterrupt."""
    if not process:
        return fn(Reporter(on_progress, on_partial), *args, **kwargs)
    cancel = threading.Event()
    try:
        outcome = execute_in_process(fn, args, kwargs, on_progress, on_partial, cancel)
    except KeyboardInterrupt:
        cancel.set()
        raise
    if outcome.kind == "ok":
        return outcome.value
    if outcome.kind == "cancelled":
        raise KeyboardInterrupt
    error: JobError = outcome.value
    if error.input_error:
        raise InputError(error.message)
    raise JobFailed(error)
