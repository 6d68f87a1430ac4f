"""The Directions tab: an item moved along an attribute vector (mean code of label A − mean code of label B,
from strength 0 to the slider's), and the item's per-dimension traversals (one coordinate over ±3 sd of the
codes per row, rows by KL, the KL beside each row). Images only."""
from __future__ import annotations

from typing import Optional

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtWidgets

from engines.images import tile
from engines.latent.catalogue import ACTIVE_NATS
from tasks.latent_directions import STRENGTH
from workbench.panels.latent.image_box import ImageBox
from workbench.panels.latent.strips import RowTitle

SLIDER_SCALE = 10  # slider units per strength unit
LABEL_GAP = 6  # pixels between a row label and the grid


class DirectionsView(QtWidgets.QWidget):
    """Emits ``changed`` when the item, the labels or the strength change; shows a
    :func:`tasks.latent_directions.directions_job` result (:meth:`set_result`)."""

    changed = QtCore.Signal()

    def __init__(self) -> None:
        super().__init__()
        layout = QtWidgets.QVBoxLayout(self)
        row = QtWidgets.QHBoxLayout()
        self.item_spin = QtWidgets.QSpinBox()
        self.item_spin.setToolTip("the item (its row in the data set) to move and traverse")
        self.a_label, self.b_label = QtWidgets.QComboBox(), QtWidgets.QComboBox()
        self.a_label.setToolTip("label A: the attribute vector is mean(codes of A) − mean(codes of B)")
        self.b_label.setToolTip("label B")
        self.strength = QtWidgets.QSlider(QtCore.Qt.Orientation.Horizontal)
        self.strength.setRange(int(STRENGTH.minimum * SLIDER_SCALE), int(STRENGTH.maximum * SLIDER_SCALE))
        self.strength.setValue(int(STRENGTH.default * SLIDER_SCALE))
        self.strength.setToolTip(STRENGTH.help)
        self.strength_text = QtWidgets.QLabel()
        for text, widget in (("Item (row)", self.item_spin), ("A", self.a_label), ("− B", self.b_label),
                             ("Strength", self.strength)):
            row.addWidget(QtWidgets.QLabel(text))
            row.addWidget(widget, 2 if widget is self.strength else 0)
        row.addWidget(self.strength_text)
        layout.addLayout(row)
        self.view = pg.GraphicsLayoutWidget()
        self.view.ci.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.view, 1)
        self.message = QtWidgets.QLabel("")
        layout.addWidget(self.message)
        self.strip_title = RowTitle("", justify="left", color="#dddddd", size="9pt")
        self.strip_box = ImageBox()
        self.grid_title = RowTitle("", justify="left", color="#dddddd", size="9pt")
        self.grid_box = ImageBox()
        # the row labels' column, as wide as the widest label; the labels themselves sit against the grid's left
        # edge (the aspect-locked grid is centred in its cell: a label column of its own left a gap)
        self.kl_space = pg.GraphicsWidget()
        self.kl_space.setFixedWidth(0)
        self.kl_items: list[pg.TextItem] = []
        self.grid_box.sigTransformChanged.connect(self._place_row_labels)
        self.grid_box.sigResized.connect(self._place_row_labels)
        self.view.addItem(self.strip_title, row=0, col=0, colspan=2)
        self.view.addItem(self.strip_box, row=1, col=0, colspan=2)
        self.view.addItem(self.grid_title, row=2, col=0, colspan=2)
        self.view.addItem(self.kl_space, row=3, col=0)
        self.view.addItem(self.grid_box, row=3, col=1)
        self.view.ci.layout.setRowStretchFactor(1, 1)
        self.view.ci.layout.setRowStretchFactor(3, 5)
        self.view.ci.layout.setColumnStretchFactor(1, 1)
        self._rows = np.zeros(0, np.int64)
        self.result = None
        self.item_spin.valueChanged.connect(lambda *_: self.changed.emit())
        self.a_label.currentIndexChanged.connect(lambda *_: self.changed.emit())
        self.b_label.currentIndexChanged.connect(lambda *_: self.changed.emit())
        self.strength.valueChanged.connect(self._strength_moved)
        self._strength_moved()

    def _strength_moved(self, *_) -> None:
        self.strength_text.setText(f"{self.value():+.1f}")
        self.changed.emit()

    def value(self) -> float:
        return self.strength.value() / SLIDER_SCALE

    def set_data(self, labels: np.ndarray, rows: np.ndarray, start: int, is_image: bool) -> None:
        """A new model's data: the labels offered (the first two), the item at position ``start``."""
        self._rows = np.asarray(rows, np.int64)
        self.result = None
        known = sorted({int(v) for v in labels if v >= 0})
        widgets = (self.item_spin, self.a_label, self.b_label)
        for w in widgets:
            w.blockSignals(True)
        self.item_spin.setRange(int(self._rows.min()), int(self._rows.max()))
        self.item_spin.setValue(int(self._rows[start]))
        for combo, pick in ((self.a_label, 1), (self.b_label, 0)):
            combo.clear()
            for v in known:
                combo.addItem(str(v), v)
            combo.setCurrentIndex(min(pick, combo.count() - 1))
        for w in widgets:
            w.blockSignals(False)
        usable = is_image and len(known) >= 2
        for w in (*widgets, self.strength):
            w.setEnabled(usable)
        self.message.setText("" if usable else "Directions need an image model and a labelled data set (two labels).")
        for box in (self.strip_box, self.grid_box):
            box.set_image(None)

    def request(self) -> Optional[tuple[int, int, float, int]]:
        """(A, B, strength, item position), or None when not usable."""
        if not self.a_label.isEnabled() or self.a_label.count() < 2:
            return None
        hits = np.flatnonzero(self._rows == self.item_spin.value())
        if not len(hits):
            return None
        return self.a_label.currentData(), self.b_label.currentData(), self.value(), int(hits[0])

    def set_result(self, result) -> None:
        strip, grid = result
        self.result = result
        a, b = strip.labels
        self.strip_title.setText(f"row {int(self._rows[strip.index])} + s × (mean code of {a} − mean code of {b}), "
                                 f"s from 0 to {strip.strengths[-1]:g} (|vector| {np.linalg.norm(strip.vector):.3g})")
        self.strip_box.set_image(tile(strip.decoded, columns=len(strip.decoded), pad=1, fill=0.35))
        steps = grid.decoded.shape[1]
        self.grid_title.setText(f"traversals: one coordinate per row over ±3 sd of the codes ({steps} steps), "
                                "rows by KL per dimension")
        flat = grid.decoded.reshape(-1, *grid.decoded.shape[2:])
        self.grid_box.set_image(tile(flat, columns=steps, pad=1, fill=0.35))
        for item in self.kl_items:
            self.view.scene().removeItem(item)
        height = grid.decoded.shape[2] + 1  # a tile and its padding
        self.kl_items = []
        for r, d in enumerate(grid.dims):
            active = grid.kl is None or grid.kl[d] > ACTIVE_NATS
            text = f"z{int(d)}" + ("" if grid.kl is None else f"  KL {grid.kl[d]:.2f} nats")
            item = pg.TextItem(text, color="#dddddd" if active else "#888888", anchor=(1, 0.5))
            item.row_y = 1 + r * height + height / 2  # the row's centre in the grid's image coordinates
            self.view.scene().addItem(item)
            self.kl_items.append(item)
        self.kl_space.setFixedWidth(max(item.boundingRect().width() for item in self.kl_items) + LABEL_GAP)
        self._place_row_labels()

    def _place_row_labels(self, *_) -> None:
        """Each row label just left of the grid's image, level with its row."""
        for item in self.kl_items:
            edge = self.grid_box.mapViewToScene(QtCore.QPointF(0, item.row_y))
            item.setPos(edge.x() - LABEL_GAP, edge.y())

    def data(self) -> dict[str, np.ndarray]:
        """The strip and the traversals shown, for export."""
        if self.result is None:
            return {}
        strip, grid = self.result
        return {"strength": strip.strengths, "attribute_vector": strip.vector, "attribute_latents": strip.codes,
                "attribute_decoded": strip.decoded, "traversal_dims": grid.dims, "traversal_offsets": grid.offsets,
                "traversal_decoded": grid.decoded,
                **({"kl_per_dimension": grid.kl} if grid.kl is not None else {})}

    def row_labels(self) -> list[str]:
        """The text beside each traversal row."""
        return [item.toPlainText() for item in self.kl_items]
