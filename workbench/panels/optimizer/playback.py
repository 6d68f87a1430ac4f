"""Play / pause / step controls and a slider that scrubs every trajectory together."""
from __future__ import annotations

from PySide6 import QtWidgets

from workbench.widgets.playback import PlaybackControls

SPEEDS = (15, 30, 60, 120, 240, 480)  # recorded steps per second
DEFAULT_SPEED = 120
FRAME_MS = 33


class Playback(PlaybackControls):
    """Emits :attr:`index_changed` with the recorded-step index; Space / Left / Right drive it."""

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent, speeds=SPEEDS, default_speed=DEFAULT_SPEED, unit="steps", frame_ms=FRAME_MS,
                         tips=("Play / pause the animation (Space)", "One recorded step back (Left)",
                               "One recorded step forward (Right)",
                               "Scrub through the steps of every trajectory at once"),
                         label_sample="step 100000 / 100000", label_tip="The step shown / the last step",
                         speed_tip="Playback speed in recorded steps per second")
        self._steps: list[int] = [0]
        self._update_label()

    def set_steps(self, steps: list[int], keep_position: bool = True) -> None:
        """The recorded step numbers; the slider moves over their indices."""
        at_end = self.slider.value() >= self.slider.maximum()
        self._steps = list(steps) or [0]
        self.slider.blockSignals(True)
        self.slider.setRange(0, len(self._steps) - 1)
        if not keep_position or at_end and not self.is_playing():
            self.slider.setValue(len(self._steps) - 1 if keep_position else 0)
        self.slider.blockSignals(False)
        self._update_label()

    def label_text(self, index: int) -> str:
        return f"step {self._steps[min(index, len(self._steps) - 1)]} / {self._steps[-1]}"
