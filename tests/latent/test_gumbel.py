"""The categorical-latent VAE and the Gumbel-softmax vs REINFORCE gradient variances."""
import math

import numpy as np
import pytest
import torch
from torch.distributions import RelaxedOneHotCategorical

from engines.errors import InputError
from engines.jobs import run
from engines.latent.checkpoint import checkpoint_from_state
from engines.latent.config import ModelConfig, TrainConfig
from engines.latent.data import DataSpec
from engines.latent.gradient_variance import concrete_log_density, gradient_variances
from engines.latent.gumbel import GumbelVAE, annealed_temperature
from engines.latent.likelihood import held_out_nll
from engines.latent.models import build_model
from engines.latent.training import train_job

LOGITS, TARGET = [0.5, -0.3, 0.1, 0.0, -1.0], [0.0, 0.0, 1.0, 0.0, 0.0]


@pytest.fixture(scope="module")
def variances():
    return gradient_variances(LOGITS, TARGET, temperature=0.5, samples=20_000, seed=1)


def test_reparameterised_gradient_has_far_less_variance_than_reinforce(variances):
    assert variances.ratio < 0.5, variances.ratio  # measured ≈ 0.16
    assert variances.reparameterised.variance > 0


def test_reinforce_is_unbiased_for_the_exact_discrete_gradient(variances):
    err = np.abs(variances.reinforce.mean - variances.exact_discrete)
    assert (err < 4 * variances.reinforce.stderr + 1e-12).all(), (err, variances.reinforce.stderr)


def test_pathwise_gradient_matches_the_concrete_score_function_gradient(variances):
    """Two independent unbiased estimators of the relaxed objective's gradient agree within their errors."""
    a, b = variances.reparameterised, variances.concrete_score
    assert (np.abs(a.mean - b.mean) < 4 * np.hypot(a.stderr, b.stderr)).all()


def test_relaxation_bias_shows_at_a_high_temperature():
    hot = gradient_variances(LOGITS, TARGET, temperature=2.0, samples=20_000, seed=2)
    err = np.abs(hot.reparameterised.mean - hot.exact_discrete)
    assert err.max() > 6 * hot.reparameterised.stderr.max()  # the relaxed objective is not the discrete one


def test_concrete_density_is_torchs():
    logits = torch.tensor([0.3, -1.0, 0.7, 0.0], dtype=torch.float64)
    dist = RelaxedOneHotCategorical(torch.tensor(0.7, dtype=torch.float64), logits=logits)
    y = dist.sample((50,))
    assert torch.allclose(concrete_log_density(logits, y, 0.7), dist.log_prob(y), atol=1e-8)


def test_bad_problem_is_refused():
    with pytest.raises(InputError, match="samples"):
        gradient_variances(LOGITS, TARGET, samples=1)
    with pytest.raises(InputError, match="same length"):
        gradient_variances(LOGITS, TARGET[:3])


def test_gumbel_vae_trains_anneals_and_samples_one_hot_codes(digits):
    config = ModelConfig("gumbel-vae", latent=4, categories=5, hidden=32)
    assert config.latent_size == 20
    snap = run(train_job, config, TrainConfig(epochs=3), DataSpec())
    model = checkpoint_from_state(snap.config, snap.state).model
    assert isinstance(model, GumbelVAE) and int(model.steps) == snap.step > 0  # the annealing clock is saved
    assert model.temperature == pytest.approx(max(0.5, math.exp(-1e-3 * snap.step)))
    assert annealed_temperature(10**6) == 0.5 and annealed_temperature(-10**9) == 1.0
    codes = model.prior_codes(7, torch.Generator().manual_seed(0)).view(7, 4, 5)
    assert torch.equal(codes.sum(-1), torch.ones(7, 4)) and set(codes.unique().tolist()) == {0.0, 1.0}
    relaxed = model.prior_codes(7, torch.Generator().manual_seed(0), temperature=1.0).view(7, 4, 5)
    assert torch.allclose(relaxed.sum(-1), torch.ones(7, 4)) and (relaxed < 1).all()
    assert snap.samples.shape == (64, 8, 8, 1)
    lk = held_out_nll(model, digits.test_x[:50], samples=100)
    assert math.isfinite(lk.nll) and lk.samples == 100
    # the KL to the uniform prior is exact: zero for uniform posteriors, log K per variable for one-hot ones
    uniform = torch.full((1, 4, 5), math.log(1 / 5))
    assert model.kl(uniform).item() == pytest.approx(0.0, abs=1e-6)
    assert model.kl(torch.log(torch.eye(5)[:4][None].clamp_min(1e-30))).item() == pytest.approx(4 * math.log(5), rel=1e-5)


def test_gumbel_vae_config_checks_categories():
    with pytest.raises(InputError, match="categories"):
        build_model(ModelConfig("gumbel-vae", categories=1))


def test_prior_codes_draw_each_category_of_each_variable_uniformly():
    from scipy.stats import chisquare

    model = build_model(ModelConfig("gumbel-vae", latent=3, categories=6, hidden=8))
    codes = model.prior_codes(6000, torch.Generator().manual_seed(0)).view(6000, 3, 6)
    counts = codes.sum(0).numpy()  # (variables, categories): how often each category was drawn
    assert counts.sum() == 3 * 6000
    assert all(chisquare(c).pvalue > 1e-3 for c in counts)  # against the uniform prior p = 1/6
