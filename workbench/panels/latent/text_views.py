"""The text VAE's plots: the interpolation as text strips (one decoded line per step, in a CJK font) and the
training loss per epoch. Both are pyqtgraph views, so they export like the panel's other figures."""
from __future__ import annotations

import math
from typing import Sequence

import numpy as np
import pyqtgraph as pg

from workbench.widgets.fonts import cjk_font

LINE_PT = 20


class LinesPlot(pg.PlotWidget):
    """Rows of text: ``lines[k]`` at height k (top first), labelled on the left axis by ``labels[k]``."""

    def __init__(self, title: str, axis: str) -> None:
        super().__init__()
        self.setTitle(title)
        self.setLabel("left", axis)
        self.hideAxis("bottom")
        self.setMouseEnabled(False, False)
        self.getPlotItem().invertY(True)
        self._items: list[pg.TextItem] = []
        self.lines: tuple[str, ...] = ()
        self.labels: tuple[str, ...] = ()
        self.values = np.zeros(0)

    def show_lines(self, lines: Sequence[str], labels: Sequence[str], values: Sequence[float], title: str) -> None:
        for item in self._items:
            self.removeItem(item)
        self._items = []
        self.lines, self.labels, self.values = tuple(lines), tuple(labels), np.asarray(values, float)
        self.setTitle(title)
        for k, line in enumerate(lines):
            item = pg.TextItem(line, color="#f0f0f0", anchor=(0, 0.5))
            item.setFont(cjk_font(LINE_PT))
            item.setPos(0, k)
            self.addItem(item)
            self._items.append(item)
        self.getAxis("left").setTicks([list(enumerate(labels))])
        self.setXRange(0, 1, padding=0)
        self.setYRange(-0.5, max(len(lines), 1) - 0.5, padding=0.02)

    def data(self) -> dict[str, np.ndarray]:
        return {"value": self.values, "line": np.asarray(self.lines, dtype=str)} if self.lines else {}


class LossPlot(pg.PlotWidget):
    """The training loss (-ELBO, nats per line) against the epoch."""

    def __init__(self) -> None:
        super().__init__()
        self.setTitle("Text VAE training: −ELBO per line")
        self.setLabel("bottom", "epoch")
        self.setLabel("left", "−ELBO", units="nats per line")
        self.showGrid(x=True, y=True, alpha=0.2)
        self.curve = self.plot([], [], pen=pg.mkPen("#6ab0ff", width=2), symbol="o", symbolSize=4)
        self.losses = np.zeros(0)

    def show_losses(self, losses: Sequence[float]) -> None:
        self.losses = np.asarray(losses, float)
        self.curve.setData(np.arange(1, len(self.losses) + 1), self.losses)
        step = max(1, math.ceil(len(self.losses) / 10))  # whole epochs only, at most about ten ticks
        self.getAxis("bottom").setTickSpacing(step, step)

    def data(self) -> dict[str, np.ndarray]:
        return {"epoch": np.arange(1, len(self.losses) + 1), "neg_elbo_nats_per_line": self.losses} if len(self.losses) else {}
