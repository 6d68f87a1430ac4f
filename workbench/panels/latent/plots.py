"""The high-dimensional picture: norms along paths against the prior's shell, angles between random latent
vectors against their density, and the perceptual path length along lerp and slerp."""
from __future__ import annotations

from typing import Optional

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtWidgets

from workbench.panels.latent.style import LERP_COLOR, MODE_COLORS, SHELL_COLOR, SLERP_COLOR, colored_modes
from workbench.widgets.legend_corner import legend_below


GAUSSIAN_SHELL = "prior shell √n ± √2"
ONE_HOT_SHELL = "one-hot prior codes: √variables"


def colored_title(head: str, shell: str = GAUSSIAN_SHELL) -> str:
    return f"{head}<br>{colored_modes()}, <span style='color:{SHELL_COLOR}'>{shell}</span>"


class NormPlot(pg.PlotWidget):
    """‖z‖ along the lerp and slerp paths against the prior's typical shell √n (band: ± 2 sd ≈ ± √2), or for
    categorical latents the norm √variables that every one-hot prior code has."""

    def __init__(self, title: str = "‖z‖ along the path") -> None:
        super().__init__()
        p = self.getPlotItem()
        p.setMenuEnabled(False)
        self.head = title
        p.setTitle(colored_title(title), size="9pt")
        p.setLabel("bottom", "t")
        p.setLabel("left", "norm |z|")
        p.showGrid(x=True, y=True, alpha=0.2)
        self.curves = {m: p.plot([], [], pen=pg.mkPen(c, width=2.5), name=m) for m, c in MODE_COLORS}
        self.shell = p.plot([], [], pen=pg.mkPen(SHELL_COLOR, width=1.5, style=QtCore.Qt.PenStyle.DashLine),
                            name="prior shell √n")
        self.band = pg.FillBetweenItem(pg.PlotDataItem([], []), pg.PlotDataItem([], []), brush=pg.mkBrush(200, 200, 200, 25))
        p.addItem(self.band)
        self.interpolation = None  # engines.latent.analysis.Interpolation shown

    def set_title(self, head: str) -> None:
        self.head = head
        self.getPlotItem().setTitle(colored_title(head), size="9pt")

    def set_interpolation(self, interpolation, n: int, variables: Optional[int] = None) -> None:
        """The norms along ``interpolation``'s paths in an ``n``-dimensional latent space (of ``variables``
        one-hot blocks for a categorical latent)."""
        self.interpolation = interpolation
        t, norms = interpolation.t, interpolation.norms
        for m, item in self.curves.items():
            item.setData(t, norms[m])
        # the Gaussian shell's ±2 standard deviations (the chi distribution's sd ≈ 1/√2); one-hot codes: none
        r, spread = (np.sqrt(n), 1.414) if variables is None else (np.sqrt(variables), 0.0)
        self.getPlotItem().setTitle(colored_title(self.head, GAUSSIAN_SHELL if variables is None else ONE_HOT_SHELL),
                                    size="9pt")
        self.shell.setData([0, 1], [r, r])
        self.band.setCurves(pg.PlotDataItem([0, 1], [r - spread, r - spread]), pg.PlotDataItem([0, 1], [r + spread, r + spread]))
        lo = min(float(min(v.min() for v in norms.values())), r - spread - 0.2)
        top = max(r + spread + 0.2, float(max(v.max() for v in norms.values())))
        self.getPlotItem().setYRange(max(0.0, lo * 0.9), top * 1.05)
        self.getPlotItem().setXRange(0, 1, padding=0.02)

    def data(self) -> dict[str, np.ndarray]:
        i = self.interpolation
        if i is None:
            return {}
        return {"t": i.t, "norm_lerp": i.norms["lerp"], "norm_slerp": i.norms["slerp"]}


