"""Directions in latent space: attribute vectors from labels (the mean code of class A minus the mean code of
class B, added to any item's code with a strength; White 2016, "Sampling Generative Networks", §3.3) and
per-dimension traversals (one coordinate varied over ±3 standard deviations of the codes, the others kept;
rows in order of each coordinate's KL, the active dimensions first; Higgins et al. 2017, β-VAE, fig. 1)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engines.errors import InputError

SPREAD = 3.0  # traversals span ± this many standard deviations of the codes along the coordinate


def attribute_vector(z: np.ndarray, labels: np.ndarray, a: int, b: int) -> np.ndarray:
    """mean(z | label a) − mean(z | label b)."""
    means = []
    for lab in (a, b):
        keep = labels == lab
        if not keep.any():
            known = sorted({int(v) for v in labels if v >= 0})
            raise InputError(f"no item has label {lab} (labels present: {', '.join(map(str, known)) or 'none'})")
        means.append(np.asarray(z, np.float64)[keep].mean(axis=0))
    return means[0] - means[1]


def along(code: np.ndarray, direction: np.ndarray, strengths: np.ndarray) -> np.ndarray:
    """code + s · direction for each strength s: (len(strengths), n)."""
    return np.asarray(code, np.float64)[None] + np.asarray(strengths, np.float64)[:, None] * direction[None]


@dataclass(frozen=True)
class Traversal:
    dims: np.ndarray  # (rows,) the coordinate varied in each row
    offsets: np.ndarray  # (rows, steps) the value added to the item's coordinate
    codes: np.ndarray  # (rows, steps, n)


def traversal(code: np.ndarray, z: np.ndarray, order: np.ndarray, steps: int = 9) -> Traversal:
    """Each coordinate in ``order`` varied over ±SPREAD standard deviations of the codes ``z`` along it,
    around ``code``."""
    code = np.asarray(code, np.float64)
    sd = np.asarray(z, np.float64).std(axis=0)
    unit = np.linspace(-SPREAD, SPREAD, steps)
    offsets = sd[order][:, None] * unit[None]
    codes = np.repeat(np.repeat(code[None, None], len(order), 0), steps, 1)
    codes[np.arange(len(order))[:, None], np.arange(steps)[None], np.asarray(order)[:, None]] += offsets
    return Traversal(np.asarray(order), offsets, codes)
