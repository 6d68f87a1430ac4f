"""The clustering figure: a 2-D scatter coloured by cluster, the cluster sizes, and sample images per cluster
(also what ``workbench run cluster`` draws into figure.png)."""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6 import QtGui

from engines.cluster.catalogue import EMBEDDINGS, METHODS
from engines.images import tile
from workbench.widgets.axes import show_values

PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
           "#bcbd22", "#17becf", "#393b79", "#ad494a", "#8ca252", "#de9ed6", "#6b6ecf", "#e7ba52"]


def colour(i: int) -> QtGui.QColor:
    if i < len(PALETTE):
        return QtGui.QColor(PALETTE[i])
    return pg.intColor(i, hues=max(i + 1, 16))


class ClusterScatter(pg.GraphicsLayoutWidget):
    """Scatter of the 2-D projection coloured by cluster, the sizes as bars, and a sample grid (images)."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setBackground("w")
        self.scatter_plot = self.addPlot(row=0, col=0, rowspan=2)
        self.scatter_plot.setAspectLocked(False)
        self.scatter_plot.hideAxis("left")
        self.scatter_plot.hideAxis("bottom")
        self.scatter_plot.setTitle("")
        self.sizes_plot = self.addPlot(row=0, col=1)
        self.sizes_plot.setLabel("bottom", "cluster")
        self.sizes_plot.setLabel("left", "size")
        self.samples_plot = self.addPlot(row=1, col=1)
        self.samples_plot.hideAxis("left")
        self.samples_plot.hideAxis("bottom")
        self.samples_plot.setAspectLocked(True)
        self.samples_plot.invertY(True)
        self.ci.layout.setColumnStretchFactor(0, 3)
        self.ci.layout.setColumnStretchFactor(1, 2)
        self.ci.layout.setRowStretchFactor(0, 2)
        self.ci.layout.setRowStretchFactor(1, 3)
        self._scatter = pg.ScatterPlotItem(size=5, pen=None)
        self.scatter_plot.addItem(self._scatter)
        self._bars: pg.BarGraphItem | None = None
        self._image = pg.ImageItem()
        self.samples_plot.addItem(self._image)
        self.result = None
        show_values(self.sizes_plot, False)  # no made-up 0–1 axes before the first result

    def waiting(self, text: str) -> None:
        """Before the first result: ``text`` where the scatter's title goes."""
        if self.result is None:
            self.scatter_plot.setTitle(text, color="k", size="10pt")

    def set_result(self, result) -> None:
        self.result = result
        a = np.asarray(result.assignments)
        p = np.asarray(result.projection)
        order = np.argsort(-np.bincount(a))  # big clusters first in the bars
        rank = np.empty_like(order)
        rank[order] = np.arange(len(order))
        r = rank[a]
        brushes = [pg.mkBrush(colour(int(i))) for i in r]
        self._scatter.setData(p[:, 0], p[:, 1], brush=brushes)
        m = result.metrics
        acc = f"  acc {m['accuracy']:.3f}  NMI {m['nmi']:.3f}  ARI {m['ari']:.3f}" if "accuracy" in m else ""
        method, embedding = METHODS[result.method].label, EMBEDDINGS[result.embedding].label
        self.scatter_plot.setTitle(f"{method} on {embedding} ({result.data_name}): {m.get('clusters')} clusters{acc}",
                                   color="k", size="10pt")
        sizes = np.bincount(a)[order]
        if self._bars is not None:
            self.sizes_plot.removeItem(self._bars)
        self._bars = pg.BarGraphItem(x=np.arange(len(sizes)), height=sizes, width=0.8,
                                     brushes=[pg.mkBrush(colour(i)) for i in range(len(sizes))])
        self.sizes_plot.addItem(self._bars)
        show_values(self.sizes_plot, True)
        self._image.clear()
        if result.images is not None:
            self._image.setImage(sample_grid(result.images, r, per_cluster=8).T, levels=(0, 1))
            # two short lines: the column is narrow beside InfoMap's module tree in a 1280 px window
            self.samples_plot.setTitle("samples per cluster<br>(one row each)", color="k", size="9pt")
        else:
            self.samples_plot.setTitle("")

    def data(self) -> dict[str, np.ndarray]:
        if self.result is None:
            return {}
        p = self.result.projection
        return {"x": p[:, 0], "y": p[:, 1], "cluster": self.result.assignments}


def sample_grid(images: np.ndarray, clusters: np.ndarray, per_cluster: int = 8, max_clusters: int = 16,
                pad: int = 1) -> np.ndarray:
    """Rows of the first ``per_cluster`` images of each cluster (by rank), as one grey image."""
    n_clusters = min(int(clusters.max()) + 1, max_clusters)
    h, w = images.shape[1:3]
    cells = np.full((n_clusters, per_cluster, h, w), 0.15, np.float32)
    for c in range(n_clusters):
        for j, i in enumerate(np.flatnonzero(clusters == c)[:per_cluster]):
            img = images[i]
            cells[c, j] = img.mean(-1) if img.ndim == 3 else img
    grid = tile(cells.reshape(-1, h, w), columns=per_cluster, pad=pad, fill=0.15)
    return np.pad(grid, ((0, pad), (0, pad)), constant_values=0.15)  # a gap after the last row and column too

