"""The latent map: the encoded data set as a scatter coloured by label or cluster, the interpolation paths
over it, the hovered item's image in a corner, and for 2D latents the decoded grid behind the points."""
from __future__ import annotations

from typing import Optional

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore

from workbench.panels.latent.image_box import as_rgb, image_item
from workbench.panels.latent.style import MODE_COLORS, label_color
from workbench.widgets.legend_corner import place_legend

INSET = 110
TITLE_PX, LINE_PX = 30, 15  # the title row for two lines of 10 pt, and each line more


def axes_of(latent_map) -> tuple[str, str]:
    """Axis titles of an :class:`engines.latent.maps.LatentMap`."""
    if latent_map.method == "latent":
        return "z₁", "z₂"
    if latent_map.method == "pca":
        return f"PC 1 ({100 * latent_map.explained[0]:.0f}% of variance)", f"PC 2 ({100 * latent_map.explained[1]:.0f}%)"
    name = "UMAP" if latent_map.method == "umap" else "t-SNE"
    return f"{name} 1", f"{name} 2"


class MapView(pg.PlotWidget):
    """Shows the items it is given (:meth:`set_items`). Emits ``item_clicked(index)``, ``item_hovered(index)``
    (-1 when the pointer leaves the points) and ``range_changed()`` when the user pans or zooms."""

    item_clicked = QtCore.Signal(int)
    item_hovered = QtCore.Signal(int)
    range_changed = QtCore.Signal()

    def __init__(self) -> None:
        super().__init__()
        plot = self.getPlotItem()
        plot.setMenuEnabled(False)
        plot.showGrid(x=True, y=True, alpha=0.15)
        for side in ("left", "bottom"):  # latent coordinates are unitless: no "×0.001" rescaling
            plot.getAxis(side).enableAutoSIPrefix(False)
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
                                         symbolPen=None, name=m) for m, c in MODE_COLORS}
        for item in self.paths.values():
            item.setZValue(10)
            plot.addItem(item)
        self.ends = pg.ScatterPlotItem(size=16, pen=pg.mkPen("w", width=2), brush=pg.mkBrush(0, 0, 0, 0), symbol="o")
        self.ends.setZValue(11)
        plot.addItem(self.ends)
        self.norm_bar = pg.ColorBarItem(colorMap=pg.colormap.get("viridis"), interactive=False, width=12,
                                        label="‖z‖ (norm of the code)")
        self.norm_bar.hide()
        self.norms: Optional[np.ndarray] = None
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
        plot.getViewBox().sigRangeChangedManually.connect(lambda *_: self.range_changed.emit())
        self.xy = np.zeros((0, 2))
        self.labels = np.zeros(0, int)
        self.clusters: Optional[np.ndarray] = None
        self.images: Optional[np.ndarray] = None
        self.rows = np.zeros(0, np.int64)
        self.title = ""
        self._hover = -1
        self.setToolTip("")

    # ------------------------------------------------------------------ what it shows
    def set_items(self, xy: np.ndarray, axes: tuple[str, str], labels: np.ndarray, clusters: Optional[np.ndarray],
                  images: np.ndarray, title: str, by_cluster: bool, rows: Optional[np.ndarray] = None,
                  norms: Optional[np.ndarray] = None) -> None:
        """The items at ``xy`` (labels, clusters or None, images or 2D points for hovering, ``rows`` in the
        source, said on hover), coloured by ``norms`` (with a colour bar) when given, else by cluster when
        ``by_cluster`` (and there are clusters), else by label."""
        self.xy, self.labels, self.clusters, self.images, self.title = np.asarray(xy, float), labels, clusters, images, title
        self.rows = np.arange(len(self.xy)) if rows is None else np.asarray(rows)
        plot = self.getPlotItem()
        plot.setLabel("bottom", axes[0])
        plot.setLabel("left", axes[1])
        plot.setTitle(title, size="10pt")
        height = TITLE_PX + LINE_PX * max(0, title.count("<br>") - 1)  # setTitle leaves room for two lines
        plot.titleLabel.setMaximumHeight(height)
        plot.layout.setRowFixedHeight(0, height)
        by_cluster = by_cluster and clusters is not None
        groups = np.asarray(clusters if by_cluster else labels)
        self.norms = None if norms is None else np.asarray(norms, float)
        if self.norms is not None:
            lo, hi = (float(v) for v in np.nanpercentile(self.norms, [0, 100])) if len(self.norms) else (0.0, 1.0)
            hi = hi if hi > lo else lo + 1.0
            colours = self.norm_bar.colorMap().map((self.norms - lo) / (hi - lo), mode="qcolor")
            brushes = [pg.mkBrush(c) for c in colours]
            self.norm_bar.setLevels((lo, hi))
        else:
            brushes = [pg.mkBrush(label_color(int(g))) for g in groups]
        self._show_bar(self.norms is not None)
        self.scatter.setData(pos=self.xy, brush=brushes, data=np.arange(len(self.xy)))
        self.legend.clear()
        values = sorted({int(g) for g in groups})
        if len(values) <= 12 and self.norms is None:
            name = "cluster" if by_cluster else "label"
            for g in values:
                sample = pg.ScatterPlotItem(size=9, pen=None, brush=pg.mkBrush(label_color(g)))
                self.legend.addItem(sample, f"{name} {g}" if g >= 0 else "no label")
        for m, item in self.paths.items():
            self.legend.addItem(item, m)
        self.legend.setColumnCount(2 if len(values) > 6 else 1)  # half as tall: it covers fewer points
        plot.getViewBox().autoRange(padding=0.05)
        place_legend(self.legend, plot.getViewBox(), self.xy)  # where it hides the fewest points

    def _show_bar(self, show: bool) -> None:
        layout = self.getPlotItem().layout
        if show and not self.norm_bar.isVisible():
            layout.addItem(self.norm_bar, 2, 5)  # where ColorBarItem(insert_in=plot) puts it
            self.norm_bar.show()
        elif not show and self.norm_bar.isVisible():
            layout.removeItem(self.norm_bar)
            self.norm_bar.hide()

    def set_paths(self, paths: dict[str, np.ndarray], ends: Optional[np.ndarray]) -> None:
        """Path points per mode on this map (modes left out are cleared) and the two ends."""
        for m, item in self.paths.items():
            xy = paths.get(m)
            item.setData([], []) if xy is None else item.setData(xy[:, 0], xy[:, 1])
        self.ends.setData(pos=ends if ends is not None else np.zeros((0, 2)))

    def set_grid(self, grid) -> None:
        """A :class:`tasks.latent.Grid` of decoded images behind the points, each centred on its latent
        point (None hides it)."""
        self.scatter.setOpacity(1.0 if grid is None else 0.6)  # the decoded digits stay readable under the points
        if grid is None:
            self.manifold.clear()
            self.manifold.setVisible(False)
            return
        (x0, x1), (y0, y1), nx, ny = grid.x_range, grid.y_range, grid.columns, grid.rows
        dx, dy = (x1 - x0) / (nx - 1), (y1 - y0) / (ny - 1)
        self.manifold.setVisible(True)
        # an ordinary picture (top row = y1); the plot draws array row 0 at the lowest y, so flip it
        self.manifold.setImage(as_rgb(grid.image[::-1]), levels=(0.0, 1.0), autoLevels=False)
        self.manifold.setRect(QtCore.QRectF(x0 - dx / 2, y0 - dy / 2, nx * dx, ny * dy))

    def visible_rect(self) -> QtCore.QRectF:
        (x0, x1), (y0, y1) = self.getPlotItem().getViewBox().viewRange()
        return QtCore.QRectF(x0, y0, x1 - x0, y1 - y0)

    def data(self) -> dict[str, np.ndarray]:
        """The points drawn, for export."""
        if not len(self.xy):
            return {}
        out = {"x": self.xy[:, 0], "y": self.xy[:, 1], "label": self.labels}
        if self.clusters is not None:
            out["cluster"] = self.clusters
        if self.norms is not None:
            out["norm"] = self.norms
        return out

    # ------------------------------------------------------------------ hovering
    def hover(self, index: int) -> None:
        """Show item ``index`` (its image in the lower-left corner, or a 2D point's coordinates); -1 hides it."""
        if index < 0 or self.images is None:
            self.inset.setVisible(False)
            return
        label = int(self.labels[index])
        text = f"row {int(self.rows[index])}" + (f", label {label}" if label >= 0 else "")
        if self.clusters is not None:
            text += f", cluster {int(self.clusters[index])}"
        item = self.images[index]
        if item.ndim < 3:
            self.getPlotItem().setTitle(text + f": ({item[0]:.2f}, {item[1]:.2f})", size="9pt")
            return
        self._place_inset()
        self.inset_image.setImage(as_rgb(item), levels=(0.0, 1.0), autoLevels=False)
        h, w = item.shape[:2]
        self.inset.setRange(QtCore.QRectF(0, 0, w, h), padding=0.0)
        self.inset_text.setText(text)
        self.inset_text.setPos(0, -0.2)
        self.inset.setVisible(True)

    def _place_inset(self, *_) -> None:
        rect = self.getPlotItem().getViewBox().boundingRect()
        self.inset.setGeometry(QtCore.QRectF(10, rect.height() - INSET - 10, INSET, INSET))
        self.inset_text.setPos(0, 0)

    def _clicked(self, _item, points, _ev=None) -> None:
        if len(points):
            self.item_clicked.emit(int(points[0].data()))

    def _hovered(self, _item, points, _ev=None) -> None:
        index = int(points[0].data()) if len(points) else -1
        if index != self._hover:
            self._hover = index
            self.hover(index)
            self.item_hovered.emit(index)
