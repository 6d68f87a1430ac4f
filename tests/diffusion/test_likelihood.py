"""The likelihood view's numbers: the ELBO's terms against torch.distributions and scipy, the ODE likelihood
against a mixture's closed-form log density, the bound (ELBO ≥ ODE) on a trained model, and the command."""
import json
import math

import numpy as np
import pytest
import torch
from scipy import stats

from engines.diffusion.elbo import discretised_nll, elbo_job, kl_weights, prior_kl
from engines.diffusion.mixture import named_mixture
from engines.diffusion.ode_likelihood import ode_likelihood_job
from engines.diffusion.schedules import VPSchedule
from engines.jobs import Reporter


@pytest.mark.parametrize("name", ["linear", "cosine"])
def test_kl_term_is_the_kl_of_ho_et_al_posterior(name):
    """½(SNR_{t−1} − SNR_t)‖x0 − x̂0‖² equals KL(q(x_{t−1}|x_t,x0) ‖ p_θ(x_{t−1}|x_t)) built from Ho et al.'s
    eq. 7 (posterior mean and variance β̃_t) for the same x_t."""
    sched = VPSchedule.make(name)
    ab = sched.alphas_cumprod
    g = torch.Generator().manual_seed(0)
    x0, x0_hat, xt = (torch.randn(5, 3, generator=g, dtype=torch.float64) for _ in range(3))
    w = kl_weights(sched)
    for t in (1, 7, 500, 999):
        beta = 1 - ab[t] / ab[t - 1]
        c0 = math.sqrt(ab[t - 1]) * beta / (1 - ab[t])
        ct = math.sqrt(1 - beta) * (1 - ab[t - 1]) / (1 - ab[t])
        var = (1 - ab[t - 1]) / (1 - ab[t]) * beta
        q = torch.distributions.Normal(c0 * x0 + ct * xt, math.sqrt(var))
        p = torch.distributions.Normal(c0 * x0_hat + ct * xt, math.sqrt(var))
        expected = torch.distributions.kl_divergence(q, p).sum(1)
        ours = w[t] * (x0 - x0_hat).square().sum(1)
        torch.testing.assert_close(ours, expected, rtol=1e-6, atol=1e-9)


def test_prior_and_decoder_terms_match_torch_and_scipy():
    g = torch.Generator().manual_seed(1)
    x0 = torch.rand(6, 4, generator=g, dtype=torch.float64) * 2 - 1
    expected = torch.distributions.kl_divergence(torch.distributions.Normal(math.sqrt(0.3) * x0, math.sqrt(0.7)),
                                                 torch.distributions.Normal(0.0, 1.0)).sum(1)
    torch.testing.assert_close(prior_kl(x0, 0.3), expected)
    levels = torch.linspace(-1, 1, 17, dtype=torch.float64)
    x = levels[torch.randint(17, (6, 4), generator=g)]
    mean = x + 0.05 * torch.randn(6, 4, generator=g, dtype=torch.float64)
    std, width = 0.04, 2 / 16
    xn, mn = x.numpy(), mean.numpy()
    upper = np.where(xn >= 1 - 1e-9, np.inf, xn + width / 2)
    lower = np.where(xn <= -1 + 1e-9, -np.inf, xn - width / 2)
    p = stats.norm.cdf(upper, mn, std) - stats.norm.cdf(lower, mn, std)
    np.testing.assert_allclose(discretised_nll(x, mean, std, width).numpy(), -np.log(p).sum(1), rtol=1e-6)


def test_ode_likelihood_matches_the_mixture_log_density():
    """On the exact eight-Gaussians denoiser the ODE's log p of each row equals the mixture's closed-form
    log density at the ODE's starting noise level, within the 95% interval of the per-row differences."""
    mix = named_mixture("eight_gaussians")
    x = mix.sample(256, torch.Generator().manual_seed(0))
    result = ode_likelihood_job(Reporter(), mix, x, probes=2, steps=48)
    lo, _ = result.sigma_range
    true = mix.log_prob(x, 1.0, lo).double().numpy() / 2
    diff = result.per_row - true
    half = 1.96 * diff.std(ddof=1) / math.sqrt(len(diff))
    assert abs(diff.mean()) < half, (diff.mean(), half)
    assert half < 0.08  # the interval is tight enough to mean something (log p itself spans several nats)
    assert result.probe_spread > 0  # Hutchinson's noise is there, and averaged out


