"""The latent panel's plots: the latent map, decoded strips, norms, angles, path lengths, training curves.

Views only draw arrays they are given (numpy); every array is computed in a job.
"""
from __future__ import annotations

from typing import Callable, Optional

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets

from engines.images import tile

PALETTE = ("#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f",
           "#bab0ac", "#17becf", "#bcbd22")
LERP_COLOR = "#ff7f0e"
SLERP_COLOR = "#1fd0ff"
SHELL_COLOR = "#bbbbbb"


def label_color(k: int) -> QtGui.QColor:
    return QtGui.QColor(PALETTE[int(k) % len(PALETTE)]) if k >= 0 else QtGui.QColor("#999999")


def as_rgb(image: np.ndarray) -> np.ndarray:
    """(H, W, C) or (H, W) in [0, 1] to something ImageItem shows in row-major order."""
    image = np.asarray(image, dtype=np.float32)
    if image.ndim == 3 and image.shape[-1] == 1:
        image = image[..., 0]
    return np.clip(image, 0.0, 1.0)


def image_item() -> pg.ImageItem:
    item = pg.ImageItem(axisOrder="row-major")
    item.setLevels((0.0, 1.0))
    return item


class ImageBox(pg.ViewBox):
    """A locked-aspect view showing one image with y pointing down."""

    def __init__(self) -> None:
        super().__init__(lockAspect=True, invertY=True, enableMouse=False, enableMenu=False)
        self.item = image_item()
        self.addItem(self.item)

    def set_image(self, image: Optional[np.ndarray]) -> None:
        if image is None or np.asarray(image).size == 0:
            self.item.clear()
            return
        self.item.setImage(as_rgb(image), levels=(0.0, 1.0), autoLevels=False)
        h, w = image.shape[:2]
        self.setRange(QtCore.QRectF(0, 0, w, h), padding=0.02)


