"""Play / pause / step buttons, a slider scrubbing frames, a speed choice and Space / Left / Right shortcuts.

Panels subclass :class:`PlaybackControls` to say what a frame is (the label text, how the range is set).
"""
from __future__ import annotations

from PySide6 import QtCore, QtGui, QtWidgets


class PlaybackControls(QtWidgets.QWidget):
    """Emits :attr:`index_changed` with the frame index (0-based); Space / Left / Right drive it.

    ``speeds`` are frames per second, shown as "<rate> <unit>/s". With ``frame_ms`` the timer never fires more
    often than that and each tick advances as many frames as the speed asks for; without it one frame a tick.
    """

    index_changed = QtCore.Signal(int)

    def __init__(self, parent: QtWidgets.QWidget | None = None, *, speeds: tuple[int, ...], default_speed: int,
                 unit: str, tips: tuple[str, str, str, str], label_sample: str, label_tip: str = "",
                 speed_tip: str = "", frame_ms: int = 0) -> None:
        super().__init__(parent)
        self._frame_ms = frame_ms
        play_tip, back_tip, forward_tip, slider_tip = tips
        style = self.style()
        self.play_button = QtWidgets.QToolButton()
        self.play_button.setCheckable(True)
        self.play_button.setIcon(style.standardIcon(QtWidgets.QStyle.StandardPixmap.SP_MediaPlay))
        self.play_button.setToolTip(play_tip)
        self.back_button = QtWidgets.QToolButton()
        self.back_button.setIcon(style.standardIcon(QtWidgets.QStyle.StandardPixmap.SP_MediaSeekBackward))
        self.back_button.setToolTip(back_tip)
        self.forward_button = QtWidgets.QToolButton()
        self.forward_button.setIcon(style.standardIcon(QtWidgets.QStyle.StandardPixmap.SP_MediaSeekForward))
        self.forward_button.setToolTip(forward_tip)
        self.slider = QtWidgets.QSlider(QtCore.Qt.Orientation.Horizontal)
        self.slider.setRange(0, 0)
        self.slider.setToolTip(slider_tip)
        self.label = QtWidgets.QLabel()
        self.label.setMinimumWidth(self.label.fontMetrics().horizontalAdvance(label_sample) + 8)
        if label_tip:
            self.label.setToolTip(label_tip)
        self.speed = QtWidgets.QComboBox()
        for rate in speeds:
            self.speed.addItem(f"{rate} {unit}/s", rate)
        self.speed.setCurrentIndex(speeds.index(default_speed))
        if speed_tip:
            self.speed.setToolTip(speed_tip)
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

    def install_shortcuts(self, widget: QtWidgets.QWidget) -> None:
        """Space / Left / Right while focus is anywhere inside ``widget`` (text fields keep their keys)."""
        context = QtCore.Qt.ShortcutContext.WidgetWithChildrenShortcut
        for key, slot in ((QtCore.Qt.Key.Key_Space, self.toggle), (QtCore.Qt.Key.Key_Left, lambda: self.step_by(-1)),
                          (QtCore.Qt.Key.Key_Right, lambda: self.step_by(1))):
            shortcut = QtGui.QShortcut(QtGui.QKeySequence(key), widget)
            shortcut.setContext(context)
            shortcut.activated.connect(slot)

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

    def label_text(self, index: int) -> str:
        """The label beside the slider for frame ``index``."""
        return f"{index + 1} / {self.slider.maximum() + 1}"

    def _play_toggled(self, on: bool) -> None:
        icon = QtWidgets.QStyle.StandardPixmap.SP_MediaPause if on else QtWidgets.QStyle.StandardPixmap.SP_MediaPlay
        self.play_button.setIcon(self.style().standardIcon(icon))
        if on:
            if self.index() >= self.slider.maximum():
                self.set_index(0)
            rate = int(self.speed.currentData())
            self._timer.start(max(self._frame_ms, 1000 // rate))
        else:
            self._timer.stop()

    def _tick(self) -> None:
        advance = max(1, round(int(self.speed.currentData()) * self._frame_ms / 1000))
        if self.index() >= self.slider.maximum():
            self.pause()
            return
        self.set_index(self.index() + advance)

    def _slider_moved(self, value: int) -> None:
        self._update_label()
        self.index_changed.emit(value)

    def _update_label(self) -> None:
        self.label.setText(self.label_text(self.slider.value()))
