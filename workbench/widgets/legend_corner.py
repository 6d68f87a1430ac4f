"""Legends that do not cover the data: the corner of a plot where a legend hides the fewest points, or a row of
its own under the plot."""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6 import QtWidgets

CORNERS = ((0, 0), (1, 0), (0, 1), (1, 1))  # (0 left / 1 right, 0 top / 1 bottom); ties: in this order
LEGEND_ROW = 4  # a PlotItem's layout: title 0, top axis 1, view 2, bottom axis 3


def place_legend(legend: pg.LegendItem, view: pg.ViewBox, points: np.ndarray, margin: float = 8.0) -> tuple[int, int]:
    """Anchor ``legend`` (a child of ``view``) in the corner where it hides the fewest of ``points`` (N, 2),
    in view coordinates; return that corner."""
    size = legend.boundingRect()
    px, py = view.viewPixelSize()
    w, h = (size.width() + 2 * margin) * px, (size.height() + 2 * margin) * py
    (x0, x1), (y0, y1) = view.viewRange()
    pts = np.asarray(points, float).reshape(-1, 2)
    pts = pts[np.isfinite(pts).all(axis=1)]

    def hidden(corner: tuple[int, int]) -> int:
        left = x0 if corner[0] == 0 else x1 - w
        bottom = y1 - h if corner[1] == 0 else y0
        inside = (pts[:, 0] >= left) & (pts[:, 0] <= left + w) & (pts[:, 1] >= bottom) & (pts[:, 1] <= bottom + h)
        return int(inside.sum())

    best = min(CORNERS, key=hidden)
    legend.anchor(itemPos=best, parentPos=best, offset=(margin * (1 - 2 * best[0]), margin * (1 - 2 * best[1])))
    return best


def legend_below(plot: pg.PlotItem, **kwargs) -> pg.LegendItem:
    """A legend in its own row under ``plot``'s bottom axis, outside the data whatever the curves do; the row is
    as tall as the legend (none when empty). Curves plotted with a name join it, as with ``addLegend``;
    ``kwargs`` go to :class:`pyqtgraph.LegendItem`."""
    holder = QtWidgets.QGraphicsWidget()
    plot.layout.addItem(holder, LEGEND_ROW, 1)
    legend = pg.LegendItem(**kwargs)  # no offset: not anchored in the view box
    legend.setParentItem(holder)

    def fit() -> None:  # centred at the row's top, the row as tall as the legend
        try:
            height = legend.height() if legend.items else 0.0
            holder.setMinimumHeight(height)
            holder.setMaximumHeight(height)
            legend.setPos((holder.boundingRect().width() - legend.width()) / 2, 0)
        except RuntimeError:  # the plot is being torn down (pyqtgraph's anchor failed there)
            pass

    legend.geometryChanged.connect(fit)
    holder.geometryChanged.connect(fit)
    fit()
    plot.legend = legend
    return legend
