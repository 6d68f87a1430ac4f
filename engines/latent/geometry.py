"""The geometry report of a latent model: how its codes sit against the prior N(0, I_n).

- the shell: prior samples concentrate at ||z|| ~ sqrt(n); how far the encoded codes' norms are from it;
- angles: for independent isotropic pairs the angle has density sin^{n-2}(theta) / Z_n (Su Jianlin,
  "n维空间下两个随机向量的夹角分布"); a Kolmogorov-Smirnov test of random prior pairs (a check: p > 0.05
  expected) and of random pairs of encoded items (about the prior's centre, the origin) against it;
- lerp against slerp perceptual path length (Karras et al. 2019) over the same random prior pairs;
- active dimensions: the mean KL(q(z_i | x) || N(0, 1)) per latent coordinate over the held-out items,
  active when above 0.01 nats (Burda et al. 2015 use the variance of the posterior mean; the KL is what
  the ELBO pays per coordinate);
- the held-out negative ELBO (VAEs) or exact negative log-likelihood (the flow), nats per item.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

import numpy as np
import torch

from engines.errors import InputError
from engines.latent.catalogue import ACTIVE_NATS
from engines.latent.data import LatentData
from engines.latent.models import LatentModel
from engines.latent.statistics import AngleFit, angle_fit, angles, expected_norm, norms, random_pair_angles

SIGNIFICANCE = 0.05


@dataclass(frozen=True)
class Shell:
    """Norms of the encoded codes against the prior's shell sqrt(n)."""

    radius: float  # sqrt(n)
    expected: float  # E||z|| under the prior (the chi mean)
    mean: float  # mean norm of the codes
    std: float
    relative_deviation: float  # mean | ||z|| - sqrt(n) | / sqrt(n) over the codes
    prior_relative_deviation: float  # the same for as many prior samples (the yardstick)


@dataclass(frozen=True)
class GeometryReport:
    latent_size: int
    items: int  # encoded items (train and test)
    shell: Shell
    prior_angles: AngleFit
    data_angles: AngleFit
    path_length: dict[str, float]  # mode -> trimmed mean PPL density over random prior pairs
    path_pairs: int
    kl_per_dim: Optional[np.ndarray]  # (n,) nats, None for the flow (its encoding is exact)
    heldout: Optional[dict[str, float]]  # {"negative_elbo"|"nll": nats per item, "bits_per_dim" (flow)}; None: unknown

    @property
    def active(self) -> Optional[np.ndarray]:
        """Indices of the active coordinates, most KL first."""
        if self.kl_per_dim is None:
            return None
        order = np.argsort(-self.kl_per_dim, kind="stable")
        return order[self.kl_per_dim[order] > ACTIVE_NATS]

    def data_angle_sentence(self) -> str:
        """What the encoded pairs' KS test says, in words."""
        fit = self.data_angles
        spread, ideal = (np.degrees(np.std(f.angles)) for f in (fit, self.prior_angles))
        if fit.p_value > SIGNIFICANCE:
            return (f"the angles between encoded items are consistent with independent isotropic directions "
                    f"(KS {fit.ks_statistic:.3f}, p {fit.p_value:.2g}): the codes spread over the sphere like prior samples")
        return (f"the angles between encoded items are not those of independent isotropic directions (KS "
                f"{fit.ks_statistic:.3f}, p {fit.p_value:.2g}): their spread is {spread:.1f}° against {ideal:.1f}° "
                f"between prior samples, mean {np.degrees(np.mean(fit.angles)):.1f}° against 90°; the data fill a structured "
                "part of the latent space (items of one class point the same way) rather than the whole sphere")

    def as_dict(self) -> dict[str, Any]:
        """The report as ``report.json`` holds it."""
        def fit(f: AngleFit) -> dict[str, float]:
            return {"pairs": int(len(f.angles)), "ks_statistic": f.ks_statistic, "ks_p_value": f.p_value,
                    "mean_degrees": float(np.degrees(f.angles.mean())),
                    "std_degrees": float(np.degrees(f.angles.std()))}

        active = self.active
        return _finite({
            "latent_size": self.latent_size, "items": self.items,
            "shell": {"sqrt_n": self.shell.radius, "prior_expected_norm": self.shell.expected,
                      "codes_mean_norm": self.shell.mean, "codes_std_norm": self.shell.std,
                      "codes_relative_deviation": self.shell.relative_deviation,
                      "prior_relative_deviation": self.shell.prior_relative_deviation},
            "angles": {"density": "sin^(n-2)", "prior_pairs": fit(self.prior_angles),
                       "encoded_pairs": fit(self.data_angles), "encoded_pairs_meaning": self.data_angle_sentence()},
            "path_length": {"pairs": self.path_pairs, **{m: v for m, v in self.path_length.items()},
                            "slerp_over_lerp": self.path_length["slerp"] / self.path_length["lerp"]
                            if self.path_length["lerp"] else None},
            "active_dimensions": None if active is None else {
                "threshold_nats": ACTIVE_NATS, "count": int(len(active)), "indices": [int(i) for i in active],
                "kl_per_dimension": [float(v) for v in self.kl_per_dim]},
            "heldout": self.heldout,
        })


