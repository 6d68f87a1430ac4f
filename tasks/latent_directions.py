"""Attribute vectors and per-dimension traversals of a loaded model (the panel's Directions tab and
``workbench run latent --attribute A:B --strength S``); see :mod:`engines.latent.directions`."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import numpy as np

from engines.catalogue import Option
from engines.errors import InputError

ATTRIBUTE = Option("attribute", "Attribute", "text", None,
                   help="A:B (two labels): also write attribute.png and attribute.npz, an item of label B "
                        "(--from, else the first test item of label B) plus strength × (mean code of A − mean code of B)")
STRENGTH = Option("strength", "Strength", "float", 1.0, -5.0, 5.0, step=0.1, decimals=2,
                  help="how far along the attribute vector the strip goes (0 is the item itself)")
STRIP_STEPS = 9


def parse_attribute(text: str) -> tuple[int, int]:
    """"A:B" as two labels; InputError naming --attribute otherwise."""
    try:
        a, b = (int(v) for v in str(text).split(":"))
    except ValueError:
        raise InputError(f"--attribute must be two labels A:B such as 3:8, got {text!r}") from None
    return a, b


@dataclass(frozen=True)
class AttributeStrip:
    labels: tuple[int, int]  # A, B
    index: int  # the item (a position in the encoded data)
    strengths: np.ndarray  # (steps,)
    vector: np.ndarray  # (n,) mean(A) - mean(B)
    codes: np.ndarray  # (steps, n)
    decoded: np.ndarray  # (steps, ...) images or points


def attribute_job(reporter, model, encoded, a: int, b: int, strength: float = STRENGTH.default,
                  index: Optional[int] = None, steps: int = STRIP_STEPS) -> AttributeStrip:
    """The item ``index`` (default: the first test item of label ``b``) moved along mean(A) − mean(B)
    from strength 0 to ``strength``."""
    from engines.latent.analysis import decode
    from engines.latent.directions import along, attribute_vector

    strength = STRENGTH.validate(strength)
    vector = attribute_vector(encoded.z, encoded.labels, a, b)
    if index is None:
        of_b = np.flatnonzero(encoded.labels == b)
        test = of_b[of_b >= encoded.n_train]
        index = int((test if len(test) else of_b)[0])
    strengths = np.linspace(0.0, strength, steps)
    codes = along(encoded.z[index], vector, strengths)
    return AttributeStrip((a, b), index, strengths, vector, codes, decode(model, codes))


@dataclass(frozen=True)
class TraversalGrid:
    index: int
    kl: Optional[np.ndarray]  # (n,) KL per dimension (None: a flow, rows in coordinate order)
    dims: np.ndarray  # (rows,) the coordinate of each row, most KL first
    offsets: np.ndarray  # (rows, steps)
    decoded: np.ndarray  # (rows, steps, ...) images


def traversal_job(reporter, model, encoded, index: int, steps: int = STRIP_STEPS, rows: int = 16) -> TraversalGrid:
    """Decodes varying one coordinate of item ``index`` at a time over ±3 sd of the codes, rows ordered by
    each coordinate's KL (at most ``rows``)."""
    from engines.latent.analysis import decode
    from engines.latent.directions import traversal
    from engines.latent.geometry import kl_per_dimension

    kl = kl_per_dimension(model, encoded.data.test_x if len(encoded.data.test_x) else encoded.x)
    order = np.argsort(-kl, kind="stable") if kl is not None else np.arange(encoded.z.shape[1])
    t = traversal(encoded.z[index], encoded.z, order[:rows], steps)
    flat = decode(model, t.codes.reshape(-1, t.codes.shape[-1]))
    return TraversalGrid(index, kl, t.dims, t.offsets, flat.reshape(len(t.dims), steps, *flat.shape[1:]))


def directions_job(reporter, model, encoded, a: int, b: int, strength: float, index: int,
                   steps: int = STRIP_STEPS) -> tuple[AttributeStrip, TraversalGrid]:
    """The Directions tab: item ``index`` along mean(A) − mean(B), and its per-dimension traversals."""
    strip = attribute_job(reporter, model, encoded, a, b, strength, index, steps)
    reporter.check()
    return strip, traversal_job(reporter, model, encoded, index, steps)
