"""Colours and small drawing helpers of the diffusion panel."""
from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6 import QtGui

from engines.images import tile

PALETTE = ("#ff5a36", "#00c8ff", "#ffd400", "#ff3fd2", "#7cff4f", "#ff9b00", "#8f7bff", "#ffffff")
DATA_COLOR = (150, 150, 150, 90)
EXTENT = 3.2  # the 2D views show [−EXTENT, EXTENT]² in VP scale
MAX_POINTS = 2000  # points drawn per frame


def color(index: int) -> QtGui.QColor:
    return QtGui.QColor(PALETTE[index % len(PALETTE)])


def nan_joined(paths: np.ndarray) -> np.ndarray:
    """(T, S, 2) paths -> one (S·(T+1), 2) array with a NaN row after each path."""
    t, s, d = paths.shape
    out = np.full((s, t + 1, d), np.nan)
    out[:, :t] = np.transpose(paths, (1, 0, 2))
    out[~np.isfinite(out)] = np.nan
    return out.reshape(s * (t + 1), d)


def unit_range(images: np.ndarray) -> np.ndarray:
    """Images in [-1, 1] mapped to [0, 1]."""
    return np.clip((np.asarray(images) + 1.0) / 2.0, 0.0, 1.0)


def mosaic(images: np.ndarray) -> np.ndarray:
    """(N, C, H, W) or (N, H, W) images in [-1, 1] -> one near-square mosaic in [0, 1], framed by the gap colour
    (2-D when single-channel; pyqtgraph: x is axis 0)."""
    images = unit_range(images)
    if images.ndim == 4:
        images = np.moveaxis(images, 1, -1)
        if images.shape[-1] == 1:
            images = images[..., 0]
    return tile(images, border=True)


def square_plot(plot: pg.PlotItem, extent: float = EXTENT) -> None:
    """A 2-D view of [−extent, extent]² with locked aspect and a faint grid."""
    plot.setAspectLocked(True)
    plot.setRange(xRange=(-extent, extent), yRange=(-extent, extent), padding=0)
    plot.hideButtons()
    plot.showGrid(x=True, y=True, alpha=0.15)


def log_ticks(lo: float, hi: float) -> list[tuple[float, str]]:
    """Ticks at 1, 2, 5 × 10^k between ``lo`` and ``hi`` (data units), placed in log10 coordinates."""
    if not (lo > 0 and hi > 0 and math.isfinite(lo) and math.isfinite(hi)):
        return []
    ticks = []
    for k in range(math.floor(math.log10(lo)) - 1, math.ceil(math.log10(hi)) + 1):
        for m in (1, 2, 5):
            v = m * 10.0 ** k
            if lo / 1.5 <= v <= hi * 1.5:
                ticks.append((math.log10(v), f"{v:g}"))
    if len(ticks) > 8:
        ticks = [t for t in ticks if t[1].lstrip("0.").startswith("1")] or ticks
    return ticks
