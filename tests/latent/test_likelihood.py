"""The held-out NLL of the latent models against closed forms: the importance-sampled bound tightens toward a
linear-Gaussian VAE's exact marginal (probabilistic PCA, Tipping & Bishop 1999) as K grows, and every model's
dequantized figure bounds −log P(k) of its own discrete pixels, computed exactly on 2-pixel images."""
import itertools
import math

import numpy as np
import pytest
import torch
from scipy import stats
from torch import nn

from engines.latent.config import ModelConfig
from engines.latent.likelihood import held_out_nll, item_nll
from engines.latent.models import build_model


def _set_affine(layers, weight, bias) -> None:
    """Make a Linear-ReLU-Linear-ReLU-Linear chain compute v ↦ weight v + bias: its hidden units carry v⁺
    and v⁻ (hidden width ≥ twice the input)."""
    first, middle, last = [m for m in layers if isinstance(m, nn.Linear)]
    a = first.in_features
    weight, bias = torch.as_tensor(weight, dtype=torch.float64), torch.as_tensor(bias, dtype=torch.float64)
    with torch.no_grad():
        for m in (first, middle, last):
            m.weight.zero_()
            m.bias.zero_()
        first.weight[:a] = torch.eye(a)
        first.weight[a:2 * a] = -torch.eye(a)
        middle.weight[:2 * a, :2 * a] = torch.eye(2 * a)
        last.weight[:, :a] = weight
        last.weight[:, a:2 * a] = -weight
        last.bias.copy_(bias)


def _linear_gaussian(kind: str, data_shape, A, b, sigma, **config):
    """A VAE-family model whose decoder mean is A z + b with noise σ, its encoder giving q = N(0, I) (or uniform
    categories)."""
    model = build_model(ModelConfig(kind, data_shape=data_shape, hidden=8, **config)).double()
    _set_affine(model.decoder, A, b)
    with torch.no_grad():
        model.log_sigma.copy_(torch.log(torch.as_tensor(sigma, dtype=torch.float64)).view(model.log_sigma.shape))
        head = model.to_logits if kind == "gumbel-vae" else model.to_stats
        head.weight.zero_()
        head.bias.zero_()
    return model.eval()


def test_importance_sampled_bound_rises_to_the_exact_marginal_of_probabilistic_pca():
    """x = A z + b + σ ε, z ~ N(0, I): p(x) = N(b, A Aᵀ + diag σ²). q(z|x) is the exact posterior's mean with
    three times its diagonal variance; log (1/K) Σ p(x, z_j)/q(z_j|x) rises toward log p(x) with K (Burda et
    al. 2015, Theorem 1) and stays below it."""
    A = np.array([[1.0, 0.3], [-0.5, 0.8], [0.2, -1.2]])
    b, sigma = np.array([0.5, -0.2, 0.1]), np.array([0.3, 0.5, 0.4])
    model = _linear_gaussian("vae", (3,), A, b, sigma, latent=2)
    precision = np.eye(2) + A.T @ np.diag(sigma ** -2) @ A  # posterior: N(M⁻¹ Aᵀ Ψ⁻¹ (x − b), M⁻¹)
    gain = np.linalg.solve(precision, A.T @ np.diag(sigma ** -2))
    logvar = np.log(3.0 * np.diag(np.linalg.inv(precision)))
    _set_affine(list(model.encoder) + [model.to_stats], np.vstack([gain, np.zeros((2, 3))]),
                np.concatenate([-gain @ b, logvar]))
    cov = A @ A.T + np.diag(sigma ** 2)
    x = stats.multivariate_normal(b, cov).rvs(400, random_state=np.random.default_rng(0))
    truth = stats.multivariate_normal(b, cov).logpdf(x).mean()
    bounds = [-held_out_nll(model, x, samples=k, seed=1).nll for k in (1, 10, 100, 1000)]
    assert all(lo < hi for lo, hi in zip(bounds, bounds[1:])), bounds
    assert bounds[-1] < truth + 1e-3 and truth - bounds[0] > 0.1, (bounds, truth)
    assert truth - bounds[-1] < 0.02 * (truth - bounds[0]), (bounds, truth)


L = 3  # pixel levels of the 2-pixel images below
IMAGES = np.array(list(itertools.product(range(L), repeat=2)))  # every image, as levels k


def _bins(kind: str):
    """(lower, upper) edges of each level's bin in the space the model's density is of, written out here."""
    k = np.arange(L)
    if kind in ("nice", "fvae"):  # y = (k + u)/L − 1/2
        return k / L - 0.5, (k + 1) / L - 0.5
    return (k - 0.5) / (L - 1), (k + 0.5) / (L - 1)  # y = (k + u − 1/2)/(L − 1)