def _finite(d: dict[str, Any]) -> dict[str, Any]:
    """``d`` with every non-finite number replaced by None and its dotted key listed under ``non_finite``."""
    bad: list[str] = []

    def walk(v: Any, key: str) -> Any:
        if isinstance(v, dict):
            return {k: walk(x, f"{key}.{k}" if key else k) for k, x in v.items()}
        if isinstance(v, list):
            return [walk(x, f"{key}[{i}]") for i, x in enumerate(v)]
        if isinstance(v, float) and not np.isfinite(v):
            bad.append(key)
            return None
        return v

    out = walk(d, "")
    out["non_finite"] = bad
    return out


def shell(z: np.ndarray, seed: int = 0) -> Shell:
    n = z.shape[1]
    r = np.sqrt(n)
    zn = norms(z)
    prior = norms(np.random.default_rng(seed).standard_normal(z.shape))
    return Shell(float(r), expected_norm(n), float(zn.mean()), float(zn.std()), float(np.mean(np.abs(zn - r)) / r),
                 float(np.mean(np.abs(prior - r)) / r))


def data_pair_angles(z: np.ndarray, count: int, seed: int = 0) -> np.ndarray:
    """Angles (about the origin) between ``count`` random pairs of distinct codes."""
    rng = np.random.default_rng(seed)
    a, b = rng.integers(len(z), size=(2, count))
    keep = a != b
    return angles(z[a[keep]], z[b[keep]])


@torch.no_grad()
def kl_per_dimension(model: LatentModel, x: np.ndarray) -> Optional[np.ndarray]:
    """Mean over the items of KL(N(mean_i, var_i) || N(0, 1)) per coordinate, nats (None for the flow, and for
    an encoder that gives codes without variances)."""
    if model.config.is_flow:
        return None
    p = next(model.parameters())
    total = torch.zeros(model.latent_size, dtype=torch.float64)
    for chunk in torch.from_numpy(x).split(512):
        mean, logvar = model.encode(chunk.to(p.device, p.dtype))
        if logvar is None:
            return None
        total += (0.5 * (mean.pow(2) + logvar.exp() - 1.0 - logvar)).double().sum(0).cpu()
    return (total / len(x)).numpy()


def heldout(evaluated: dict[str, float], is_flow: bool) -> dict[str, float]:
    """The held-out fit from :func:`engines.latent.training.evaluate`'s numbers."""
    if is_flow:
        return {"nll": evaluated["test_discrete"], "bits_per_dim": evaluated["test_bits_per_dim"]}
    return {"negative_elbo": evaluated["test_discrete"]}


def geometry_report(reporter, model: LatentModel, data: LatentData, z: np.ndarray, pairs: int = 4000,
                    path_pairs: int = 500, seed: int = 0) -> GeometryReport:
    """Job: the report for ``model`` whose codes of ``data`` (all items, train then test) are ``z``."""
    from engines.latent.pathlength import path_length_job
    from engines.latent.training import evaluate

    n = model.latent_size
    reporter.progress(0.1, "angles and the shell")
    prior_fit = angle_fit(random_pair_angles(n, pairs, seed), n)
    data_fit = angle_fit(data_pair_angles(z, pairs, seed), n)
    reporter.progress(0.3, "held-out fit and KL per dimension")
    try:
        fit = heldout(evaluate(model, data, seed), model.config.is_flow)
    except InputError:  # an exported program: Workbench runs its decoder and encoder, its likelihood is unknown
        fit = None
    kl = kl_per_dimension(model, data.test_x)
    reporter.check()
    ppl = path_length_job(reporter, model, path_pairs, "pixel", seed)
    return GeometryReport(n, len(z), shell(z, seed), prior_fit, data_fit, {m: r.mean for m, r in ppl.items()},
                          path_pairs, kl, fit)