def test_elbo_bounds_the_ode_likelihood_on_the_exact_mixture():
    mix = named_mixture("eight_gaussians")
    x = mix.sample(128, torch.Generator().manual_seed(2))
    elbo = elbo_job(Reporter(), mix, x)
    ode = ode_likelihood_job(Reporter(), mix, x, probes=2, steps=32)
    gap = elbo.nll - (-ode.per_row)
    assert gap.mean() - 1.96 * gap.std(ddof=1) / math.sqrt(len(gap)) > 0
    assert (elbo.kl[1:] >= 0).all() and elbo.prior.mean > 0


def test_bound_holds_on_a_trained_model():
    """The bundled moons DDPM: ELBO nats/dim ≥ ODE nats/dim, row by row on average, beyond the interval."""
    from tasks.diffusion_likelihood import LikelihoodRequest, likelihood_job

    outcome = likelihood_job(Reporter(), LikelihoodRequest("bundled:moons", rows=64, probes=2, ode_steps=24,
                                                           device="cpu"))
    lk = outcome.likelihood
    paired = lk.elbo.nll + lk.ode.per_row
    assert paired.mean() - 1.96 * paired.std(ddof=1) / math.sqrt(len(paired)) > 0
    assert lk.elbo_bits.mean >= lk.ode_bits.mean and not lk.discrete
    assert lk.to_json()["bound_holds"]


def test_discretised_data_are_measured_in_bits_of_their_bins():
    """Points on a grid of 17 levels in [−1, 1] per coordinate (as the digits' grey levels) and a model that
    knows it (narrow Gaussians on the grid points): both measures bound the probability of each point's bin,
    so neither falls below the grid distribution's entropy (cross-entropy ≥ entropy), and the ELBO, whose
    denoiser snaps to the grid, stays below a uniform guess over the levels."""
    from engines.diffusion.likelihood import likelihood_job
    from engines.diffusion.mixture import GaussianMixture

    width = 2 / 16
    levels = np.linspace(-1, 1, 17)
    grid = np.stack(np.meshgrid(levels, levels), -1).reshape(-1, 2)
    weights = np.exp(-np.square(grid - [0.3, -0.2]).sum(1) / 0.2)
    p = weights / weights.sum()
    entropy_bits = -(p * np.log2(p)).sum() / 2
    mix = GaussianMixture(grid, 0.01, weights)
    picks = torch.multinomial(torch.as_tensor(weights), 64, replacement=True, generator=torch.Generator().manual_seed(3))
    x = grid[picks.numpy()].astype(np.float32)
    lk = likelihood_job(Reporter(), mix, x, rows=64, probes=2, ode_steps=24, bin_width=width)
    assert lk.discrete
    for e in (lk.elbo_bits, lk.ode_bits):
        assert e.high > entropy_bits
    assert lk.elbo_bits.mean < math.log2(17)


def test_cancel_stops_the_likelihood():
    from engines.jobs import Cancelled
    from engines.diffusion.likelihood import likelihood_job

    reporter = Reporter()
    calls = []

    def progress(p):
        calls.append(p)
        if len(calls) == 3:
            reporter.cancel()

    reporter._on_progress = progress
    mix = named_mixture("eight_gaussians")
    with pytest.raises(Cancelled):
        likelihood_job(reporter, mix, mix.sample(32).numpy(), rows=32)
    assert len(calls) == 3


def test_cli_writes_likelihood_and_terms(tmp_path, capsys):
    from cli import main

    out = tmp_path / "lk"
    code = main(["run", "diffusion", "--mixture", "eight_gaussians", "--likelihood", "--rows", "32", "--probes", "1",
                 "--ode-steps", "12", "--out", str(out), "--device", "cpu"])
    assert code == 0, capsys.readouterr().err
    assert "the bound holds" in capsys.readouterr().out
    data = json.loads((out / "likelihood.json").read_text())
    for key in ("elbo", "ode"):
        low, high = data[key]["bits_per_dim"]["ci95"]
        assert low < data[key]["bits_per_dim"]["mean"] < high
        assert data[key]["nats_per_dim"]["n"] == 32
    lines = (out / "elbo_terms.csv").read_text().splitlines()
    assert lines[0] == "t,sigma,term,nats_per_dim,ci95_half_width"
    assert len(lines) == 1 + 1000 + 1 and lines[1].split(",")[2] == "reconstruction" and lines[-1].split(",")[2] == "prior"
    assert json.loads((out / "sidecar.json").read_text())["parameters"]["rows"] == 32


def test_cli_refuses_probes_out_of_range(tmp_path, capsys):
    from cli import main

    with pytest.raises(SystemExit):
        main(["run", "diffusion", "--likelihood", "--probes", "0", "--out", str(tmp_path / "o")])
    assert "probes" in capsys.readouterr().err
