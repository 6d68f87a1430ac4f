"""The quality-against-NFE chart (the samplers' curves and reflow's rounds) and the σ-schedule plot (log axes
with real units)."""
from __future__ import annotations

import html
import math
import textwrap
from typing import Any, Optional

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore

from workbench.panels.diffusion.style import color, log_ticks
from workbench.widgets.axes import show_values
from workbench.widgets.legend_corner import legend_below

WHY_WIDTH, WHY_LINE_PX = 60, 14  # characters and pixels per line of the sentence saying why there are no curves
ROUND_COLOR = 4  # reflow rounds take the palette after the four sampler slots
LEGEND_ROWS = 2  # more entries than this: the legend under the chart takes two columns (less of its height)


class QualityChart(pg.PlotWidget):
    """Quality against NFE, log–log: one curve per sampler and, once reflow has run, one dashed curve per
    reflow round (flow-matching Euler on that round's model, from the Likelihood tab's reflow)."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setBackground("k")
        self.plotItem.setLogMode(x=True, y=True)
        self.plotItem.showGrid(x=True, y=True, alpha=0.2)
        for side in ("left", "bottom"):
            self.plotItem.getAxis(side).enableAutoSIPrefix(False)
        self.plotItem.setLabel("bottom", "model calls (NFE)")
        self.plotItem.setTitle("Quality against NFE", size="10pt")
        self.legend = legend_below(self.plotItem, labelTextSize="8pt")  # the curves span the whole chart
        self.curves = None
        self.rounds = None  # QualityCurves of reflow's rounds (engines ReflowResult.curves())
        self.pending = False  # a quality job is running
        self.why: Optional[str] = None  # why there are no curves (a model without held-out data)
        self.metric = "sliced_wasserstein"
        self.redraw()

    def set_curves(self, curves: Any, metric: Optional[str] = None) -> None:
        self.curves, self.why = curves, None
        if metric:
            self.metric = metric
        self.redraw()

    def set_rounds(self, curves: Any) -> None:
        """Reflow's rounds as extra series (None: none); they stay when the samplers' curves change."""
        self.rounds = curves
        self.redraw()

    def _all(self) -> list[tuple[Any, bool]]:
        """(curves, are reflow rounds) of what there is to draw."""
        return [(c, r) for c, r in ((self.curves, False), (self.rounds, True)) if c is not None]

    def set_unmeasured(self, why: Optional[str]) -> None:
        """No curves, and the sentence ``why`` under the title (None: nothing to say)."""
        self.set_curves(None)
        self.why = why
        self.redraw()

    def metrics(self) -> list[str]:
        return sorted({k for curves, _ in self._all() for m in curves.metrics.values() for k in m})

    def redraw(self) -> None:
        self.plotItem.clear()
        self.legend.clear()
        show_values(self.plotItem, bool(self.metrics()))
        if not self.metrics():
            title = "Quality against NFE (measuring…)" if self.curves is not None or self.pending else "Quality against NFE"
            lines = textwrap.wrap(self.why, WHY_WIDTH) if self.why and not self.pending else []
            if lines:
                title += f"<br><span style='font-size:8pt; color:#bbb'>{'<br>'.join(map(html.escape, lines))}</span>"
            self.plotItem.setTitle(title, size="10pt")
            height = 30 + WHY_LINE_PX * len(lines)  # setTitle leaves room for one line
            self.plotItem.titleLabel.setMaximumHeight(height)
            self.plotItem.layout.setRowFixedHeight(0, height)
            return
        self.plotItem.setTitle("Quality against NFE", size="10pt")
        metric = self.metric if self.metric in self.metrics() else (self.metrics() or [self.metric])[0]
        self.plotItem.setLabel("left", metric.replace("_", " "))
        xs: list[float] = []
        ys: list[float] = []
        for curves, rounds in self._all():
            for k, (name, nfes) in enumerate(curves.nfes.items()):
                values = np.asarray(curves.metrics[name].get(metric, []), float)
                if not len(values):
                    continue
                x = np.asarray(nfes[: len(values)], float)
                y = np.where(values > 0, values, np.nan)
                c = color(ROUND_COLOR + k if rounds else k)
                pen = pg.mkPen(c, width=2, style=QtCore.Qt.PenStyle.DashLine if rounds else QtCore.Qt.PenStyle.SolidLine)
                self.plotItem.plot(x, y, pen=pen, symbol="t" if rounds else "o", symbolSize=7 if rounds else 6,
                                   symbolBrush=c, name=curves.labels.get(name, name))
                xs.extend(x)
                ys.extend(y[np.isfinite(y)])
        self.legend.setColumnCount(2 if len(self.legend.items) > LEGEND_ROWS else 1)  # samplers and rounds
        if xs:
            self.plotItem.getAxis("bottom").setTicks([log_ticks(min(xs), max(xs)), []])
        if ys:
            self.plotItem.getAxis("left").setTicks([log_ticks(min(ys), max(ys)), []])

    def data(self) -> dict[str, np.ndarray]:
        """One row per point: sampler (a reflow round's key: ``round<k>``), NFE, metric, value."""
        rows = [(name, n, m, v) for curves, _ in self._all() for name, nfes in curves.nfes.items()
                for m, vals in curves.metrics[name].items() for n, v in zip(nfes, vals)]
        if not rows:
            return {}
        return {"sampler": np.array([r[0] for r in rows]), "nfe": np.array([r[1] for r in rows]),
                "metric": np.array([r[2] for r in rows]), "value": np.array([r[3] for r in rows], float)}


class SchedulePlot(pg.PlotWidget):
    """σ of each sampler's grid against step, the chosen steps marked; the current call highlighted."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setBackground("k")
        self.plotItem.setLogMode(y=True)
        self.plotItem.showGrid(x=True, y=True, alpha=0.2)
        self.plotItem.setLabel("bottom", "step")
        self.plotItem.setLabel("left", "σ")
        self.plotItem.getAxis("left").enableAutoSIPrefix(False)
        self.plotItem.setTitle("Noise levels of each sampler", size="10pt")
        self.legend = legend_below(self.plotItem, labelTextSize="8pt", colCount=2)  # the grids cross every corner
        self.runs: list[Any] = []
        self.marker = pg.ScatterPlotItem(size=12, pen=pg.mkPen("w", width=2), brush=None)
        show_values(self.plotItem, False)  # until the first samplers' grids arrive

    def set_runs(self, runs: list[Any]) -> None:
        self.runs = list(runs)
        self.plotItem.clear()
        self.legend.clear()
        lo, hi = math.inf, 0.0
        for k, run in enumerate(self.runs):
            s = np.asarray(run.grid, float)
            s = s[np.isfinite(s) & (s > 0)]
            if len(s):
                lo, hi = min(lo, s.min()), max(hi, s.max())
            self.plotItem.plot(np.arange(len(s)), s, pen=pg.mkPen(color(k), width=1.5), symbol="o", symbolSize=5,
                               symbolBrush=color(k), symbolPen=None, name=run.label)
        self.plotItem.addItem(self.marker)
        show_values(self.plotItem, bool(self.runs))
        if hi > 0:
            ticks = [(math.log10(10.0 ** k), f"{10.0 ** k:g}") for k in range(math.floor(math.log10(lo)), math.ceil(math.log10(hi)) + 1)]
            self.plotItem.getAxis("left").setTicks([ticks, []])

    def show_call(self, index: int) -> None:
        xs, ys = [], []
        for run in self.runs:
            if len(run.frames):
                sigma = float(run.frames.sigma[min(index, len(run.frames) - 1)])
                grid = np.asarray(run.grid, float)
                grid = grid[np.isfinite(grid) & (grid > 0)]
                if math.isfinite(sigma) and sigma > 0 and len(grid):
                    xs.append(float(np.argmin(np.abs(np.log(grid) - math.log(sigma)))))
                    ys.append(math.log10(sigma))
        self.marker.setData(xs, ys)

    def data(self) -> dict[str, np.ndarray]:
        rows = [(run.name, i, float(s)) for run in self.runs for i, s in enumerate(run.grid)]
        return {"sampler": np.array([r[0] for r in rows]), "step": np.array([r[1] for r in rows]),
                "sigma": np.array([r[2] for r in rows])}