class MapView(pg.PlotWidget):
    """The encoded data set as a scatter, coloured by label or cluster; paths drawn over it; for 2D latents
    an image grid decoded over the visible region behind the points. Emits ``item_clicked(index)``,
    ``item_hovered(index)`` (-1 when the pointer leaves the points) and ``range_changed()``."""

    item_clicked = QtCore.Signal(int)
    item_hovered = QtCore.Signal(int)
    range_changed = QtCore.Signal()

    def __init__(self) -> None:
        super().__init__()
        plot = self.getPlotItem()
        plot.setMenuEnabled(False)
        plot.showGrid(x=True, y=True, alpha=0.15)
        self.manifold = image_item()
        self.manifold.setZValue(-10)
        self.manifold.setOpacity(0.75)
        plot.addItem(self.manifold)
        self.scatter = pg.ScatterPlotItem(size=6, pen=None, hoverable=True, hoverSize=11,
                                          hoverPen=pg.mkPen("w", width=1.5))
        self.scatter.sigClicked.connect(self._clicked)
        self.scatter.sigHovered.connect(self._hovered)
        plot.addItem(self.scatter)
        self.paths = {m: pg.PlotDataItem(pen=pg.mkPen(c, width=2.5), symbol="o", symbolSize=5, symbolBrush=c,
                                         symbolPen=None, name=m)
                      for m, c in (("lerp", LERP_COLOR), ("slerp", SLERP_COLOR))}
        for item in self.paths.values():
            item.setZValue(10)
            plot.addItem(item)
        self.ends = pg.ScatterPlotItem(size=16, pen=pg.mkPen("w", width=2), brush=pg.mkBrush(0, 0, 0, 0), symbol="o")
        self.ends.setZValue(11)
        plot.addItem(self.ends)
        self.legend = pg.LegendItem(offset=(-10, 10), labelTextColor="w", brush=pg.mkBrush(20, 20, 20, 200))
        self.legend.setParentItem(plot.getViewBox())
        self.inset = pg.ViewBox(lockAspect=True, invertY=True, enableMouse=False, enableMenu=False,
                                border=pg.mkPen("#dddddd", width=1))
        self.inset.setParentItem(plot.getViewBox())
        self.inset.setBackgroundColor((0, 0, 0, 220))
        self.inset.setZValue(50)
        self.inset_image = image_item()
        self.inset.addItem(self.inset_image)
        self.inset_text = pg.TextItem("", color="#eeeeee", anchor=(0, 1))
        self.inset_text.setParentItem(self.inset)
        self.inset.setVisible(False)
        plot.getViewBox().sigResized.connect(self._place_inset)
        self._xy = np.zeros((0, 2))
        self._colors: np.ndarray = np.zeros(0)
        self._hover = -1
        plot.getViewBox().sigRangeChangedManually.connect(lambda *_: self.range_changed.emit())
        self.setToolTip("")

    def set_points(self, xy: np.ndarray, groups: np.ndarray, group_name: str, axes: tuple[str, str]) -> None:
        self._xy = np.asarray(xy, float)
        groups = np.asarray(groups)
        brushes = [pg.mkBrush(label_color(int(g))) for g in groups]
        self.scatter.setData(pos=self._xy, brush=brushes, data=np.arange(len(self._xy)))
        plot = self.getPlotItem()
        plot.setLabel("bottom", axes[0])
        plot.setLabel("left", axes[1])
        self.legend.clear()
        values = sorted({int(g) for g in groups})
        if len(values) <= 12:
            for g in values:
                sample = pg.ScatterPlotItem(size=9, pen=None, brush=pg.mkBrush(label_color(g)))
                self.legend.addItem(sample, f"{group_name} {g}" if g >= 0 else "no label")
        for m, item in self.paths.items():
            self.legend.addItem(item, m)
        plot.getViewBox().autoRange(padding=0.05)

    INSET = 110

    def _place_inset(self, *_):
        rect = self.getPlotItem().getViewBox().boundingRect()
        self.inset.setGeometry(QtCore.QRectF(10, rect.height() - self.INSET - 10, self.INSET, self.INSET))
        self.inset_text.setPos(0, 0)

    def show_item(self, image: Optional[np.ndarray], text: str) -> None:
        """The hovered item's image in the lower-left corner (None hides it)."""
        if image is None:
            self.inset.setVisible(False)
            return
        self._place_inset()
        self.inset_image.setImage(as_rgb(image), levels=(0.0, 1.0), autoLevels=False)
        h, w = image.shape[:2]
        self.inset.setRange(QtCore.QRectF(0, 0, w, h), padding=0.0)
        self.inset_text.setText(text)
        self.inset_text.setPos(0, -0.2)
        self.inset.setVisible(True)

    def set_paths(self, paths: dict[str, Optional[np.ndarray]], ends: Optional[np.ndarray]) -> None:
        for m, item in self.paths.items():
            xy = paths.get(m)
            if xy is None:
                item.setData([], [])
            else:
                item.setData(xy[:, 0], xy[:, 1])
        self.ends.setData(pos=ends if ends is not None else np.zeros((0, 2)))

    def set_manifold(self, image: Optional[np.ndarray], rect: Optional[QtCore.QRectF]) -> None:
        if image is None:
            self.manifold.clear()
            self.manifold.setVisible(False)
            return
        self.manifold.setVisible(True)
        self.manifold.setImage(as_rgb(image), levels=(0.0, 1.0), autoLevels=False)
        self.manifold.setRect(rect)

    def visible_rect(self) -> QtCore.QRectF:
        (x0, x1), (y0, y1) = self.getPlotItem().getViewBox().viewRange()
        return QtCore.QRectF(x0, y0, x1 - x0, y1 - y0)

    def _clicked(self, _item, points, _ev=None) -> None:
        if len(points):
            self.item_clicked.emit(int(points[0].data()))

    def _hovered(self, _item, points, _ev=None) -> None:
        index = int(points[0].data()) if len(points) else -1
        if index != self._hover:
            self._hover = index
            self.item_hovered.emit(index)


class StripView(pg.GraphicsLayoutWidget):
    """Decoded images along the lerp path and along the slerp path, one row each, and the analogy row."""

    def __init__(self) -> None:
        super().__init__()
        self.ci.setContentsMargins(4, 4, 4, 4)
        self.ci.setSpacing(2)
        self.rows: dict[str, ImageBox] = {}
        self.titles: dict[str, pg.LabelItem] = {}
        for r, (key, text) in enumerate((("lerp", "lerp"), ("slerp", "slerp"), ("analogy", "analogy  a − b + c"))):
            label = pg.LabelItem(text, justify="left", color="#dddddd", size="9pt")
            label.setSizePolicy(QtWidgets.QSizePolicy.Policy.Ignored, QtWidgets.QSizePolicy.Policy.Fixed)
            self.addItem(label, row=2 * r, col=0)
            box = ImageBox()
            self.addItem(box, row=2 * r + 1, col=0)
            self.rows[key] = box
            self.titles[key] = label

    def set_row(self, key: str, images: Optional[np.ndarray], title: str, pad: int = 1) -> None:
        box = self.rows[key]
        self.titles[key].setText(title)
        if images is None or len(images) == 0:
            box.set_image(None)
            return
        box.set_image(tile(images, columns=len(images), pad=pad, fill=0.35))