A2, B2, S2 = np.diag([0.3, 0.2]), np.array([0.4, 0.6]), np.array([0.2, 0.3])
CODES = np.array([np.concatenate([np.eye(2)[i], np.eye(2)[j]]) for i in range(2) for j in range(2)])
A_CODES, B_CODES, S_CODES = np.array([[0.2, -0.2, 0.1, 0.3], [-0.1, 0.2, 0.3, -0.2]]), np.array([0.3, 0.4]), np.array([0.35, 0.4])
CLUSTER_MEANS = np.array([[1.0, 0.0], [-1.0, 0.5]])
NICE_SCALE = np.array([1.2, 0.8])  # the flow's log-scales: y ~ N(0, diag e^(−2s))


def _model_and_components(kind: str):
    """The tiny model and its density as a mixture of diagonal Gaussians: (weight, mean, std) triples."""
    shape = (1, 1, 2)
    if kind == "nice":
        model = build_model(ModelConfig("nice", data_shape=shape, hidden=8, layers=2, levels=L)).double().eval()
        with torch.no_grad():
            model.log_scale.copy_(torch.from_numpy(NICE_SCALE))  # its couplings start as the identity
        return model, [(1.0, np.zeros(2), np.exp(-NICE_SCALE))]
    if kind == "gumbel-vae":
        model = _linear_gaussian(kind, shape, A_CODES, B_CODES, S_CODES, latent=2, categories=2, levels=L)
        return model, [(0.25, A_CODES @ c + B_CODES, S_CODES) for c in CODES]
    extra = {"layers": 2} if kind == "fvae" else {"clusters": 2} if kind == "cluster-vae" else {}
    b = B2 - 0.5 if kind == "fvae" else B2  # the flow space is centred on 0
    model = _linear_gaussian(kind, shape, A2, b, S2, latent=2, levels=L, **extra)  # f-VAE: identity couplings
    std = np.sqrt(np.diag(A2) ** 2 + S2 ** 2)
    if kind == "cluster-vae":
        with torch.no_grad():
            model.means.copy_(torch.from_numpy(CLUSTER_MEANS))
        return model, [(0.5, A2 @ m + b, std) for m in CLUSTER_MEANS]
    return model, [(1.0, b, std)]


def _density(components, y):
    """The mixture's density at the points y (..., 2)."""
    return sum(w * (stats.norm.pdf((y - m) / s) / s).prod(-1) for w, m, s in components)


@pytest.mark.parametrize("kind", ["nice", "vae", "cluster-vae", "fvae", "gumbel-vae"])
def test_dequantized_bound_is_below_the_exact_discrete_log_probability(kind):
    """P(k) = ∫ p over the bins of the image k, in closed form; the held-out figure (one u per pixel, K = 100
    importance samples) averaged over many draws is below log P(k): it is Jensen's E_u log p(y) + D log w
    (by quadrature; exact for the flow), less the importance sampler's small gap."""
    model, components = _model_and_components(kind)
    lower, upper = _bins(kind)
    exact, jensen = np.zeros(len(IMAGES)), np.zeros(len(IMAGES))
    for weight, mean, std in components:
        cell = stats.norm.cdf((upper[IMAGES] - mean) / std) - stats.norm.cdf((lower[IMAGES] - mean) / std)
        exact += weight * cell.prod(-1)
    nodes = (np.arange(200) + 0.5) / 200  # midpoint rule over each bin
    for i, k in enumerate(IMAGES):
        grid = [lower[k[j]] + nodes * (upper[k[j]] - lower[k[j]]) for j in range(2)]
        y = np.stack(np.meshgrid(*grid, indexing="ij"), -1)
        jensen[i] = np.log(_density(components, y)).mean() + 2 * np.log(upper[0] - lower[0])
    draws = 400
    x = torch.from_numpy(np.repeat(IMAGES, draws, axis=0) / (L - 1)).view(-1, 1, 1, 2)
    torch.manual_seed(0)
    bound = (-item_nll(model, x, samples=100) + 2 * model.log_bin_width()).view(len(IMAGES), draws).numpy()
    mean, se = bound.mean(1), bound.std(1) / math.sqrt(draws)
    log_p = np.log(exact)
    assert (jensen < log_p).all() and (mean < log_p + 4 * se).all(), (mean, log_p, se)
    # over the nine images: Jensen's value with these bins, less at most 0.05 nats of importance-sampling gap
    slack, se_all = (0.0 if kind == "nice" else 0.05), math.sqrt((se ** 2).sum()) / len(IMAGES)
    assert jensen.mean() - slack - 4 * se_all < mean.mean() < jensen.mean() + 4 * se_all, (mean, jensen, se_all)
