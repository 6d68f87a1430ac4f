"""Play / pause / step controls and a slider that scrubs every trajectory together."""
from __future__ import annotations

from PySide6 import QtCore, QtGui, QtWidgets

SPEEDS = (15, 30, 60, 120, 240, 480)  # recorded steps per second
DEFAULT_SPEED = 120
FRAME_MS = 33


class Playback(QtWidgets.QWidget):
    """Emits :attr:`index_changed` with the recorded-step index; Space / Left / Right drive it."""

    index_changed = QtCore.Signal(int)

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self._steps: list[int] = [0]
        style = self.style()
        self.play_button = QtWidgets.QToolButton()
        self.play_button.setCheckable(True)
        self.play_button.setIcon(style.standardIcon(QtWidgets.QStyle.StandardPixmap.SP_MediaPlay))
        self.play_button.setToolTip("Play / pause the animation (Space)")
        self.back_button = QtWidgets.QToolButton()
        self.back_button.setIcon(style.standardIcon(QtWidgets.QStyle.StandardPixmap.SP_MediaSeekBackward))
        self.back_button.setToolTip("One recorded step back (Left)")
        self.forward_button = QtWidgets.QToolButton()
        self.forward_button.setIcon(style.standardIcon(QtWidgets.QStyle.StandardPixmap.SP_MediaSeekForward))
        self.forward_button.setToolTip("One recorded step forward (Right)")
        self.slider = QtWidgets.QSlider(QtCore.Qt.Orientation.Horizontal)
        self.slider.setRange(0, 0)
        self.slider.setToolTip("Scrub through the steps of every trajectory at once")
        self.label = QtWidgets.QLabel()
        self.label.setMinimumWidth(self.label.fontMetrics().horizontalAdvance("step 100000 / 100000") + 8)
        self.label.setToolTip("The step shown / the last step")
        self.speed = QtWidgets.QComboBox()
        for rate in SPEEDS:
            self.speed.addItem(f"{rate} steps/s", rate)
        self.speed.setCurrentIndex(SPEEDS.index(DEFAULT_SPEED))
        self.speed.setToolTip("Playback speed in recorded steps per second")
        layout = QtWidgets.QHBoxLayout(self)
        layout.setContentsMargins(4, 2, 4, 2)
        for w in (self.back_button, self.play_button, self.forward_button):
            layout.addWidget(w)
        layout.addWidget(self.slider, 1)
        layout.addWidget(self.label)
        layout.addWidget(self.speed)
        self._timer = QtCore.QTimer(self)
        self._timer.timeout.connect(self._tick)
        self.play_button.toggled.connect(self._play_toggled)
        self.back_button.clicked.connect(lambda: self.step_by(-1))
        self.forward_button.clicked.connect(lambda: self.step_by(1))
        self.slider.valueChanged.connect(self._slider_moved)
        self.speed.currentIndexChanged.connect(lambda _i: self._play_toggled(self.is_playing()))
        self._update_label()

    def install_shortcuts(self, widget: QtWidgets.QWidget) -> None:
        """Space / Left / Right while focus is anywhere inside ``widget`` (text fields keep their keys)."""
        context = QtCore.Qt.ShortcutContext.WidgetWithChildrenShortcut
        for key, slot in ((QtCore.Qt.Key.Key_Space, self.toggle), (QtCore.Qt.Key.Key_Left, lambda: self.step_by(-1)),
                          (QtCore.Qt.Key.Key_Right, lambda: self.step_by(1))):
            shortcut = QtGui.QShortcut(QtGui.QKeySequence(key), widget)
            shortcut.setContext(context)
            shortcut.activated.connect(slot)

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

    def index(self) -> int:
        return self.slider.value()

    def set_index(self, index: int) -> None:
        self.slider.setValue(max(0, min(int(index), self.slider.maximum())))

    def step_by(self, delta: int) -> None:
        self.pause()
        self.set_index(self.index() + delta)

    def is_playing(self) -> bool:
        return self._timer.isActive()

    def play(self) -> None:
        """Start playing; from the beginning when sitting at the end."""
        if self.index() >= self.slider.maximum():
            self.set_index(0)
        self.play_button.setChecked(True)

    def pause(self) -> None:
        self.play_button.setChecked(False)

    def toggle(self) -> None:
        self.pause() if self.is_playing() else self.play()

    def _play_toggled(self, on: bool) -> None:
        icon = QtWidgets.QStyle.StandardPixmap.SP_MediaPause if on else QtWidgets.QStyle.StandardPixmap.SP_MediaPlay
        self.play_button.setIcon(self.style().standardIcon(icon))
        if on:
            if self.index() >= self.slider.maximum():
                self.set_index(0)
            rate = int(self.speed.currentData())
            self._timer.start(max(FRAME_MS, 1000 // rate))
        else:
            self._timer.stop()

    def _tick(self) -> None:
        advance = max(1, round(int(self.speed.currentData()) * FRAME_MS / 1000))
        if self.index() >= self.slider.maximum():
            self.pause()
            return
        self.set_index(self.index() + advance)

    def _slider_moved(self, value: int) -> None:
        self._update_label()
        self.index_changed.emit(value)

    def _update_label(self) -> None:
        i = self.slider.value()
        step = self._steps[min(i, len(self._steps) - 1)]
        self.label.setText(f"step {step} / {self._steps[-1]}")
