"""Runs engine jobs off the GUI thread and turns their reports into Qt signals.

Thread jobs run in superqt's FunctionWorker (a QRunnable in the global thread pool, what napari
uses). Jobs that hold the GIL for long run in a subprocess (``process=True``), fed back through a
queue that a thread worker pumps, so the window never freezes; cancelling such a job terminates the
process if it does not stop by itself within 200 ms.

Progress and partial results are coalesced: the GUI gets the latest one, never a backlog.
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any, Callable

from PySide6 import QtCore


CANCEL_GRACE_S = 0.2


@dataclass(frozen=True)
class JobError:
    """A job's failure as the UI shows it: a one-line message and the details."""

    message: str
    details: str


def describe_error(exc: BaseException) -> JobError:
    import traceback

    from engines.errors import InputError

    details = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    if isinstance(exc, InputError):
        return JobError(str(exc), details)
    return JobError(f"{type(exc).__name__}: {exc}", details)


class JobHandle(QtCore.QObject):
    """One running job. Signals arrive on the GUI thread; exactly one of succeeded/failed/cancelled, then done."""

    progress = QtCore.Signal(object)  # engines.jobs.Progress
    partial = QtCore.Signal(object)
    succeeded = QtCore.Signal(object)
    failed = QtCore.Signal(object)  # JobError
    cancelled = QtCore.Signal()
    done = QtCore.Signal()
    _wake = QtCore.Signal()

    def __init__(self, owner: str, title: str) -> None:
        super().__init__()
        self.owner = owner
        self.title = title
        self.cancel_event = threading.Event()
        self.finished = False
        self._lock = threading.Lock()
        self._pending: dict[str, Any] = {}
        self._wake.connect(self._deliver, QtCore.Qt.ConnectionType.QueuedConnection)

    @property
    def running(self) -> bool:
        return not self.finished

    def cancel(self) -> None:
        self.cancel_event.set()

    # called from the worker thread
    def _post(self, kind: str, payload: Any) -> None:
        with self._lock:
            wake = not self._pending
            self._pending[kind] = payload
        if wake:
            self._wake.emit()

    # GUI thread
    def _deliver(self) -> None:
        with self._lock:
            pending, self._pending = self._pending, {}
        if "progress" in pending:
            self.progress.emit(pending["progress"])
        if "partial" in pending:
            self.partial.emit(pending["partial"])

    def _finish(self, outcome: tuple[str, Any]) -> None:
        self._deliver()
        self.finished = True
        kind, value = outcome
        if kind == "ok":
            self.succeeded.emit(value)
        elif kind == "cancelled":
            self.cancelled.emit()
        else:
            import logging

            logging.getLogger(__name__).error("job %r of %s failed: %s\n%s", self.title, self.owner, value.message, value.details)
            self.failed.emit(value)
        self.done.emit()


def _run_in_thread(handle: JobHandle, fn: Callable[..., Any], args: tuple, kwargs: dict) -> tuple[str, Any]:
    from engines.jobs import Cancelled, Reporter

    reporter = Reporter(
        on_progress=lambda p: handle._post("progress", p),
        on_partial=lambda p: handle._post("partial", p),
        cancel_event=handle.cancel_event,
    )
    try:
        return "ok", fn(reporter, *args, **kwargs)
    except Cancelled:
        return "cancelled", None
    except BaseException as exc:  # noqa: BLE001 - every failure must reach the UI
        return "error", describe_error(exc)


def _child_main(fn: Callable[..., Any], args: tuple, kwargs: dict, out: Any, cancel: Any) -> None:
    """Entry point of a job subprocess: runs the job and sends its reports through ``out``."""
    import pickle

    from engines.jobs import Cancelled, Reporter

    def send(kind: str, payload: Any) -> None:
        # plain pickle, by value: the queue's own pickler would pass torch tensors as shared-memory handles,
        # which die with this process
        out.put((kind, pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL)))

    reporter = Reporter(lambda p: send("progress", p), lambda p: send("partial", p), cancel)
    try:
        send("ok", fn(reporter, *args, **kwargs))
    except Cancelled:
        send("cancelled", None)
    except BaseException as exc:  # noqa: BLE001
        err = describe_error(exc)
        send("error", (err.message, err.details))


def _run_in_process(handle: JobHandle, fn: Callable[..., Any], args: tuple, kwargs: dict) -> tuple[str, Any]:
    import multiprocessing
    import pickle
    import queue

    ctx = multiprocessing.get_context("spawn")
    out = ctx.Queue()
    cancel = ctx.Event()
    proc = ctx.Process(target=_child_main, args=(fn, args, kwargs, out, cancel), daemon=True)
    proc.start()
    cancel_deadline = None
    try:
        while True:
            if handle.cancel_event.is_set() and cancel_deadline is None:
                cancel.set()
                cancel_deadline = time.monotonic() + CANCEL_GRACE_S
            if cancel_deadline is not None and time.monotonic() > cancel_deadline:
                proc.terminate()
                return "cancelled", None
            try:
                kind, data = out.get(timeout=0.02)
            except queue.Empty:
                if not proc.is_alive() and out.empty():
                    return "error", JobError(f"the job's process ended unexpectedly (exit code {proc.exitcode})", "")
                continue
            payload = pickle.loads(data)
            if kind in ("progress", "partial"):
                handle._post(kind, payload)
            elif kind == "error":
                return "error", JobError(*payload)
            else:
                return kind, payload
    finally:
        proc.join(timeout=1.0)
        if proc.is_alive():
            proc.kill()


class JobManager(QtCore.QObject):
    """Starts jobs for panels; a panel's new job cancels and replaces its running one."""

    started = QtCore.Signal(object)  # JobHandle
    ended = QtCore.Signal(object)  # JobHandle

    def __init__(self, parent: QtCore.QObject | None = None) -> None:
        super().__init__(parent)
        self._current: dict[str, JobHandle] = {}
        self._workers: set[Any] = set()

    def start(
        self,
        owner: str,
        title: str,
        fn: Callable[..., Any],
        *args: Any,
        process: bool = False,
        **kwargs: Any,
    ) -> JobHandle:
        """Run ``fn(reporter, *args, **kwargs)`` off the GUI thread, in a subprocess if ``process``."""
        from superqt.utils import FunctionWorker  # imported here: superqt loads all its widgets (~0.2 s)

        previous = self._current.get(owner)
        if previous is not None and previous.running:
            previous.cancel()
        handle = JobHandle(owner, title)
        self._current[owner] = handle
        runner = _run_in_process if process else _run_in_thread
        worker = FunctionWorker(runner, handle, fn, args, kwargs)
        worker.returned.connect(handle._finish)
        worker.errored.connect(lambda exc: handle._finish(("error", describe_error(exc))))
        worker.finished.connect(lambda: self._workers.discard(worker))
        handle.done.connect(lambda: self._ended(handle))
        self._workers.add(worker)
        worker.start()
        self.started.emit(handle)
        return handle

    def _ended(self, handle: JobHandle) -> None:
        if self._current.get(handle.owner) is handle:
            del self._current[handle.owner]
        self.ended.emit(handle)

    def current(self, owner: str) -> JobHandle | None:
        return self._current.get(owner)

    def running(self) -> list[JobHandle]:
        return [h for h in self._current.values() if h.running]

    def cancel_all(self) -> None:
        for handle in list(self._current.values()):
            handle.cancel()

    def shutdown(self, timeout_ms: int = 3000) -> bool:
        """Cancel every job and wait for the worker threads; False if some did not stop in time."""
        self.cancel_all()
        return QtCore.QThreadPool.globalInstance().waitForDone(timeout_ms)
