"""F1 (when there is gold) against the pair threshold, a curve per boundary statistic (the current one bold),
and the lexicon's size under the current statistic, with the current threshold marked."""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore

from engines.segment.catalogue import STATISTICS, THRESHOLDS
from workbench.widgets.axes import show_values

SIDES = ("left", "bottom", "right")  # F1, threshold, lexicon size
COLOURS = {"pmi": "#d62728", "entropy": "#2ca02c", "both": "#9467bd"}  # F1 curve of each statistic


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
        self.legend = self.addLegend(offset=(10, -10), labelTextColor="k", brush=pg.mkBrush(255, 255, 255, 200))
        self.curves = {s.name: self.plot([], [], pen=pg.mkPen(COLOURS[s.name], width=1.5), symbol="o", symbolSize=5,
                                         symbolBrush=COLOURS[s.name], name=f"F1 {s.name}") for s in STATISTICS}
        self.f1_curve = self.curves["pmi"]  # the current statistic's F1 curve (drawn bold)
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
        self.marker.hide()  # on the sweep's axis, once there is one
        self.addItem(self.marker)
        self.plotItem.vb.sigResized.connect(self._sync)
        self._data: dict[str, np.ndarray] = {}
        show_values(self.plotItem, False, SIDES)  # no made-up 0–1 ranges before the first sweep

    def _sync(self) -> None:
        self.right.setGeometry(self.plotItem.vb.sceneBoundingRect())
        self.right.linkedViewChanged(self.plotItem.vb, self.right.XAxis)

    def set_sweep(self, thresholds, f1, sizes, statistics=None, current: str = "pmi") -> None:
        """The sweep's points (``statistics``: each point's boundary statistic, default all ``current``)."""
        t, f1, sizes = np.asarray(thresholds, float), np.asarray(f1, float), np.asarray(sizes, float)
        of = np.asarray(statistics if statistics is not None else [current] * len(t), dtype=object)
        grid = np.unique(t)

        def on_grid(name: str, values: np.ndarray) -> np.ndarray:  # NaN where the statistic is not swept yet
            sel = of == name
            return np.array([values[sel][t[sel] == x][0] if (t[sel] == x).any() else np.nan for x in grid])

        scored = bool(np.isfinite(f1).any())
        self._data = {"threshold": grid, "f1": on_grid(current, f1), "lexicon_size": on_grid(current, sizes)}
        for name, curve in self.curves.items():
            sel = of == name
            curve.setData(t[sel] if scored else [], f1[sel] if scored else [])
            curve.setPen(pg.mkPen(COLOURS[name], width=3 if name == current else 1.5))
            curve.setVisible(bool(sel.any() and scored))
            if scored:
                self._data[f"f1_{name}"] = on_grid(name, f1)
        self.f1_curve = self.curves[current]
        self.legend.setVisible(scored)
        self.setLabel("left", "F1" if scored or not len(t) else "F1 (no gold segmentation)")
        self.size_curve.setData(grid, self._data["lexicon_size"])
        show_values(self.plotItem, bool(len(t)), ("bottom", "right"))
        self.marker.setVisible(bool(len(t)))
        show_values(self.plotItem, scored, ("left",))  # no F1 values without gold
        self.right.enableAutoRange()
        self._sync()

    def set_current(self, threshold: float) -> None:
        self.marker.setValue(threshold)

    def data(self) -> dict[str, np.ndarray]:
        return dict(self._data)
