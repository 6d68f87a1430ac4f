"""Colours and axes shared by the optimizer panel's views: one colour per optimizer, the surface colormap,
ticks without SI rescaling."""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6 import QtGui

from tasks.optimizer import thinned

# Okabe-Ito-like palette, readable on the dark-to-light "cividis" heatmap; white is the start points' colour
# (START_COLOR), so no optimizer has it.
PALETTE = ("#ff5a36", "#00e0ff", "#ffd400", "#ff3fd2", "#7cff4f", "#00a86b", "#ff9b00", "#8f7bff")
START_COLOR = "#ffffff"
SURFACE_CMAP = "cividis"
POINT_BUDGET = 6_000  # points drawn per optimizer: enough for the eye, cheap enough for live redraws


def color(index: int) -> QtGui.QColor:
    """The colour of the ``index``-th optimizer configuration."""
    return QtGui.QColor(PALETTE[index % len(PALETTE)])


def colormap(name: str = SURFACE_CMAP) -> pg.ColorMap:
    return pg.colormap.get(name)


def plain_axes(plot: pg.PlotItem) -> None:
    """Ticks that show the values themselves: the panel's coordinates, losses and steps have no unit, so
    pyqtgraph's SI prefixes would only rescale them behind a "(×0.001)" in the label."""
    for side in ("left", "bottom", "right", "top"):
        plot.getAxis(side).enableAutoSIPrefix(False)


def finite_or_nan(a: np.ndarray) -> np.ndarray:
    """A float copy of ``a`` with every non-finite value replaced by NaN (pyqtgraph's connect='finite')."""
    out = np.array(a, dtype=np.float64, copy=True)
    out[~np.isfinite(out)] = np.nan
    return out


def nan_joined(paths: np.ndarray, budget: int = POINT_BUDGET) -> np.ndarray:
    """Join paths of shape (S, T, D), thinned to about ``budget`` points, into one (S*(T'+1), D) array with a
    NaN row after each path."""
    paths = paths[:, thinned(paths.shape[0], paths.shape[1], budget)]
    s, t, d = paths.shape
    out = np.full((s, t + 1, d), np.nan)
    out[:, :t] = paths
    out[~np.isfinite(out)] = np.nan
    return out.reshape(s * (t + 1), d)
