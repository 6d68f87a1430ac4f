"""The status-bar job area: progress bar, message, Cancel."""
from __future__ import annotations

from PySide6 import QtWidgets

from workbench.jobs import JobHandle


class JobBar(QtWidgets.QWidget):
    """Shows the most recently started job that is still running; Cancel (Esc) stops it."""

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.message = QtWidgets.QLabel()
        self.message.setMinimumWidth(220)
        self.bar = QtWidgets.QProgressBar()
        self.bar.setFixedWidth(180)
        self.bar.setTextVisible(True)
        self.cancel_button = QtWidgets.QPushButton("Cancel")
        self.cancel_button.setToolTip("Stop the running job (Esc)")
        self.cancel_button.clicked.connect(self.cancel)
        layout = QtWidgets.QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.message)
        layout.addWidget(self.bar)
        layout.addWidget(self.cancel_button)
        self._jobs: list[JobHandle] = []
        self._refresh()

    def track(self, handle: JobHandle) -> None:
        self._jobs.append(handle)
        handle.progress.connect(lambda p, h=handle: self._on_progress(h, p))
        handle.done.connect(lambda h=handle: self._on_done(h))
        self._refresh()

    @property
    def active(self) -> JobHandle | None:
        return self._jobs[-1] if self._jobs else None

    def cancel(self) -> None:
        if self.active is not None:
            self.active.cancel()
            self.message.setText(f"{self.active.title}: cancelling…")

    def _on_progress(self, handle: JobHandle, progress) -> None:
        if handle is not self.active:
            return
        if progress.fraction is None:
            self.bar.setRange(0, 0)
        else:
            self.bar.setRange(0, 1000)
            self.bar.setValue(int(progress.fraction * 1000))
        text = handle.title + (f": {progress.message}" if progress.message else "")
        self.message.setText(text)

    def _on_done(self, handle: JobHandle) -> None:
        self._jobs = [h for h in self._jobs if h is not handle]
        self._refresh()

    def _refresh(self) -> None:
        handle = self.active
        self.setVisible(handle is not None)
        if handle is not None:
            self.message.setText(handle.title)
            self.bar.setRange(0, 0)

