"""The NFE timeline: play / pause / step and a slider over model calls, shared by every frame view; its last
position, one after the last call, shows the samples the samplers returned."""
from __future__ import annotations

from PySide6 import QtWidgets

from workbench.widgets.playback import PlaybackControls

SPEEDS = (2, 5, 10, 20, 40)  # model calls per second
DEFAULT_SPEED = 10


class Timeline(PlaybackControls):
    """Emits :attr:`index_changed` with the model-call index (0-based; ``calls`` for the returned samples);
    Space / Left / Right drive it."""

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent, speeds=SPEEDS, default_speed=DEFAULT_SPEED, unit="calls",
                         tips=("Play / pause the sampling, one model call per frame (Space)",
                               "One model call back (Left)", "One model call forward (Right)",
                               "Scrub through the model calls (NFE) of every sampler at once; the last position "
                               "shows the samples each sampler returned"),
                         label_sample="model call 1000 / 1000")
        self._update_label()

    def set_count(self, calls: int) -> None:
        """Positions for ``calls`` model calls and, after them, the samples."""
        self.slider.blockSignals(True)
        self.slider.setRange(0, max(0, calls))
        self.slider.blockSignals(False)
        self._update_label()

    def count(self) -> int:
        return self.slider.maximum() + 1

    def calls(self) -> int:
        return self.slider.maximum()

    def label_text(self, index: int) -> str:
        calls = self.calls()
        if not calls:
            return "no model calls yet"
        return f"samples, after call {calls}" if index >= calls else f"model call {index + 1} / {calls}"
