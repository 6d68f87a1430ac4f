"""The status-bar job area: the visible panel's newest running job with its progress, how many others run
(listed in the tooltip), and Cancel (Esc), which stops the visible panel's jobs."""
from __future__ import annotations

from PySide6 import QtWidgets

from workbench.jobs import JobHandle


class JobBar(QtWidgets.QWidget):
    """Running jobs in the status bar. :meth:`set_owner` says which panel is in front: its jobs are the
    ones shown first and the ones Cancel stops (every job when it has none)."""

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.message = QtWidgets.QLabel()
        self.message.setMinimumWidth(220)
        self.others = QtWidgets.QLabel()
        self.bar = QtWidgets.QProgressBar()
        self.bar.setFixedWidth(180)
        self.bar.setTextVisible(True)
        self.cancel_button = QtWidgets.QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.cancel)
        self.cancel_button.setSizePolicy(QtWidgets.QSizePolicy.Policy.Maximum, QtWidgets.QSizePolicy.Policy.Fixed)
        layout = QtWidgets.QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.message)
        layout.addWidget(self.bar)
        layout.addWidget(self.others)
        layout.addWidget(self.cancel_button)
        self.owner = ""
        self._jobs: list[JobHandle] = []
        self._progress: dict[int, object] = {}  # id(handle) -> its latest engines.jobs.Progress
        self._refresh()

    def track(self, handle: JobHandle) -> None:
        self._jobs.append(handle)
        handle.progress.connect(lambda p, h=handle: self._on_progress(h, p))
        handle.done.connect(lambda h=handle: self._on_done(h))
        self._refresh()

    def set_owner(self, owner: str) -> None:
        """The panel in front changed."""
        self.owner = owner
        self._refresh()

    def _mine(self) -> list[JobHandle]:
        return [h for h in self._jobs if h.owner == self.owner]

    @property
    def active(self) -> JobHandle | None:
        """The job shown: the front panel's newest, else the newest of all."""
        jobs = self._mine() or self._jobs
        return jobs[-1] if jobs else None

    def cancel(self) -> None:
        """Stop the front panel's jobs (all jobs when it runs none)."""
        targets = self._mine() or list(self._jobs)
        for handle in targets:
            handle.cancel()
        if targets:
            self.message.setText(f"{targets[-1].title}: cancelling…" if len(targets) == 1
                                 else f"cancelling {len(targets)} jobs…")

    def _on_progress(self, handle: JobHandle, progress) -> None:
        self._progress[id(handle)] = progress
        if handle is self.active:
            self._show(handle)

    def _on_done(self, handle: JobHandle) -> None:
        self._jobs = [h for h in self._jobs if h is not handle]
        self._progress.pop(id(handle), None)
        self._refresh()

    def _show(self, handle: JobHandle) -> None:
        progress = self._progress.get(id(handle))
        if progress is None or progress.fraction is None:
            self.bar.setRange(0, 0)
        else:
            self.bar.setRange(0, 1000)
            self.bar.setValue(int(progress.fraction * 1000))
        message = getattr(progress, "message", "")
        self.message.setText(handle.title + (f": {message}" if message else ""))

    def _refresh(self) -> None:
        handle = self.active
        self.setVisible(handle is not None)
        if handle is None:
            return
        self._show(handle)
        rest = [h for h in self._jobs if h is not handle]
        self.others.setText(f"+{len(rest)} more" if rest else "")
        self.others.setVisible(bool(rest))
        running = "\n".join(f"{h.owner}: {h.title}" for h in self._jobs)
        self.setToolTip(f"Running:\n{running}")
        mine = len(self._mine())
        self.cancel_button.setToolTip(f"Stop this panel's {mine} job{'s' if mine != 1 else ''} (Esc)" if mine
                                      else "Stop every running job (Esc)")
