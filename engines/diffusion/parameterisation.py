"""What a network predicts, and the conversions between predictions, in one place.

For a state x = a·x0 + b·ε (any coordinates: VP a²+b²=1, VE a=1, flow a+b=1) a network may predict

* ``eps``  the noise ε,
* ``x0``   the clean sample,
* ``v``    v = a·ε − b·x0 (Salimans & Ho 2022; diffusers' "v_prediction"),
* ``flow`` the flow-matching velocity u = ε − x0 (d x_t/dt on the straight path a = 1−t, b = t).

:func:`to_x0_eps` turns any of them into the pair (x̂0, ε̂); :func:`target` gives the training target of a
parameterisation from the true (x0, ε). The score of the noised density is ∇log p(x) = −ε̂/b.
"""
from __future__ import annotations

from torch import Tensor

KINDS = ("eps", "x0", "v", "flow")
ALIASES = {"epsilon": "eps", "sample": "x0", "v_prediction": "v", "velocity": "flow"}


def canonical(kind: str) -> str:
    from engines.errors import InputError

    kind = ALIASES.get(kind, kind)
    if kind not in KINDS:
        raise InputError(f"unknown parameterisation {kind!r}; choose one of {', '.join(KINDS)}")
    return kind


def to_x0_eps(kind: str, out: Tensor, x: Tensor, a: float, b: float) -> tuple[Tensor, Tensor]:
    """(x̂0, ε̂) from the network output ``out`` of parameterisation ``kind`` at the state x = a·x0 + b·ε."""
    if kind == "eps":
        return (x - b * out) / a, out
    if kind == "x0":
        return out, (x - a * out) / b
    if kind == "v":
        n = a * a + b * b
        return (a * x - b * out) / n, (b * x + a * out) / n
    if kind == "flow":
        x0 = (x - b * out) / (a + b)
        return x0, x0 + out
    raise ValueError(f"unknown parameterisation {kind!r}")


def target(kind: str, x0: Tensor, eps: Tensor, a, b) -> Tensor:
    """What a network of parameterisation ``kind`` should output for the state a·x0 + b·ε."""
    if kind == "eps":
        return eps
    if kind == "x0":
        return x0
    if kind == "v":
        return a * eps - b * x0
    if kind == "flow":
        return eps - x0
    raise ValueError(f"unknown parameterisation {kind!r}")


def x0_to_eps(x0: Tensor, x: Tensor, a: float, b: float) -> Tensor:
    """ε̂ = (x − a·x̂0)/b (b > 0)."""
    return (x - a * x0) / b


def score(x0: Tensor, x: Tensor, a: float, b: float) -> Tensor:
    """∇_x log p(x) = (a·x̂0 − x)/b² by Tweedie's formula."""
    return (a * x0 - x) / (b * b)


def velocity(x0: Tensor, x: Tensor, a: float, b: float) -> Tensor:
    """The flow-matching velocity ε̂ − x̂0 implied by x̂0 at the state x = a·x0 + b·ε."""
    return x0_to_eps(x0, x, a, b) - x0
