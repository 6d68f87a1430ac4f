"""Perceptual path length: exact on a linear decoder; lerp and slerp on the same pairs."""
import numpy as np
import torch

from engines.jobs import run
from engines.latent.config import ModelConfig
from engines.latent.models import LatentModel
from engines.latent.pathlength import binned, path_length, path_length_job


class LinearDecoder(LatentModel):
    def __init__(self, n=6, d=12):
        super().__init__(ModelConfig("vae", (d,), latent=n, hidden=8))
        gen = torch.Generator().manual_seed(0)
        self.a = torch.nn.Parameter(torch.randn(d, n, generator=gen))

    def decode(self, z):
        return z @ self.a.T


def test_ppl_of_a_linear_decoder_is_exact():
    model = LinearDecoder()
    rng = np.random.default_rng(0)
    z0, z1 = rng.standard_normal((50, 6)), rng.standard_normal((50, 6))
    t = rng.uniform(0, 1 - 1e-4, 50)
    a = model.a.detach().double().numpy()
    r = path_length(model, mode="lerp", z0=z0, z1=z1, t=t)
    expected = ((z1 - z0) @ a.T) ** 2
    np.testing.assert_allclose(r.values, expected.sum(1), rtol=1e-6)
    unit = r.per_unit_latent()
    ratio = expected.sum(1) / ((z1 - z0) ** 2).sum(1)
    np.testing.assert_allclose(unit.values, ratio, rtol=1e-6)


def test_job_uses_the_same_pairs_for_both_modes(trained_vae):
    from engines.latent.checkpoint import checkpoint_from_state

    model = checkpoint_from_state(trained_vae.config, trained_vae.state).model
    out = run(path_length_job, model, 300, "pixel", 0)
    assert set(out) == {"lerp", "slerp"}
    np.testing.assert_array_equal(out["lerp"].t, out["slerp"].t)
    for r in out.values():
        assert np.isfinite(r.values).all() and r.mean > 0
        centres, means = binned(r)
        assert len(centres) == 10 and np.isfinite(means).sum() >= 8
    feature = run(path_length_job, model, 100, "feature", 0)
    assert feature["lerp"].distance == "feature" and feature["lerp"].mean > 0
    # the slerp arc is longer than the chord: |dz/dt|^2 is larger on average
    assert out["slerp"].speed2.mean() > out["lerp"].speed2.mean()
