"""Runs jobs off the GUI thread and turns their reports into Qt signals.

Thread jobs run in superqt's FunctionWorker (a QRunnable in the global thread pool, what napari uses).
Jobs that hold the GIL for long run in a subprocess (``process=True``) through the same runner the
command line uses (:mod:`tasks.runner`), pumped by a thread worker, so the window never freezes.

Progress and partial results are coalesced: the GUI gets the latest one, never a backlog.

Each panel starts its jobs through :class:`JobSlot` objects, one per kind of job. Starting a job in a slot
cancels the job running there, and the jobs in the slots it ``invalidates`` (a grid computed for the
previous model, say). A cancelled or replaced job is *silent* from that moment: none of its partials,
progress, result or error reach the panel any more; it ends with ``cancelled`` and ``done``.
"""
from __future__ import annotations

import logging
import threading
from typing import Any, Callable

from PySide6 import QtCore

from tasks.runner import JobError, Outcome, describe_error, execute, execute_in_process

__all__ = ["JobError", "JobHandle", "JobManager", "JobSlot"]


class JobHandle(QtCore.QObject):
    """One job. Signals arrive on the GUI thread; exactly one of succeeded/failed/cancelled, then done.

    After :meth:`cancel` the handle is silent: only ``cancelled`` and ``done`` are still emitted, even if
    the job goes on to return a result (a job that never checks for cancellation) or fails."""

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
        self.owner_reports_failure = False  # set by a caller that shows the failure itself (the shell then does not)
        self._lock = threading.Lock()
        self._pending: dict[str, Any] = {}
        self._wake.connect(self._deliver, QtCore.Qt.ConnectionType.QueuedConnection)

    @property
    def running(self) -> bool:
        return not self.finished

    @property
    def silenced(self) -> bool:
        return self.cancel_event.is_set()

    def cancel(self) -> None:
        """Ask the job to stop; from now on nothing of it but ``cancelled`` reaches the GUI."""
        self.cancel_event.set()

    # called from the worker thread
    def _post(self, kind: str, payload: Any) -> None:
        if self.silenced:
            return
        with self._lock:
            wake = not self._pending
            self._pending[kind] = payload
        if wake:
            self._wake.emit()

    # GUI thread
    @QtCore.Slot()
    def _deliver(self) -> None:
        with self._lock:
            pending, self._pending = self._pending, {}
        if self.silenced:
            return
        if "progress" in pending:
            self.progress.emit(pending["progress"])
        if "partial" in pending and not self.silenced:  # a progress slot may have cancelled the job
            self.partial.emit(pending["partial"])

    @QtCore.Slot(object)
    def _finish(self, outcome: Outcome) -> None:
        if self.finished:
            return
        self._deliver()
        self.finished = True
        if self.silenced or outcome.kind == "cancelled":
            self.cancelled.emit()
        elif outcome.kind == "ok":
            self.succeeded.emit(outcome.value)
        else:
            error: JobError = outcome.value
            logging.getLogger(__name__).error("job %r of %s failed: %s\n%s", self.title, self.owner, error.message,
                                              error.details)
            self.failed.emit(error)
        self.done.emit()

    @QtCore.Slot(object)
    def _crashed(self, exc: BaseException) -> None:
        self._finish(Outcome("error", describe_error(exc)))


def _run(handle: JobHandle, fn: Callable[..., Any], args: tuple, kwargs: dict, process: bool) -> Outcome:
    """The worker thread's body: run the job here or in a subprocess, reporting into ``handle``."""
    runner = execute_in_process if process else execute
    return runner(fn, args, kwargs, lambda p: handle._post("progress", p), lambda p: handle._post("partial", p),
                  handle.cancel_event)


class JobSlot:
    """One kind of job of one owner (a panel): at most one runs; a new one replaces it.

    ``invalidates`` are the slots whose results depend on this slot's: their running jobs are cancelled when
    a job starts here and again when it succeeds, before the panel sees its result (jobs started for the
    old model in between can never deliver)."""

    def __init__(self, manager: "JobManager", owner: str, name: str, invalidates: tuple["JobSlot", ...] = ()) -> None:
        self.manager = manager
        self.owner = owner
        self.name = name
        self.invalidates = invalidates
        self.current: JobHandle | None = None

    @property
    def key(self) -> str:
        return f"{self.owner}.{self.name}" if self.name else self.owner

    @property
    def running(self) -> bool:
        return self.current is not None and self.current.running

    def cancel(self) -> None:
        if self.current is not None and self.current.running:
            self.current.cancel()

    def start(self, title: str, fn: Callable[..., Any], *args: Any, process: bool = False, **kwargs: Any) -> JobHandle:
        """Run ``fn(reporter, *args, **kwargs)`` off the GUI thread (in a subprocess if ``process``),
        cancelling and silencing this slot's running job and those of the slots it invalidates."""
        self.cancel()
        self._invalidate()
        handle = self.manager.launch(self.key, title, fn, args, kwargs, process)
        self.current = handle
        handle.succeeded.connect(self._invalidate)  # connected first: runs before the panel's slots
        handle.done.connect(lambda: self._ended(handle))
        return handle

    def _invalidate(self, *_: Any) -> None:
        for slot in self.invalidates:
            slot.cancel()

    def _ended(self, handle: JobHandle) -> None:
        if self.current is handle:
            self.current = None


class JobManager(QtCore.QObject):
    """Starts jobs off the GUI thread; keeps every running one so the window can cancel them on close."""

    started = QtCore.Signal(object)  # JobHandle
    ended = QtCore.Signal(object)  # JobHandle

    def __init__(self, parent: QtCore.QObject | None = None) -> None:
        super().__init__(parent)
        self._running: list[JobHandle] = []
        self._workers: set[Any] = set()

    def slot(self, owner: str, name: str = "", invalidates: tuple[JobSlot, ...] = ()) -> JobSlot:
        """A new job slot for ``owner`` (a panel's name); see :class:`JobSlot`."""
        return JobSlot(self, owner, name, invalidates)

    def launch(self, owner: str, title: str, fn: Callable[..., Any], args: tuple = (), kwargs: dict | None = None,
               process: bool = False) -> JobHandle:
        """Start a job with no slot (it replaces nothing); panels use :meth:`slot` instead."""
        from superqt.utils import FunctionWorker  # imported here: superqt loads all its widgets (~0.2 s)

        handle = JobHandle(owner, title)
        worker = FunctionWorker(_run, handle, fn, args, kwargs or {}, process)
        worker.returned.connect(handle._finish)
        worker.errored.connect(handle._crashed)
        worker.finished.connect(lambda: self._workers.discard(worker))
        handle.done.connect(lambda: self._ended(handle))
        self._running.append(handle)
        self._workers.add(worker)
        worker.start()
        self.started.emit(handle)
        return handle

    def _ended(self, handle: JobHandle) -> None:
        self._running = [h for h in self._running if h is not handle]
        self.ended.emit(handle)

    def running(self) -> list[JobHandle]:
        return [h for h in self._running if h.running]

    def cancel_all(self) -> None:
        for handle in list(self._running):
            handle.cancel()

    def shutdown(self, timeout_ms: int = 3000) -> bool:
        """Cancel every job and wait for the worker threads; False if some did not stop in time."""
        self.cancel_all()
        return QtCore.QThreadPool.globalInstance().waitForDone(timeout_ms)
