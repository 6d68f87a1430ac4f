"""Which optimizers' trajectories lie under another's (drawn later, so on top): their legend entries say so,
or a comparison of identical runs would show one colour and no word why."""
from __future__ import annotations

import numpy as np

TOLERANCE = 0.005  # of the view's larger side: closer than this at every recorded step counts as the same path


def hidden_under(positions: np.ndarray, extent: float) -> dict[int, int]:
    """For positions (C, S, T, 2): optimizer c -> the last optimizer d > c whose every start stays within
    ``TOLERANCE * extent`` of c's at every step (NaN where both are NaN); optimizers drawn on top of no
    other are left out."""
    p = np.asarray(positions, float)
    out: dict[int, int] = {}
    tol = TOLERANCE * extent
    for c in range(p.shape[0]):
        for d in range(p.shape[0] - 1, c, -1):
            if not _close(p[c, :, -1], p[d, :, -1], tol):  # cheap: paths that end apart differ
                continue
            if _close(p[c], p[d], tol):
                out[c] = d
                break
    return out


def _close(a: np.ndarray, b: np.ndarray, tol: float) -> bool:
    """Every point of ``a`` within ``tol`` of ``b``'s, or missing (NaN) in both."""
    both_missing = np.isnan(a).any(-1) & np.isnan(b).any(-1)
    return bool(np.all(both_missing | (np.linalg.norm(a - b, axis=-1) <= tol)))