class PointsView(pg.PlotWidget):
    """2D data: the data set in grey and decoded paths or samples over it."""

    def __init__(self, title: str = "", paths: bool = True) -> None:
        super().__init__()
        plot = self.getPlotItem()
        plot.setMenuEnabled(False)
        plot.setTitle(title, size="9pt")
        plot.setAspectLocked(True)
        self.data = pg.ScatterPlotItem(size=3, pen=None, brush=pg.mkBrush(160, 160, 160, 90))
        self.samples = pg.ScatterPlotItem(size=3, pen=None, brush=pg.mkBrush(31, 208, 255, 140))
        plot.addItem(self.data)
        plot.addItem(self.samples)
        if paths:
            plot.addLegend(offset=(-10, 10))
        self.curves = {m: plot.plot([], [], pen=pg.mkPen(c, width=2.5), symbol="o", symbolSize=6, symbolBrush=c,
                                    symbolPen=None, name=m if paths else None)
                       for m, c in (("lerp", LERP_COLOR), ("slerp", SLERP_COLOR))}

    def set_data(self, data: np.ndarray, samples: Optional[np.ndarray] = None) -> None:
        self.data.setData(pos=np.asarray(data)[:, :2])
        self.samples.setData(pos=np.asarray(samples)[:, :2] if samples is not None else np.zeros((0, 2)))

    def set_paths(self, paths: dict[str, Optional[np.ndarray]]) -> None:
        for m, item in self.curves.items():
            p = paths.get(m)
            item.setData([], []) if p is None else item.setData(p[:, 0], p[:, 1])


def _plot(title: str, bottom: str, left: str) -> pg.PlotWidget:
    w = pg.PlotWidget()
    p = w.getPlotItem()
    p.setMenuEnabled(False)
    p.setTitle(title, size="10pt")
    p.setLabel("bottom", bottom)
    p.setLabel("left", left)
    p.showGrid(x=True, y=True, alpha=0.2)
    p.addLegend(offset=(-10, 10), brush=pg.mkBrush(20, 20, 20, 200))
    return w


def colored_title(head: str) -> str:
    return (f"{head}: <span style='color:{LERP_COLOR}'>lerp</span>, <span style='color:{SLERP_COLOR}'>slerp</span>, "
            f"<span style='color:{SHELL_COLOR}'>prior shell √n ± √2</span>")


class NormPlot(pg.PlotWidget):
    """‖z‖ along the lerp and slerp paths against the prior's typical shell √n (band: ± 2 sd ≈ ± √2)."""

    def __init__(self, title: str = "‖z‖ along the path") -> None:
        super().__init__()
        p = self.getPlotItem()
        p.setMenuEnabled(False)
        self.head = title
        p.setTitle(colored_title(title), size="9pt")
        p.setLabel("bottom", "t")
        p.setLabel("left", "norm |z|")
        p.showGrid(x=True, y=True, alpha=0.2)
        self.curves = {m: p.plot([], [], pen=pg.mkPen(c, width=2.5), name=m)
                       for m, c in (("lerp", LERP_COLOR), ("slerp", SLERP_COLOR))}
        self.shell = p.plot([], [], pen=pg.mkPen(SHELL_COLOR, width=1.5, style=QtCore.Qt.PenStyle.DashLine),
                            name="prior shell √n")
        self.band = pg.FillBetweenItem(pg.PlotDataItem([], []), pg.PlotDataItem([], []), brush=pg.mkBrush(200, 200, 200, 25))
        p.addItem(self.band)

    def set_title(self, head: str) -> None:
        self.head = head
        self.getPlotItem().setTitle(colored_title(head), size="9pt")

    def set_norms(self, t: np.ndarray, norms: dict[str, np.ndarray], n: int) -> None:
        for m, item in self.curves.items():
            item.setData(t, norms[m])
        r = np.sqrt(n)
        self.shell.setData([0, 1], [r, r])
        # the shell's ±2 standard deviations (the chi distribution's sd ≈ 1/√2)
        self.band.setCurves(pg.PlotDataItem([0, 1], [r - 1.414, r - 1.414]), pg.PlotDataItem([0, 1], [r + 1.414, r + 1.414]))
        lo = min(float(min(v.min() for v in norms.values())), r - 1.6)
        self.getPlotItem().setYRange(max(0.0, lo * 0.9), max(r + 1.6, float(max(v.max() for v in norms.values()))) * 1.05)
        self.getPlotItem().setXRange(0, 1, padding=0.02)


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
        p.addLegend(offset=(10, 10), brush=pg.mkBrush(20, 20, 20, 200))
        self.hist = pg.PlotDataItem([], [], stepMode="center", fillLevel=0, brush=pg.mkBrush(31, 208, 255, 90),
                                    pen=pg.mkPen(SLERP_COLOR, width=1), name="prior samples")
        self.data_hist = pg.PlotDataItem([], [], stepMode="center", pen=pg.mkPen(LERP_COLOR, width=1.5),
                                         name="encoded data (centred)")
        self.theory = pg.PlotDataItem([], [], pen=pg.mkPen("w", width=2), name="∝ sin^(n−2) θ")
        for item in (self.hist, self.data_hist, self.theory):
            p.addItem(item)

    def set_fit(self, fit, data_angles: Optional[np.ndarray]) -> None:
        from engines.latent.statistics import angle_pdf  # cheap: numpy/scipy only

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
            for m, c in (("lerp", LERP_COLOR), ("slerp", SLERP_COLOR)):
                self.curves[(key, m)] = p.plot([], [], pen=pg.mkPen(c, width=2.5), symbol="o", symbolSize=6,
                                               symbolBrush=c, symbolPen=None)
        self.raw.setTitle("perceptual path length (press Compute)", size="9pt")
        self.unit.setTitle("decoder stretch along the path", size="9pt")

    def set_results(self, results: dict, binned: Callable) -> None:
        for key, plot in (("raw", self.raw), ("unit", self.unit)):
            for m in ("lerp", "slerp"):
                t, v = binned(results[m][key])
                self.curves[(key, m)].setData(t, v)
            plot.enableAutoRange()
        r = results["lerp"]["raw"]
        lm, sm = results["lerp"]["raw"].mean, results["slerp"]["raw"].mean
        lu, su = results["lerp"]["unit"].mean, results["slerp"]["unit"].mean
        self.raw.setTitle(f"PPL ({len(r.values)} prior pairs, ε = 1e-4, {r.distance}): "
                          f"<span style='color:{LERP_COLOR}'>lerp {lm:.3g}</span>, "
                          f"<span style='color:{SLERP_COLOR}'>slerp {sm:.3g}</span>", size="9pt")
        self.unit.setTitle(f"per unit latent step: <span style='color:{LERP_COLOR}'>lerp {lu:.3g}</span>, "
                           f"<span style='color:{SLERP_COLOR}'>slerp {su:.3g}</span>", size="9pt")


