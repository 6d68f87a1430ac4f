"""The likelihood of a trained diffusion model two ways, on the same rows: the ELBO's bound summed over its
per-timestep terms (:mod:`engines.diffusion.elbo`) and the exact log-likelihood through the probability-flow
ODE (:mod:`engines.diffusion.ode_likelihood`). For continuous points both are densities (nats/dim; bits/dim
are the same numbers ÷ ln 2 and may be negative); for discretised images both bound the probability of the
data's bins (bits/dim, Ho et al. 2020 / Song et al. 2021 with uniform dequantisation)."""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Optional

import numpy as np
import torch

from engines.budget import check, estimate_bytes
from engines.diffusion.catalogue_likelihood import ODE_STEPS, PROBES, ROWS
from engines.diffusion.elbo import ElboResult, elbo_job
from engines.diffusion.estimates import Estimate
from engines.diffusion.ode_likelihood import OdeResult, ode_likelihood_job
from engines.errors import InputError
from engines.jobs import SpanReporter

LN2 = math.log(2.0)


@dataclass
class Likelihood:
    elbo: ElboResult
    ode: OdeResult
    rows: int
    probes: int
    description: dict[str, Any]

    @property
    def discrete(self) -> bool:
        return self.elbo.discrete

    @property
    def elbo_nats(self) -> Estimate:
        return self.elbo.total

    @property
    def ode_nats(self) -> Estimate:
        return self.ode.nll

    @property
    def elbo_bits(self) -> Estimate:
        return self.elbo.total.scaled(1 / LN2)

    @property
    def ode_bits(self) -> Estimate:
        return self.ode.nll.scaled(1 / LN2)

    @property
    def gap_nats(self) -> float:
        """ELBO − ODE in nats/dim (≥ 0 when the bound holds)."""
        return self.elbo_nats.mean - self.ode_nats.mean

    def to_json(self) -> dict[str, Any]:
        """likelihood.json: both measures in nats and bits per dimension with their 95% intervals."""
        e = self.elbo
        return {"model": self.description, "rows": self.rows, "discrete": self.discrete,
                "unit": "bits/dim of the data's bins" if self.discrete else "nats/dim of a density (bits = nats / ln 2)",
                "elbo": {"nats_per_dim": self.elbo_nats.to_json(), "bits_per_dim": self.elbo_bits.to_json(),
                         "reconstruction_nats_per_dim": e.reconstruction.to_json(),
                         "prior_nats_per_dim": e.prior.to_json(),
                         "kl_nats_per_dim": float(e.kl.sum()), "timesteps": len(e.sigmas)},
                "ode": {"nats_per_dim": self.ode_nats.to_json(), "bits_per_dim": self.ode_bits.to_json(),
                        "probes": self.probes, "steps": self.ode.steps, "sigma_range": list(self.ode.sigma_range),
                        "probe_spread_nats_per_dim": self.ode.probe_spread},
                "bound_holds": bool(self.elbo_nats.mean >= self.ode_nats.mean),
                "gap_nats_per_dim": self.gap_nats}

    def terms_columns(self) -> dict[str, np.ndarray]:
        """elbo_terms.csv: t (Ho et al.'s 1..T), σ_t, the term (reconstruction at t = 1, kl at 2..T, prior at
        T), its mean in nats/dim over the rows and the half-width of its 95% interval."""
        e = self.elbo
        steps = len(e.sigmas)
        t = np.concatenate([[1], np.arange(2, steps + 1), [steps]])
        sigma = np.concatenate([[e.sigmas[0]], e.sigmas[1:], [e.sigmas[-1]]])
        term = np.array(["reconstruction"] + ["kl"] * (steps - 1) + ["prior"])
        mean = np.concatenate([[e.reconstruction.mean], e.kl[1:], [e.prior.mean]])
        ci = np.concatenate([[e.reconstruction.half_width], e.kl_ci[1:], [e.prior.half_width]])
        return {"t": t, "sigma": sigma, "term": term, "nats_per_dim": mean, "ci95_half_width": ci}


def likelihood_job(reporter, model, data: np.ndarray, rows: int = ROWS.default, probes: int = PROBES.default,
                   ode_steps: int = ODE_STEPS.default, bin_width: Optional[float] = None, seed: int = 0,
                   description: Optional[dict[str, Any]] = None) -> Likelihood:
    """ELBO and ODE likelihood of the first ``rows`` rows of ``data`` (model space) under ``model`` (on its
    device). ``bin_width``: the data's quantisation step in model space (None: continuous)."""
    for option, value in ((ROWS, rows), (PROBES, probes), (ODE_STEPS, ode_steps)):
        option.validate(value)
    if data is None or len(data) == 0:
        raise InputError("this model has no held-out data to measure its likelihood on")
    if tuple(data.shape[1:]) != tuple(model.shape):
        raise InputError(f"the data's rows have shape {tuple(data.shape[1:])}, the model's samples "
                         f"{tuple(model.shape)}")
    rows = min(rows, len(data))
    check(f"the likelihood of {rows:,} rows with {probes} probes each", 16 * rows * probes * estimate_bytes(model.shape))
    x0 = torch.as_tensor(np.asarray(data[:rows], np.float32), device=model.device)
    elbo = elbo_job(SpanReporter(reporter, 0.0, 0.5), model, x0, bin_width=bin_width, seed=seed)
    ode = ode_likelihood_job(SpanReporter(reporter, 0.5, 0.5), model, x0, probes, ode_steps, bin_width=bin_width,
                             seed=seed)
    return Likelihood(elbo, ode, len(x0), probes, dict(description or {}))
