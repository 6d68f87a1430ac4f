"""What a surface view draws of a loss grid, computed in the job rather than on the GUI thread: the values
shown (linear or log), their colour range, and contour lines traced with contourpy (matplotlib's tracer:
marching squares over the grid's quads, lines joined across quads)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

N_CONTOURS = 14
CONTOUR_GRID = 160  # contours are traced on a grid at most this fine: smooth enough to read, fewer vertices to draw


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
    """The layer of ``z`` (rows ↔ y) shown linearly or as :func:`log_gap`, with :data:`N_CONTOURS` evenly
    spaced contour levels between its lowest value and its 99.5th percentile."""
    from contourpy import LineType, contour_generator

    shown = log_gap(z) if log else np.asarray(z, float)
    finite = shown[np.isfinite(shown)]
    levels = (float(finite.min()), float(np.percentile(finite, 99.5))) if finite.size else (0.0, 1.0)
    stride = max(1, -(-max(shown.shape) // CONTOUR_GRID))
    data = np.where(np.isfinite(shown), shown, levels[1])[::stride, ::stride]
    rows, cols = data.shape
    tracer = contour_generator(np.arange(cols) * float(stride), np.arange(rows) * float(stride), data,
                               line_type=LineType.Separate)
    pieces = []
    for level in np.linspace(levels[0], levels[1], N_CONTOURS + 2)[1:-1]:
        for line in tracer.lines(float(level)):
            pieces.append(np.asarray(line, float))
            pieces.append(np.full((1, 2), np.nan))
    contours = np.concatenate(pieces) if pieces else np.zeros((0, 2))
    return SurfaceLayer(shown, levels, contours)


def surface_layers(z: np.ndarray) -> dict[bool, SurfaceLayer]:
    """Both layers, keyed by "log scale on", so toggling the scale needs no recomputation."""
    return {log: surface_layer(z, log) for log in (False, True)}
