"""The Interpolation box: the two items (or two prior samples) to walk between, the number of steps and
the analogy's three items."""
from __future__ import annotations

import numpy as np
from PySide6 import QtCore, QtWidgets

from tasks.latent import STRIP_STEPS, PathRequest

STEP_RANGE = (3, 21)


def _spin(value: int, tip: str) -> QtWidgets.QSpinBox:
    s = QtWidgets.QSpinBox()
    s.setRange(0, 0)
    s.setValue(value)
    s.setToolTip(tip)
    s.setKeyboardTracking(False)
    return s


class PathBox(QtWidgets.QGroupBox):
    """Emits ``changed`` when the path to show changes; :meth:`request` says which."""

    changed = QtCore.Signal()

    def __init__(self) -> None:
        super().__init__("Interpolation")
        form = QtWidgets.QFormLayout(self)
        self.from_spin = _spin(0, "Row of the first item in the data set (or click a point on the map)")
        self.to_spin = _spin(1, "Row of the last item in the data set (or click a second point)")
        for s in (self.from_spin, self.to_spin):
            s.valueChanged.connect(self._items_changed)
        self.from_label = QtWidgets.QComboBox()
        self.to_label = QtWidgets.QComboBox()
        self.label_button = QtWidgets.QPushButton("Pick")
        self.label_button.setToolTip("A random test item of each chosen label")
        self.label_button.clicked.connect(self.pick_by_label)
        by_label = QtWidgets.QHBoxLayout()
        by_label.addWidget(self.from_label, 1)
        by_label.addWidget(QtWidgets.QLabel("→"))
        by_label.addWidget(self.to_label, 1)
        by_label.addWidget(self.label_button)
        self.prior_button = QtWidgets.QPushButton("Two random prior samples")
        self.prior_button.clicked.connect(self.prior_pair)
        self.steps_slider = QtWidgets.QSlider(QtCore.Qt.Orientation.Horizontal)
        self.steps_slider.setRange(*STEP_RANGE)
        self.steps_slider.setValue(STRIP_STEPS)
        self.steps_label = QtWidgets.QLabel(str(STRIP_STEPS))
        self.steps_slider.valueChanged.connect(self._steps_changed)
        steps = QtWidgets.QHBoxLayout()
        steps.addWidget(self.steps_slider, 1)
        steps.addWidget(self.steps_label)
        self.analogy_spins = [_spin(k, tip) for k, tip in enumerate(("a", "b", "c"))]
        analogy = QtWidgets.QHBoxLayout()
        for s in self.analogy_spins:
            s.valueChanged.connect(lambda *_: self.changed.emit())
            s.setMinimumWidth(60)
            analogy.addWidget(s)
        form.addRow("From", self.from_spin)
        form.addRow("To", self.to_spin)
        form.addRow("Labels", by_label)
        form.addRow(self.prior_button)
        form.addRow("Steps", steps)
        form.addRow("a − b + c", analogy)
        self._labels = np.zeros(0, int)
        self._rows = np.zeros(0, np.int64)  # each item's row in the source, by position
        self._positions: dict[int, int] = {}
        self._n_train = 0
        self._picking_end = False
        self._use_prior = False
        self._prior_seed = 0
        self._label_pick = 0

    def set_data(self, labels: np.ndarray, n_train: int, shown: PathRequest, analogy: bool, rows: np.ndarray) -> None:
        """A new data set (``labels`` per item, the first ``n_train`` for training, ``rows`` each item's row in
        the source) and the path ``shown``; the analogy row only for images. The boxes show and take rows
        (the file's, ``load_digits()``'s), requests carry positions."""
        self._labels, self._n_train, self._use_prior = labels, n_train, False
        self._rows = np.asarray(rows, np.int64)
        self._positions = dict(zip(self._rows.tolist(), range(len(self._rows))))
        spins = (self.from_spin, self.to_spin, *self.analogy_spins)
        for s, v in zip(spins, (shown.start, shown.end, *shown.analogy)):
            s.blockSignals(True)
            s.setRange(int(self._rows.min()), int(self._rows.max()))
            s.setValue(int(self._rows[v]))
            s.blockSignals(False)
        for s in self.analogy_spins:
            s.setEnabled(analogy)
        known = sorted({int(v) for v in labels if v >= 0})
        for combo, pick in ((self.from_label, 0), (self.to_label, 1)):
            combo.clear()
            for v in known:
                combo.addItem(str(v), v)
            combo.setCurrentIndex(min(pick, combo.count() - 1))
        self.label_button.setEnabled(bool(known))

    def request(self) -> PathRequest:
        at = self._position
        return PathRequest(at(self.from_spin), at(self.to_spin), self._prior_seed if self._use_prior else None,
                           self.steps_slider.value(), tuple(at(s) for s in self.analogy_spins))

    def _position(self, spin: QtWidgets.QSpinBox) -> int:
        """The position (train then test) of the item whose row ``spin`` shows."""
        return self._positions.get(spin.value(), 0)

    def pick(self, index: int) -> None:
        """An item clicked on the map: the first end, then the second, alternately."""
        spin = self.to_spin if self._picking_end else self.from_spin
        self._picking_end = not self._picking_end
        spin.setValue(int(self._rows[index]))
        self._items_changed()

    def prior_pair(self) -> None:
        """Walk between two new random prior samples."""
        self._use_prior = True
        self._prior_seed += 1
        self.changed.emit()

    def pick_by_label(self) -> None:
        """A random test item for each chosen label (a new draw each press)."""
        if self.from_label.count() == 0:
            return
        rng = np.random.default_rng(self._label_pick)
        self._label_pick += 1
        for combo, spin in ((self.from_label, self.from_spin), (self.to_label, self.to_spin)):
            items = np.flatnonzero(self._labels == combo.currentData())
            test = items[items >= self._n_train]
            spin.blockSignals(True)
            spin.setValue(int(self._rows[rng.choice(test if len(test) else items)]))
            spin.blockSignals(False)
        self._items_changed()

    def _items_changed(self, *_) -> None:
        self._use_prior = False
        self.changed.emit()

    def _steps_changed(self, value: int) -> None:
        self.steps_label.setText(str(value))
        self.changed.emit()
