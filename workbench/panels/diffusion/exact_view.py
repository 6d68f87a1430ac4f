"""The diffusion panel's "Exact path" tab: every sampler against the exact probability-flow ODE path of an
exact mixture (tasks.diffusion_exact): each call's distance to the path against σ, and the final error
against NFE with the fitted empirical order beside the theoretical one. Only for exact mixtures; otherwise
the tab says why."""
from __future__ import annotations

import math
from typing import Any, Optional

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtWidgets

from tasks.diffusion import SampleOutcome
from tasks.diffusion_exact import error_table, exact_job, order_table, why_not_exact
from workbench.panel import Figure
from workbench.panels.diffusion.style import color, log_ticks
from workbench.widgets.axes import setup_chart, show_values

MEASURES = {"state_error": "state x_t (σ scale)", "x0_error": "denoised guess x̂0"}


def _log_plot(title: str, bottom: str, legend_at: tuple[int, int]) -> pg.PlotWidget:
    plot = pg.PlotWidget()
    setup_chart(plot, title, bottom, log_x=True, log_y=True)
    plot.legend = plot.plotItem.addLegend(offset=legend_at, labelTextSize="8pt")
    return plot


def _axes(plot: pg.PlotWidget, xs: list[float], ys: list[float], decades: bool = False) -> None:
    """Ticks at 1, 2, 5 × 10^k; with ``decades`` the x range reaches out to whole decades (log axes: log10)."""
    show_values(plot.plotItem, bool(xs))
    if xs:
        lo, hi = np.log10(min(xs)), np.log10(max(xs))
        plot.plotItem.getAxis("bottom").setTicks([log_ticks(min(xs), max(xs)), []])
        plot.plotItem.getAxis("left").setTicks([log_ticks(min(ys), max(ys)), []])
        plot.plotItem.setXRange(math.floor(lo) if decades else lo, math.ceil(hi) if decades else hi, padding=0.05)
        plot.plotItem.setYRange(np.log10(min(ys)), np.log10(max(ys)), padding=0.05)


