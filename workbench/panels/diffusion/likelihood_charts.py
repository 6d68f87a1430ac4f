"""The Likelihood tab's charts: the ELBO's terms per timestep, bits/dim by the ELBO and by the ODE with their
intervals, and reflow's straightness per round (log axes with real units)."""
from __future__ import annotations

from typing import Any

import numpy as np
import pyqtgraph as pg

from workbench.panels.diffusion.style import color, log_ticks
from workbench.widgets.axes import setup_chart, show_values


def _hint(widget: pg.PlotWidget, text: str) -> pg.TextItem:
    hint = pg.TextItem(text, color=(200, 200, 200), anchor=(0.5, 0.5))
    widget.plotItem.addItem(hint, ignoreBounds=True)
    widget.plotItem.setRange(xRange=(0, 1), yRange=(0, 1))
    hint.setPos(0.5, 0.5)
    return hint


class ElboTermsPlot(pg.PlotWidget):
    """KL(q(x_{t−1}|x_t,x0) ‖ p_θ(x_{t−1}|x_t)) per timestep in nats/dim (log), one curve per model, with the
    95% band over the rows (the reconstruction and prior terms are the tab's table's)."""

    def __init__(self) -> None:
        super().__init__()
        setup_chart(self, "ELBO terms per timestep", "timestep t", "KL term (nats/dim)", log_x=True, log_y=True)
        self.legend = self.plotItem.addLegend(offset=(10, -10), labelTextSize="8pt")  # lower left: the terms fall to the right
        self.models: list[tuple[str, Any]] = []
        self.hint = _hint(self, "Press Measure: the KL of q(x_{t−1}|x_t, x0) to p_θ(x_{t−1}|x_t)\n"
                                "at every timestep of the model in the sidebar appears here")

    def set_models(self, models: list[tuple[str, Any]]) -> None:
        """``models``: (label, engines Likelihood) to draw, in colour order."""
        self.models = list(models)
        self.plotItem.clear()
        self.legend.clear()
        shown = bool(self.models)
        show_values(self.plotItem, shown)
        if not shown:
            self.plotItem.addItem(self.hint, ignoreBounds=True)
            return
        ys = []
        for k, (label, lk) in enumerate(self.models):
            e = lk.elbo
            t = np.arange(2, len(e.kl) + 1, dtype=float)
            y = np.where(e.kl[1:] > 0, e.kl[1:], np.nan)
            low = np.where(e.kl[1:] - e.kl_ci[1:] > 0, e.kl[1:] - e.kl_ci[1:], y * 0.5)
            pen = pg.mkPen(color(k), width=2)
            curve = self.plotItem.plot(t, y, pen=pen, name=label)
            fill_color = color(k)
            fill_color.setAlpha(60)
            upper = self.plotItem.plot(t, e.kl[1:] + e.kl_ci[1:], pen=None)
            lower = self.plotItem.plot(t, low, pen=None)
            self.plotItem.addItem(pg.FillBetweenItem(lower, upper, brush=fill_color))
            curve.setZValue(2)
            ys.extend(y[np.isfinite(y)])
        if ys:
            self.plotItem.getAxis("left").setTicks([log_ticks(min(ys), max(ys)), []])
            self.plotItem.getAxis("bottom").setTicks([log_ticks(2, 1000), []])
        self.plotItem.enableAutoRange()

    def data(self) -> dict[str, np.ndarray]:
        rows = [(label, t + 1, float(lk.elbo.sigmas[t]), float(lk.elbo.kl[t]), float(lk.elbo.kl_ci[t]))
                for label, lk in self.models for t in range(1, len(lk.elbo.kl))]
        if not rows:
            return {}
        return {"model": np.array([r[0] for r in rows]), "t": np.array([r[1] for r in rows]),
                "sigma": np.array([r[2] for r in rows]), "kl_nats_per_dim": np.array([r[3] for r in rows]),
                "ci95_half_width": np.array([r[4] for r in rows])}


