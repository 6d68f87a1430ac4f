"""The NFE timeline: play / pause / step and a slider over model calls, shared by every frame view."""
from __future__ import annotations

from PySide6 import QtCore, QtGui, QtWidgets

SPEEDS = (2, 5, 10, 20, 40)  # model calls per second
DEFAULT_SPEED = 10


class Timeline(QtWidgets.QWidget):
    """Emits :attr:`index_changed` with the model-call index (0-based); Space / Left / Right drive it."""

    index_changed = QtCore.Signal(int)

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        style = self.style()
        self.play_button = QtWidgets.QToolButton()
        self.play_button.setCheckable(True)
        self.play_button.setIcon(style.standardIcon(QtWidgets.QStyle.StandardPixmap.SP_MediaPlay))
        self.play_button.setToolTip("Play / pause the sampling, one model call per frame (Space)")
        self.back_button = QtWidgets.QToolButton()
        self.back_button.setIcon(style.standardIcon(QtWidgets.QStyle.StandardPixmap.SP_MediaSeekBackward))
        self.back_button.setToolTip("One model call back (Left)")
        self.forward_button = QtWidgets.QToolButton()
        self.forward_button.setIcon(style.standardIcon(QtWidgets.QStyle.StandardPixmap.SP_MediaSeekForward))
        self.forward_button.setToolTip("One model call forward (Right)")
        self.slider = QtWidgets.QSlider(QtCore.Qt.Orientation.Horizontal)
        self.slider.setRange(0, 0)
        self.slider.setToolTip("Scrub through the model calls (NFE) of every sampler at once")
        self.label = QtWidgets.QLabel()
        self.label.setMinimumWidth(self.label.fontMetrics().horizontalAdvance("model call 1000 / 1000") + 8)
        self.speed = QtWidgets.QComboBox()
        for rate in SPEEDS:
            self.speed.addItem(f"{rate} calls/s", rate)
        self.speed.setCurrentIndex(SPEEDS.index(DEFAULT_SPEED))
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
        self.slider.valueChanged.connect(self._moved)
        self.speed.currentIndexChanged.connect(lambda _i: self._play_toggled(self.is_playing()))
        self._update_label()

    def install_shortcuts(self, widget: QtWidgets.QWidget) -> None:
        context = QtCore.Qt.ShortcutContext.WidgetWithChildrenShortcut
        for key, slot in ((QtCore.Qt.Key.Key_Space, self.toggle), (QtCore.Qt.Key.Key_Left, lambda: self.step_by(-1)),
                          (QtCore.Qt.Key.Key_Right, lambda: self.step_by(1))):
            shortcut = QtGui.QShortcut(QtGui.QKeySequence(key), widget)
            shortcut.setContext(context)
            shortcut.activated.connect(slot)

    def set_count(self, calls: int) -> None:
        self.slider.blockSignals(True)
        self.slider.setRange(0, max(0, calls - 1))
        self.slider.blockSignals(False)
        self._update_label()

    def count(self) -> int:
        return self.slider.maximum() + 1

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
            self._timer.start(int(1000 / int(self.speed.currentData())))
        else:
            self._timer.stop()

    def _tick(self) -> None:
        if self.index() >= self.slider.maximum():
            self.pause()
            return
        self.set_index(self.index() + 1)

    def _moved(self, value: int) -> None:
        self._update_label()
        self.index_changed.emit(value)

    def _update_label(self) -> None:
        self.label.setText(f"model call {self.slider.value() + 1} / {self.slider.maximum() + 1}")