class AnglePlot(pg.PlotWidget):
    """Histogram of angles between random latent pairs against the density ∝ sin^{n−2}θ."""

    def __init__(self) -> None:
        super().__init__()
        p = self.getPlotItem()
        p.setMenuEnabled(False)
        p.setLabel("bottom", "angle θ between two random latent vectors (degrees)")
        p.setLabel("left", "density (per degree)")
        p.getAxis("left").enableAutoSIPrefix(False)
        p.showGrid(x=True, y=True, alpha=0.2)
        # below the plot: the histograms and the density span the whole width, no corner is free of them
        self.legend = legend_below(p, labelTextSize="8pt", colCount=3)
        self.hist = pg.PlotDataItem([], [], stepMode="center", fillLevel=0, brush=pg.mkBrush(31, 208, 255, 90),
                                    pen=pg.mkPen(SLERP_COLOR, width=1), name="prior samples")
        self.data_hist = pg.PlotDataItem([], [], stepMode="center", pen=pg.mkPen(LERP_COLOR, width=1.5),
                                         name="encoded data (centred)")
        self.theory = pg.PlotDataItem([], [], pen=pg.mkPen("w", width=2), name="∝ sin^(n−2) θ")
        for item in (self.hist, self.data_hist, self.theory):
            p.addItem(item)
        self.fit = None  # engines.latent.statistics.AngleFit shown

    def set_fit(self, fit, data_angles: Optional[np.ndarray]) -> None:
        from engines.latent.statistics import angle_pdf  # cheap: numpy/scipy only

        self.fit = fit
        edges = np.degrees(fit.bins)
        self.hist.setData(edges, fit.density * np.pi / 180)
        theta = np.linspace(fit.bins[0], fit.bins[-1], 400)
        self.theory.setData(np.degrees(theta), angle_pdf(theta, fit.n) * np.pi / 180)
        if data_angles is not None and len(data_angles):
            lo, hi = min(edges[0], float(np.degrees(data_angles.min()))), max(edges[-1], float(np.degrees(data_angles.max())))
            dedges = np.linspace(lo, hi, 61)
            counts, _ = np.histogram(np.degrees(data_angles), bins=dedges)
            self.data_hist.setData(dedges, counts / (len(data_angles) * (dedges[1] - dedges[0])))
        else:
            self.data_hist.setData([], [])
        self.getPlotItem().setTitle(
            f"angles, n = {fit.n}: {len(fit.angles)} prior pairs; KS D = {fit.ks_statistic:.3f}, p = {fit.p_value:.2f}",
            size="9pt")

    def data(self) -> dict[str, np.ndarray]:
        return {} if self.fit is None else {"angle_radians": self.fit.angles}


class PathLengthPlot(pg.GraphicsLayoutWidget):
    """Perceptual path length d(G(z(t)), G(z(t+ε)))/ε² against t for lerp and slerp (binned trimmed means over
    many prior pairs), and beside it the same divided by the squared latent step |Δz|²/ε²: how much the
    decoder stretches along each path, whatever the path's speed (the slerp arc is longer than the chord)."""

    def __init__(self) -> None:
        super().__init__()
        self.raw = self.addPlot(row=0, col=0)
        self.unit = self.addPlot(row=0, col=1)
        self.curves: dict[tuple[str, str], pg.PlotDataItem] = {}
        for key, p, left in (("raw", self.raw, "d / ε²"), ("unit", self.unit, "d / |Δz|²")):
            p.setMenuEnabled(False)
            p.setLabel("bottom", "t along the path")
            p.setLabel("left", left)
            p.showGrid(x=True, y=True, alpha=0.2)
            p.getAxis("bottom").enableAutoSIPrefix(False)
            p.getAxis("left").enableAutoSIPrefix(False)
            for m, c in MODE_COLORS:
                self.curves[(key, m)] = p.plot([], [], pen=pg.mkPen(c, width=2.5), symbol="o", symbolSize=6,
                                               symbolBrush=c, symbolPen=None)
        self.clear_results()
        self.perceptual = None  # tasks.latent.Perceptual shown

    def clear_results(self) -> None:
        for item in self.curves.values():
            item.setData([], [])
        self.perceptual = None
        self.raw.setTitle("perceptual path length (press Compute)", size="9pt")
        self.unit.setTitle("decoder stretch along the path", size="9pt")

    def set_results(self, perceptual) -> None:
        """A :class:`tasks.latent.Perceptual`: its binned curves and means."""
        self.perceptual = perceptual
        for (key, m), (t, v) in perceptual.curves.items():
            self.curves[(key, m)].setData(t, v)
        for plot in (self.raw, self.unit):
            plot.enableAutoRange()
        raw = colored_modes({m: f"{r.mean:.3g}" for m, r in perceptual.raw.items()})
        unit = colored_modes({m: f"{r.mean:.3g}" for m, r in perceptual.unit.items()})
        self.raw.setTitle(f"PPL ({perceptual.pairs} prior pairs, ε = 1e-4, {perceptual.distance}): {raw}", size="9pt")
        self.unit.setTitle(f"per unit latent step: {unit}", size="9pt")

    def data(self) -> dict[str, np.ndarray]:
        p = self.perceptual
        if p is None:
            return {}
        out = {}
        for m, r in p.raw.items():
            out[f"t_{m}"] = r.t
            out[f"ppl_{m}"] = r.values
            out[f"ppl_per_unit_latent_{m}"] = p.unit[m].values
        return out


class HighDimensions(QtWidgets.QSplitter):
    """The second tab: norms between two prior samples, angles between random latent pairs, path lengths."""

    def __init__(self) -> None:
        super().__init__(QtCore.Qt.Orientation.Vertical)
        self.prior_norms = NormPlot("‖z‖ between two prior samples")
        self.angles = AnglePlot()
        self.ppl_plot = PathLengthPlot()
        top = QtWidgets.QSplitter(QtCore.Qt.Orientation.Horizontal)
        top.addWidget(self.prior_norms)
        top.addWidget(self.angles)
        self.addWidget(top)
        self.addWidget(self.ppl_plot)

    def set_prior(self, interpolation, n: int) -> None:
        self.prior_norms.set_interpolation(interpolation, n)
        self.prior_norms.set_title(f"two prior samples, n = {n}, √(n/2) = {np.sqrt(n / 2):.2f}")
