"""The Fréchet distance between Gaussians against closed forms and SciPy's general matrix square root."""
import warnings

import numpy as np
import pytest
from scipy import linalg

from engines.diffusion.metrics import frechet_distance, frechet_gaussians


def _spd(rng, n):
    a = rng.standard_normal((n, n))
    return a @ a.T + 0.1 * np.eye(n)


def test_one_dimensional_gaussians_have_the_closed_form():
    # W2²(N(m1, s1²), N(m2, s2²)) = (m1 - m2)² + (s1 - s2)²
    assert frechet_gaussians(np.array([1.0]), np.array([[4.0]]), np.array([-2.0]), np.array([[0.25]])) == \
        pytest.approx(3.0 ** 2 + (2.0 - 0.5) ** 2, rel=1e-12)


def test_commuting_covariances_have_the_closed_form():
    # diagonal covariances: |mu1 - mu2|² + Σ (√a_i - √b_i)²
    rng = np.random.default_rng(1)
    a, b = rng.uniform(0.1, 5, 6), rng.uniform(0.1, 5, 6)
    mu1, mu2 = rng.standard_normal(6), rng.standard_normal(6)
    expected = ((mu1 - mu2) ** 2).sum() + ((np.sqrt(a) - np.sqrt(b)) ** 2).sum()
    assert frechet_gaussians(mu1, np.diag(a), mu2, np.diag(b)) == pytest.approx(expected, rel=1e-10)


@pytest.mark.parametrize("seed", range(4))
def test_general_covariances_match_scipy_sqrtm(seed):
    rng = np.random.default_rng(seed)
    n = 8
    c1, c2 = _spd(rng, n), _spd(rng, n)
    mu1, mu2 = rng.standard_normal(n), rng.standard_normal(n)
    reference = ((mu1 - mu2) ** 2).sum() + np.trace(c1 + c2 - 2 * np.real(linalg.sqrtm(c1 @ c2)))
    assert frechet_gaussians(mu1, c1, mu2, c2) == pytest.approx(reference, rel=1e-8)


def test_rank_deficient_features_give_a_finite_distance_without_warnings():
    rng = np.random.default_rng(0)
    fx = rng.standard_normal((50, 3)) @ rng.standard_normal((3, 10))  # covariance of rank 3 in 10-d
    fy = rng.standard_normal((60, 10))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        d = frechet_distance(fx, fy)
        assert frechet_distance(fx, fx) == pytest.approx(0.0, abs=1e-6)
    assert np.isfinite(d) and d > 0
