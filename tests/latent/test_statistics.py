"""The angle between random vectors follows sin^{n-2}: checked by goodness-of-fit tests, not by eye."""
import numpy as np
import pytest
from scipy import integrate, special, stats

from engines.latent.statistics import AngleCDF, angle_fit, angle_pdf, expected_norm, random_pair_angles


@pytest.mark.parametrize("n", [2, 3, 16, 128])
def test_density_integrates_to_one_and_cdf_matches_the_closed_form(n):
    value, _ = integrate.quad(lambda t: angle_pdf(np.array(t), n), 0, np.pi, points=[np.pi / 2], limit=200)
    assert value == pytest.approx(1.0, abs=1e-8)
    cdf = AngleCDF(n)
    theta = np.linspace(0.01, np.pi - 0.01, 50)
    # closed form: (1 - cos theta) / 2 ~ Beta((n-1)/2, (n-1)/2)
    exact = special.betainc((n - 1) / 2, (n - 1) / 2, (1 - np.cos(theta)) / 2)
    np.testing.assert_allclose(cdf(theta), exact, atol=2e-6)


@pytest.mark.parametrize("n,seed", [(3, 0), (16, 1), (64, 2), (128, 3)])
def test_random_pairs_match_the_density(n, seed):
    fit = angle_fit(random_pair_angles(n, 20000, seed), n)
    assert fit.p_value > 0.01, fit.ks_statistic
    assert fit.chi2_p_value > 0.01
    spread = np.std(fit.angles)
    assert spread == pytest.approx(1 / np.sqrt(n - 1) if n > 3 else spread, rel=0.1)


def test_the_test_can_fail():
    """Angles from n = 16 are rejected as n = 24 and as uniform directions in 2D."""
    sample = random_pair_angles(16, 20000, 5)
    assert angle_fit(sample, 24).p_value < 1e-6
    assert stats.kstest(sample, AngleCDF(2)).pvalue < 1e-6


def test_expected_norm_of_gaussian_samples():
    rng = np.random.default_rng(0)
    for n in (2, 16, 128):
        norms = np.linalg.norm(rng.standard_normal((50000, n)), axis=1)
        assert norms.mean() == pytest.approx(expected_norm(n), rel=0.005)
        assert norms.std() == pytest.approx(np.sqrt(0.5), rel=0.1 if n > 8 else 0.5)
