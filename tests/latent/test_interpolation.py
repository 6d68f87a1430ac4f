"""lerp, slerp and analogy: endpoints, norms, the lerp dip towards sqrt(n/2)."""
import numpy as np
import pytest

from engines.errors import InputError
from engines.latent.interpolation import analogy, lerp, path, slerp, slerp_batch


def test_endpoints_and_shapes():
    rng = np.random.default_rng(0)
    z0, z1 = rng.standard_normal(32), rng.standard_normal(32)
    for mode in ("lerp", "slerp"):
        p = path(z0, z1, 7, mode)
        assert p.shape == (7, 32)
        np.testing.assert_allclose(p[0], z0, atol=1e-12)
        np.testing.assert_allclose(p[-1], z1, atol=1e-12)
    with pytest.raises(InputError):
        path(z0, z1, 5, "cubic")


def test_slerp_keeps_the_norm_of_equal_norm_endpoints():
    rng = np.random.default_rng(1)
    for n in (2, 16, 128):
        z0, z1 = rng.standard_normal(n), rng.standard_normal(n)
        z1 *= np.linalg.norm(z0) / np.linalg.norm(z1)
        t = np.linspace(0, 1, 33)
        norms = np.linalg.norm(slerp(z0, z1, t), axis=1)
        np.testing.assert_allclose(norms, np.linalg.norm(z0), rtol=1e-12)
        # the angle to z0 grows linearly in t
        cos = slerp(z0, z1, t) @ z0 / norms ** 2
        omega = np.arccos(np.clip(z0 @ z1 / np.linalg.norm(z0) ** 2, -1, 1))
        np.testing.assert_allclose(np.arccos(np.clip(cos, -1, 1)), t * omega, atol=1e-7)
        batch = slerp_batch(np.repeat(z0[None], 33, 0), np.repeat(z1[None], 33, 0), t)
        np.testing.assert_allclose(batch, slerp(z0, z1, t), atol=1e-12)


def test_lerp_midpoint_of_prior_samples_falls_to_sqrt_half_n():
    rng = np.random.default_rng(2)
    n = 128
    z0, z1 = rng.standard_normal((2000, n)), rng.standard_normal((2000, n))
    mid = np.linalg.norm(0.5 * (z0 + z1), axis=1)
    ends = np.linalg.norm(z0, axis=1)
    assert ends.mean() == pytest.approx(np.sqrt(n), rel=0.01)
    assert mid.mean() == pytest.approx(np.sqrt(n / 2), rel=0.01)
    smid = np.linalg.norm(slerp_batch(z0, z1, np.full(2000, 0.5)), axis=1)
    assert smid.mean() == pytest.approx(np.sqrt(n), rel=0.02)


def test_parallel_endpoints_fall_back_to_lerp_and_analogy():
    z = np.array([1.0, 2.0, 3.0])
    np.testing.assert_allclose(slerp(z, 2 * z, np.array([0.5])), lerp(z, 2 * z, np.array([0.5])))
    np.testing.assert_allclose(analogy(np.ones(3), np.zeros(3), z), z + 1)


def test_maps_pca_and_tsne():
    from engines.jobs import run
    from engines.latent.maps import pca_map, project, tsne_job

    rng = np.random.default_rng(0)
    z = rng.standard_normal((150, 8)) * np.array([5, 3, 1, 1, 1, 1, 1, 1])
    m = pca_map(z)
    assert m.method == "pca" and m.explained[0] > m.explained[1] > 0.1
    np.testing.assert_allclose(project(m, z), m.xy, atol=1e-9)
    assert pca_map(z[:, :2]).method == "latent"
    t = run(tsne_job, z, perplexity=10.0)
    assert t.method == "tsne" and t.xy.shape == (150, 2) and np.isfinite(t.xy).all()