class BitsPlot(pg.PlotWidget):
    """bits/dim by the ELBO and by the probability-flow ODE, per model (one row each, the first at the top),
    with 95% intervals."""

    def __init__(self) -> None:
        super().__init__()
        setup_chart(self, "bits/dim: ELBO and ODE", "bits/dim")
        self.plotItem.invertY(True)
        self.models: list[tuple[str, Any]] = []
        self.hint = _hint(self, "bits/dim by the ELBO and by\nthe ODE, with 95% intervals")

    def set_models(self, models: list[tuple[str, Any]], ticks: list[str] | None = None) -> None:
        """``ticks``: short names beside the bars (default the labels)."""
        self.models = list(models)
        self.plotItem.clear()
        shown = bool(self.models)
        show_values(self.plotItem, shown)
        if not shown:
            self.plotItem.addItem(self.hint, ignoreBounds=True)
            return
        for k, (label, lk) in enumerate(self.models):
            for j, e in enumerate((lk.elbo_bits, lk.ode_bits)):
                y = k + (j - 0.5) * 0.38
                self.plotItem.addItem(pg.BarGraphItem(x0=[0.0], y=[y], width=[e.mean], height=0.36, brush=color(j)))
                self.plotItem.addItem(pg.ErrorBarItem(x=np.array([e.mean]), y=np.array([y]),
                                                      width=np.array([2 * e.half_width]), beam=0.12,
                                                      pen=pg.mkPen("w", width=1.5)))
        names = ticks or [label for label, _ in self.models]
        self.plotItem.getAxis("left").setTicks([list(enumerate(names)), []])
        ends = [v for _, lk in self.models for e in (lk.elbo_bits, lk.ode_bits) for v in (e.low, e.high, 0.0)
                if np.isfinite(v)]
        self.plotItem.setYRange(-0.6, len(self.models) - 0.4, padding=0)
        self.plotItem.setXRange(min(ends), max(ends), padding=0.05)
        unit = "bits/dim of the bins" if self.models[-1][1].discrete else "bits/dim (nats/dim ÷ ln 2)"
        self.plotItem.setLabel("bottom", unit)
        self.plotItem.setTitle("<span style='color:%s'>ELBO</span> and <span style='color:%s'>ODE</span>, 95%% CI"
                               % (color(0).name(), color(1).name()), size="10pt")

    def data(self) -> dict[str, np.ndarray]:
        if not self.models:
            return {}
        cols: dict[str, list] = {k: [] for k in ("model", "elbo_bits", "elbo_ci95", "ode_bits", "ode_ci95")}
        for label, lk in self.models:
            for key, value in (("model", label), ("elbo_bits", lk.elbo_bits.mean), ("elbo_ci95", lk.elbo_bits.half_width),
                               ("ode_bits", lk.ode_bits.mean), ("ode_ci95", lk.ode_bits.half_width)):
                cols[key].append(value)
        return {k: np.asarray(v) for k, v in cols.items()}


class StraightnessPlot(pg.PlotWidget):
    """Reflow: straightness E∫‖(Z_1 − Z_0) − v(Z_t, t)‖² dt of each round's paths (log), with 95% intervals."""

    def __init__(self) -> None:
        super().__init__()
        setup_chart(self, "Straightness (Liu et al. 2022)", "round (0: flow matching)", "E∫‖(x1 − x0) − v‖² dt",
                    log_y=True)
        self.columns: dict[str, np.ndarray] = {}
        self.hint = _hint(self, "Press Train reflow: each round's\nstraightness appears here")

    def set_result(self, result: Any) -> None:
        self.plotItem.clear()
        self.columns = result.columns() if result is not None and result.rounds else {}
        show_values(self.plotItem, bool(self.columns))
        if not self.columns:
            self.plotItem.addItem(self.hint, ignoreBounds=True)
            return
        r, s, h = self.columns["round"].astype(float), self.columns["straightness"], self.columns["ci95_half_width"]
        self.plotItem.plot(r, s, pen=pg.mkPen(color(4), width=2), symbol="o", symbolBrush=color(4))
        logs = np.log10(np.maximum(s, 1e-300))
        top = np.log10(s + h) - logs
        bottom = logs - np.log10(np.maximum(s - h, s * 1e-3))
        self.plotItem.addItem(pg.ErrorBarItem(x=r, y=logs, top=top, bottom=bottom, beam=0.1, pen=pg.mkPen("w")))
        self.plotItem.getAxis("bottom").setTicks([[(float(v), str(int(v))) for v in r], []])
        self.plotItem.getAxis("left").setTicks([log_ticks(float(s.min()), float(s.max())), []])
        self.plotItem.setXRange(-0.3, max(r) + 0.3, padding=0)
        self.plotItem.setYRange(float(np.log10(np.maximum(s - h, s * 1e-3)).min()), float(np.log10(s + h).max()),
                                padding=0.08)

    def data(self) -> dict[str, np.ndarray]:
        return dict(self.columns)