class TrainingView(QtWidgets.QWidget):
    """Loss terms per epoch and the sample grid, refreshed while a model trains."""

    def __init__(self) -> None:
        super().__init__()
        self.curves_plot = _plot("Training", "epoch", "nats per item")
        p = self.curves_plot.getPlotItem()
        self.curves = {
            "total": p.plot([], [], pen=pg.mkPen("w", width=2), name="−ELBO (train)"),
            "recon": p.plot([], [], pen=pg.mkPen(LERP_COLOR, width=1.5), name="reconstruction"),
            "kl": p.plot([], [], pen=pg.mkPen("#59a14f", width=1.5), name="KL"),
            "test_total": p.plot([], [], pen=pg.mkPen(SLERP_COLOR, width=2, style=QtCore.Qt.PenStyle.DashLine),
                                 name="held-out"),
        }
        self.samples = pg.GraphicsLayoutWidget()
        self.samples_title = pg.LabelItem("samples", color="#dddddd", size="10pt")
        self.samples.addItem(self.samples_title, row=0, col=0)
        self.sample_box = ImageBox()
        self.samples.addItem(self.sample_box, row=1, col=0)
        self.points = PointsView("samples (blue) and data (grey)", paths=False)
        self.stack = QtWidgets.QStackedWidget()
        self.stack.addWidget(self.samples)
        self.stack.addWidget(self.points)
        split = QtWidgets.QSplitter(QtCore.Qt.Orientation.Horizontal)
        split.addWidget(self.curves_plot)
        split.addWidget(self.stack)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(split)

    def set_history(self, history, is_flow: bool, title: str) -> None:
        p = self.curves_plot.getPlotItem()
        epochs = np.asarray(history.epoch, float)
        legend = p.legend
        legend.clear()
        if is_flow:
            p.setLabel("left", "bits per dimension")
            self.curves["total"].setData(epochs, np.asarray(history.bpd, float))
            for k in ("recon", "kl"):
                self.curves[k].setData([], [])
            legend.addItem(self.curves["total"], "bits/dim (train)")
        else:
            p.setLabel("left", "nats per item")
            for k in ("total", "recon", "kl"):
                self.curves[k].setData(epochs, np.asarray(getattr(history, k), float))
            for k, text in (("total", "−ELBO (train)"), ("recon", "reconstruction"), ("kl", "KL")):
                legend.addItem(self.curves[k], text)
        legend.addItem(self.curves["test_total"], "held-out")
        self.curves["test_total"].setData(epochs, np.asarray(history.test_total, float))
        p.setTitle(title, size="10pt")

    def set_samples(self, samples: np.ndarray, title: str, data: Optional[np.ndarray] = None) -> None:
        if samples.ndim == 4:
            self.stack.setCurrentWidget(self.samples)
            self.sample_box.set_image(tile(samples, pad=1, fill=0.3))
            self.samples_title.setText(title)
        else:
            self.stack.setCurrentWidget(self.points)
            self.points.set_data(data if data is not None else np.zeros((0, 2)), samples)
            self.points.getPlotItem().setTitle(title, size="10pt")
