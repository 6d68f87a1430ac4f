"""Colours and small drawing helpers of the diffusion panel."""
from __future__ import annotations

import numpy as np
from PySide6 import QtGui

PALETTE = ("#ff5a36", "#00c8ff", "#ffd400", "#ff3fd2", "#7cff4f", "#ff9b00", "#8f7bff", "#ffffff")
DATA_COLOR = (150, 150, 150, 90)
EXTENT = 3.2  # the 2D views show [−EXTENT, EXTENT]² in VP scale


def color(index: int) -> QtGui.QColor:
    return QtGui.QColor(PALETTE[index % len(PALETTE)])


def nan_joined(paths: np.ndarray) -> np.ndarray:
    """(T, S, 2) paths -> one (S·(T+1), 2) array with a NaN row after each path."""
    t, s, d = paths.shape
    out = np.full((s, t + 1, d), np.nan)
    out[:, :t] = np.transpose(paths, (1, 0, 2))
    out[~np.isfinite(out)] = np.nan
    return out.reshape(s * (t + 1), d)
