"""Image helpers shared by engines and panels. Imports numpy only: panels use it before torch loads."""
from __future__ import annotations

import numpy as np


def tile(images: np.ndarray, columns: int | None = None, pad: int = 1, fill: float = 0.25,
         border: bool = False) -> np.ndarray:
    """Images (N, H, W, C) (or (N, H, W)) in one grid, row by row, as float32 (rows*(H+pad)-pad, cols*(W+pad)-pad, C).

    ``columns`` None gives a near-square grid (ceil(sqrt(N)) columns); more columns than images are clamped
    to N. ``pad`` pixels of ``fill`` separate the tiles, and with ``border`` also surround the grid (each side
    ``pad`` more). (N, H, W) input gives a 2-D (rows*(H+pad)-pad, cols*(W+pad)-pad) grid.
    """
    images = np.asarray(images, dtype=np.float32)
    flat = images.ndim == 3
    if flat:
        images = images[..., None]
    n, h, w, c = images.shape
    cols = int(np.ceil(np.sqrt(n))) if columns is None else columns
    cols = max(1, min(cols, n))
    rows = (n + cols - 1) // cols
    edge = pad if border else 0
    out = np.full((rows * (h + pad) - pad + 2 * edge, cols * (w + pad) - pad + 2 * edge, c), fill, dtype=np.float32)
    for k in range(n):
        r, q = divmod(k, cols)
        y, x = edge + r * (h + pad), edge + q * (w + pad)
        out[y:y + h, x:x + w] = images[k]
    return out[..., 0] if flat else out
