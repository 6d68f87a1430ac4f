"""What the surface view draws of a loss grid, computed in the job rather than on the GUI thread: the values
shown (linear or log), their colour range, and contour lines (marching squares is slow in Python)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

N_CONTOURS = 14
CONTOUR_GRID = 160  # contours are traced on a grid at most this fine: smooth enough, 2-3x cheaper than 240


def log_gap(z: np.ndarray) -> np.ndarray:
    """log10 of the height above the lowest value, floored at a millionth of the range."""
    finite = z[np.isfinite(z)]
    if not finite.size:
        return np.full_like(z, np.nan)
    lo, hi = float(finite.min()), float(finite.max())
    eps = max((hi - lo) * 1e-6, 1e-12)
    return np.log10(np.maximum(z - lo, 0.0) + eps)


@dataclass(frozen=True)
class SurfaceLayer:
    """The grid as shown (z or its log gap), its colour range and its contours as one NaN-separated
    polyline in grid-index coordinates (column, row)."""

    shown: np.ndarray
    levels: tuple[float, float]
    contours: np.ndarray  # (M, 2)


def surface_layer(z: np.ndarray, log: bool) -> SurfaceLayer:
    import pyqtgraph.functions as fn  # here, not at import: the shell reads the panel's cli at start-up

    shown = log_gap(z) if log else np.asarray(z, float)
    finite = shown[np.isfinite(shown)]
    levels = (float(finite.min()), float(np.percentile(finite, 99.5))) if finite.size else (0.0, 1.0)
    stride = max(1, -(-max(shown.shape) // CONTOUR_GRID))
    data = np.where(np.isfinite(shown), shown, levels[1])[::stride, ::stride]
    pieces = []
    for level in np.linspace(levels[0], levels[1], N_CONTOURS + 2)[1:-1]:
        for line in fn.isocurve(data.T, float(level), connected=True, extendToEdge=True):
            pieces.append(np.asarray(line, float) * stride)
            pieces.append(np.full((1, 2), np.nan))
    contours = np.concatenate(pieces) if pieces else np.zeros((0, 2))
    return SurfaceLayer(shown, levels, contours)


def surface_layers(z: np.ndarray) -> dict[bool, SurfaceLayer]:
    """Both layers, keyed by "log scale on", so toggling the scale needs no recomputation."""
    return {log: surface_layer(z, log) for log in (False, True)}
