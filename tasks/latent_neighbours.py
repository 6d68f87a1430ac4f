"""The nearest neighbours of a clicked item in latent space, decoded (the latent map's neighbours strip)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engines.catalogue import Option

NEIGHBOURS = Option("neighbours", "Neighbours", "int", 8, 1, 64, help="nearest items by latent distance")


@dataclass(frozen=True)
class Neighbours:
    index: int  # the clicked item (a position in the encoded data, train then test)
    indices: np.ndarray  # (k,) its nearest items, nearest first
    distances: np.ndarray  # (k,) latent distances
    decoded: np.ndarray  # (k + 1, ...) the item then its neighbours, decoded from their codes


def neighbours_job(reporter, model, encoded, index: int, k: int = NEIGHBOURS.default) -> Neighbours:
    from engines.latent.analysis import decode
    from engines.latent.neighbours import nearest

    idx, dist = nearest(encoded.z, index, NEIGHBOURS.validate(k))
    return Neighbours(index, idx, dist, decode(model, encoded.z[np.r_[index, idx]]))
