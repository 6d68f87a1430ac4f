"""Nearest neighbours of an item in latent space (Euclidean distance between codes; scikit-learn's
NearestNeighbors)."""
from __future__ import annotations

import numpy as np

from engines.errors import InputError


def nearest(z: np.ndarray, index: int, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` codes nearest to ``z[index]`` (itself excluded), nearest first: (indices, distances)."""
    from sklearn.neighbors import NearestNeighbors

    z = np.asarray(z, np.float64)
    if not 0 <= index < len(z):
        raise InputError(f"item {index} is out of range (0 to {len(z) - 1})")
    k = int(min(k, len(z) - 1))
    if k < 1:
        return np.zeros(0, int), np.zeros(0)
    dist, idx = NearestNeighbors(n_neighbors=k + 1).fit(z).kneighbors(z[index:index + 1])
    keep = idx[0] != index  # the item itself (or, with duplicates, one of its twins) is dropped
    return idx[0][keep][:k], dist[0][keep][:k]
