"""Nearest neighbours in latent space against a brute-force reference."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from engines.errors import InputError
from engines.latent.neighbours import nearest


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 10_000), st.integers(1, 12))
def test_nearest_matches_brute_force(seed, k):
    z = np.random.default_rng(seed).standard_normal((50, 5))
    index = seed % 50
    idx, dist = nearest(z, index, k)
    d = np.linalg.norm(z - z[index], axis=1)
    d[index] = np.inf
    np.testing.assert_allclose(dist, np.sort(d)[:k], rtol=1e-9)
    assert index not in idx and len(idx) == k
    np.testing.assert_allclose(np.linalg.norm(z[idx] - z[index], axis=1), dist, rtol=1e-9)


def test_nearest_caps_k_and_names_the_range():
    z = np.eye(3)
    assert len(nearest(z, 0, 10)[0]) == 2
    with pytest.raises(InputError, match="out of range"):
        nearest(z, 3, 1)
