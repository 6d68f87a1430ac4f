"""The exact Gaussian-mixture denoiser against autograd of its log density and a Monte-Carlo posterior mean."""
import numpy as np
import pytest
import torch

from engines.diffusion.mixture import GaussianMixture, named_mixture
from engines.diffusion.parameterisation import score


@pytest.fixture
def mixture():
    return GaussianMixture(np.array([[-1.5, 0.0], [1.0, 1.0], [0.5, -1.5]]), np.array([0.2, 0.4, 0.3]),
                           weights=np.array([0.5, 0.3, 0.2]))


@pytest.mark.parametrize("a,b", [(1.0, 0.1), (1.0, 0.7), (0.6, 0.8), (1.0, 5.0), (0.3, 0.3)])
def test_tweedie_score_equals_autograd_score(mixture, a, b):
    x = (torch.randn(200, 2, generator=torch.Generator().manual_seed(1)) * 2).requires_grad_(True)
    logp = mixture.log_prob(x, a, b).sum()
    (auto,) = torch.autograd.grad(logp, x)
    exact = score(mixture(x.detach(), a, b), x.detach(), a, b)
    assert torch.allclose(auto, exact, rtol=1e-4, atol=1e-4)


def test_posterior_mean_equals_monte_carlo(mixture):
    g = torch.Generator().manual_seed(2)
    x0 = mixture.sample(400_000, g).double()
    a, b = 1.0, 0.6
    queries = torch.tensor([[0.0, 0.0], [-1.0, 0.5], [1.2, -0.8]], dtype=torch.float64)
    logw = -((queries[:, None, :] - a * x0[None]) ** 2).sum(-1) / (2 * b * b)
    w = torch.softmax(logw, dim=1)
    mc = w @ x0
    exact = mixture(queries.float(), a, b).double()
    assert torch.allclose(mc, exact, atol=0.02), (mc, exact)


def test_pure_noise_gives_the_mixture_mean(mixture):
    x = torch.randn(10, 2)
    mean = (mixture.log_weights.exp()[:, None] * mixture.means).sum(0)
    assert torch.allclose(mixture(x, 0.0, 1.0), mean.expand(10, 2), atol=1e-5)


def test_named_mixtures():
    eight = named_mixture("eight_gaussians")
    assert eight.means.shape == (8, 2)
    moons = named_mixture("moons")
    assert moons.means.shape[0] == 40 and torch.isfinite(moons(torch.randn(5, 2), 1.0, 0.5)).all()