class ExactView(QtWidgets.QWidget):
    """Error against σ (log axes, σ falling to the right as sampling goes) and final error against NFE."""

    def __init__(self, slot: Any, parent: Optional[QtWidgets.QWidget] = None) -> None:
        super().__init__(parent)
        self.slot = slot  # the panel's job slot for this view's job
        self.outcome: Optional[SampleOutcome] = None
        self.result: Any = None
        self._computed_for: Optional[SampleOutcome] = None
        self.status = QtWidgets.QLabel("Sample an exact mixture to compare its samplers with the exact path.")
        self.status.setWordWrap(True)
        self.measure = QtWidgets.QComboBox()
        for key, text in MEASURES.items():
            self.measure.addItem(text, key)
        self.measure.setToolTip("Distance to the exact path of each call's state (σ scale: x/√ᾱ for DDPM/DDIM, "
                                "x/(1 − t) for flow matching) or of its denoised guess x̂0 (data scale)")
        self.measure.currentIndexChanged.connect(self._draw_errors)
        self.error_plot = _log_plot("Distance to the exact ODE path at each model call", "noise level σ of the call",
                                    (-10, -10))
        self.error_plot.plotItem.invertX(True)
        self.error_plot.setToolTip("RMS over samples of the distance to the exact probability-flow ODE path from the "
                                   "same noise (scipy DOP853 at rtol 1e-10), at the σ of every model call; a distance of 0 (the "
                                   "shared start) and calls at σ = ∞ (flow matching's t = 1) have no place on log axes")
        self.order_plot = _log_plot("Final error against NFE", "model calls (NFE)", (-10, 10))
        self.order_plot.plotItem.setLabel("left", "final error (RMS distance to the exact end)")
        self.order_plot.setToolTip("Final samples against the exact path's end at σ = 0; the legend gives the fitted "
                                   "slope of log error on log NFE (the empirical order) and the theoretical order")
        self.note = QtWidgets.QLabel("")
        self.note.setWordWrap(True)
        self.note.setStyleSheet("color: #aaa;")

        row = QtWidgets.QHBoxLayout()
        row.addWidget(self.status, 1)
        row.addWidget(QtWidgets.QLabel("Distance of"))
        row.addWidget(self.measure)
        split = QtWidgets.QSplitter(QtCore.Qt.Orientation.Horizontal)
        split.addWidget(self.error_plot)
        split.addWidget(self.order_plot)
        split.setSizes([560, 440])
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 0)
        layout.addLayout(row)
        layout.addWidget(split, 1)
        layout.addWidget(self.note)
        self._draw()

    # ------------------------------------------------------------------ running
    def set_outcome(self, outcome: SampleOutcome) -> None:
        """A new comparison was sampled: compute its exact reference now if the tab is shown, else when it is."""
        self.outcome = outcome
        self.result = None
        self._draw()
        reason = why_not_exact(outcome.source)
        self.status.setText(f"No exact path: {reason}." if reason else "Open this tab to compare with the exact path.")
        if self.isVisible():
            self.compute()

    def showEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().showEvent(event)
        self.compute()

    def compute(self) -> None:
        """Start the exact-path job for the shown comparison (once per comparison; exact mixtures only)."""
        o = self.outcome
        if o is None or o.request is None or o is self._computed_for or why_not_exact(o.source):
            return
        self._computed_for = o
        r = o.request
        self.status.setText(f"Following the exact path of {o.source.label} for {len(r.samplers)} samplers…")
        handle = self.slot.start("Exact path", exact_job, o.source, r.samplers, r.nfe, r.samples, r.seed)
        handle.partial.connect(self._show)
        handle.succeeded.connect(self._finished)
        handle.failed.connect(lambda error: self.status.setText(f"The exact path failed: {error}"))
        handle.cancelled.connect(self._cancelled)

    def _cancelled(self) -> None:
        self._computed_for = None  # shown again, the tab computes again
        self.status.setText("Cancelled: open this tab again to compute the exact path.")

    def _finished(self, result: Any) -> None:
        self._show(result)
        self.status.setText(f"{self.outcome.source.label}: {result.samples:,} samples of the shared noise, "
                            f"NFE {self.outcome.request.nfe} for the per-call errors")

    def _show(self, result: Any) -> None:
        self.result = result
        self._draw()

    # ------------------------------------------------------------------ drawing
    def _draw(self) -> None:
        self._draw_errors()
        self._draw_orders()

    def _draw_errors(self) -> None:
        plot = self.error_plot
        plot.plotItem.clear()
        plot.legend.clear()
        key = self.measure.currentData()
        plot.plotItem.setLabel("left", f"RMS distance of the {MEASURES[key]}")
        xs: list[float] = []
        ys: list[float] = []
        if self.result is not None:
            for k, (name, e) in enumerate(self.result.calls.items()):
                y = np.asarray(getattr(e, key), float)
                keep = np.isfinite(e.sigma) & (e.sigma > 0) & np.isfinite(y) & (y > 0)  # log axes: no σ = ∞, no 0
                label = self.result.labels[name] + (" (stochastic)" if name in self.result.notes
                                                    and name not in self.result.orders else "")
                plot.plotItem.plot(e.sigma[keep], y[keep], pen=pg.mkPen(color(k), width=1.5), symbol="o",
                                   symbolSize=4, symbolBrush=color(k), symbolPen=None, name=label)
                xs.extend(e.sigma[keep])
                ys.extend(y[keep])
        _axes(plot, xs, ys, decades=True)

    def _draw_orders(self) -> None:
        plot = self.order_plot
        plot.plotItem.clear()
        plot.legend.clear()
        xs: list[float] = []
        ys: list[float] = []
        notes = []
        if self.result is not None:
            names = list(self.result.labels)
            for name, c in self.result.orders.items():
                k = names.index(name)
                label = self.result.labels[name]
                if c.order is not None:
                    upper = f" ({c.upper_order:.2f} at NFE ≥ {self.result.upper_nfe})" if c.upper_order is not None else ""
                    label += f"<br>slope {c.order:.2f}{upper}, theory {c.theory}"
                y = np.where(np.asarray(c.final_error) > 0, c.final_error, np.nan)
                plot.plotItem.plot(np.asarray(c.nfe, float), y, pen=pg.mkPen(color(k), width=2), symbol="o",
                                   symbolSize=6, symbolBrush=color(k), name=label)
                xs.extend(c.nfe)
                ys.extend(y[np.isfinite(y)])
            notes = [f"{self.result.labels[n]}: {why}" for n, why in self.result.notes.items()]
        self.note.setText("Not fitted: " + "; ".join(notes) if notes else "")
        _axes(plot, xs, ys)

    # ------------------------------------------------------------------ export
    def figures(self) -> list[Figure]:
        if self.result is None:
            return []
        return [Figure("Exact path: distance at each call", self.error_plot, lambda: error_table(self.result)),
                Figure("Exact path: final error against NFE", self.order_plot, lambda: order_table(self.result))]

