"""Samplers against the exact answer (an exact mixture's PF-ODE path): the job the diffusion panel's
"Exact path" tab and ``workbench run diffusion --exact-reference`` run, and the tables they write
(error.csv, order.csv, the fitted orders in metrics.json). Importing this module loads no torch."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Union

import numpy as np

from engines.errors import InputError

if TYPE_CHECKING:
    from engines.diffusion.convergence import ExactResult
    from engines.diffusion.sources import Source

ERROR_COLUMNS = ("sampler", "call", "sigma", "state_error", "x0_error")
ORDER_COLUMNS = ("sampler", "nfe", "final_error")


def why_not_exact(source: Union[str, "Source"]) -> str:
    """Empty when ``source`` (an open source or a spec such as "mixture:NAME") is an exact mixture, else the
    sentence saying why it has no exact reference."""
    if isinstance(source, str):
        if source.startswith("mixture:"):
            return ""
        label = source.partition(":")[2] if source.startswith("bundled:") else source
    elif source.description.get("source") == "mixture":
        return ""
    else:
        label = source.label
    return (f"the exact reference needs an exact Gaussian mixture (--mixture NAME, or an \"Exact mixture\" model); "
            f"{label} is a trained model whose exact ODE path is unknown")


def exact_job(reporter, source: "Source", samplers: list[tuple[str, dict[str, Any]]], nfe: int, samples: int,
              seed: int) -> "ExactResult":
    """Per-call distance to the exact path at ``nfe`` and final error against NFE (partials: the samplers so
    far); the first min(samples, 1,000) samples of the noise a comparison with ``samples`` and ``seed`` uses."""
    from engines.diffusion.convergence import exact_job as compare_exact

    reason = why_not_exact(source)
    if reason:
        raise InputError(reason)
    return compare_exact(reporter, source.model, samplers, nfe, samples, seed)


def error_table(result: "ExactResult") -> dict[str, np.ndarray]:
    """error.csv: one row per sampler and model call (call counted from 0) with its σ and the RMS distances
    of the state (σ scale) and of x̂0 to the exact path's."""
    rows = [(name, k, float(e.sigma[k]), float(e.state_error[k]), float(e.x0_error[k]))
            for name, e in result.calls.items() for k in range(len(e.sigma))]
    return {col: np.array([r[i] for r in rows]) for i, col in enumerate(ERROR_COLUMNS)}


def order_table(result: "ExactResult") -> dict[str, np.ndarray]:
    """order.csv: final error to the exact path's end against the calls spent, per deterministic sampler."""
    rows = [(name, n, e) for name, c in result.orders.items() for n, e in zip(c.nfe, c.final_error)]
    return {col: np.array([r[i] for r in rows]) for i, col in enumerate(ORDER_COLUMNS)}


def order_metrics(result: "ExactResult") -> dict[str, Any]:
    """metrics.json's ``exact_reference``: per sampler the fitted order over the whole NFE range and over its
    upper half, the theoretical order, or why it has none."""
    from engines.diffusion.convergence import ORDER_NFES, UPPER_NFE

    out: dict[str, Any] = {"samples": result.samples, "nfe_range": [ORDER_NFES[0], ORDER_NFES[-1]],
                           "upper_nfe_from": UPPER_NFE, "samplers": {}}
    for name in result.labels:
        entry: dict[str, Any] = {}
        curve = result.orders.get(name)
        if curve is not None:
            entry = {"theoretical_order": curve.theory, "fitted_order": curve.order,
                     "fitted_order_upper": curve.upper_order}
        if name in result.notes:
            entry["note"] = result.notes[name]
        out["samplers"][name] = entry
    return out


def order_summary(result: "ExactResult") -> str:
    """One line: each fitted sampler's empirical order beside its theoretical one."""
    from engines.diffusion.convergence import ORDER_NFES

    parts = [f"{name} {c.order:.2f} (theory {c.theory})" for name, c in result.orders.items() if c.order is not None]
    return f"empirical order over NFE {ORDER_NFES[0]}-{ORDER_NFES[-1]}: " + (", ".join(parts) if parts else "none (no deterministic sampler)")
