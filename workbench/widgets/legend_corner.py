"""Legends that do not cover the data: the corner of a plot where a legend hides the fewest points."""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg

CORNERS = ((0, 0), (1, 0), (0, 1), (1, 1))  # (0 left / 1 right, 0 top / 1 bottom); ties: in this order


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
