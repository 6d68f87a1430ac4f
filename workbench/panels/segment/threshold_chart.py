"""F1 (when there is gold) and the lexicon's size against the pair threshold, with the current one marked."""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore

from engines.segment.catalogue import THRESHOLDS


class ThresholdChart(pg.PlotWidget):
    """F1 (when gold) and lexicon size against the pair threshold (the 2-gram threshold)."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setBackground("w")
        self.setLabel("bottom", f"{THRESHOLDS[0].label} (ln PMI)")
        self.setLabel("left", "F1")
        self.getAxis("bottom").enableAutoSIPrefix(False)  # no "(x0.001)" on the empty first view
        self.getAxis("left").enableAutoSIPrefix(False)
        self.getAxis("right").enableAutoSIPrefix(False)
        self.plotItem.setTitle("F1 and lexicon size", color="k", size="9pt")
        self.f1_curve = self.plot([], [], pen=pg.mkPen("#d62728", width=2), symbol="o", symbolSize=6,
                                  symbolBrush="#d62728", name="F1")
        self.right = pg.ViewBox()
        self.plotItem.showAxis("right")
        self.plotItem.scene().addItem(self.right)
        self.plotItem.getAxis("right").linkToView(self.right)
        self.plotItem.getAxis("right").setLabel("lexicon size")
        self.right.setXLink(self.plotItem)
        self.size_curve = pg.PlotDataItem([], [], pen=pg.mkPen("#1f77b4", width=2, style=QtCore.Qt.PenStyle.DashLine),
                                          symbol="s", symbolSize=5, symbolBrush="#1f77b4")
        self.right.addItem(self.size_curve)
        self.marker = pg.InfiniteLine(angle=90, pen=pg.mkPen("#888", style=QtCore.Qt.PenStyle.DotLine))
        self.addItem(self.marker)
        self.plotItem.vb.sigResized.connect(self._sync)
        self._data: dict[str, np.ndarray] = {}

    def _sync(self) -> None:
        self.right.setGeometry(self.plotItem.vb.sceneBoundingRect())
        self.right.linkedViewChanged(self.plotItem.vb, self.right.XAxis)

    def set_sweep(self, thresholds, f1, sizes) -> None:
        t = np.asarray(thresholds, float)
        self._data = {"threshold": t, "f1": np.asarray(f1, float), "lexicon_size": np.asarray(sizes, float)}
        scored = bool(np.isfinite(self._data["f1"]).any())
        self.f1_curve.setData(t if scored else [], self._data["f1"] if scored else [])
        self.setLabel("left", "F1" if scored or not len(t) else "F1 (no gold segmentation)")
        self.size_curve.setData(t, self._data["lexicon_size"])
        self.right.enableAutoRange()
        self._sync()

    def set_current(self, threshold: float) -> None:
        self.marker.setValue(threshold)

    def data(self) -> dict[str, np.ndarray]:
        return dict(self._data)
