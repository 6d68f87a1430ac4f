"""The models on the digits: a short VAE run beats the per-pixel mean image on held-out items; NICE is
exactly invertible and its bits/dim beat the uniform baseline; the other models train and keep shapes."""
import math

import numpy as np
import pytest
import torch

from engines.latent.checkpoint import checkpoint_from_state
from engines.latent.config import ModelConfig
from engines.latent.models import build_model
from engines.latent.training import evaluate


def test_vae_beats_the_mean_image_on_held_out_digits(trained_vae, digits):
    m = trained_vae.metrics
    # per-pixel mean image of the training set: MSE 0.074 on the test digits
    assert m["mean_image_mse"] == pytest.approx(0.0740, abs=0.002)
    assert m["test_recon_mse"] < 0.6 * m["mean_image_mse"]
    assert m["test_total"] < -10.0  # negative ELBO, nats per image (Gaussian likelihood)
    assert m["test_kl"] > 2.0  # the code carries information
    model = checkpoint_from_state(trained_vae.config, trained_vae.state).model
    again = evaluate(model, digits)
    assert again["test_recon_mse"] == pytest.approx(m["test_recon_mse"], rel=1e-6)
    # the held-out loss went down during training
    assert trained_vae.history.test_total[-1] < trained_vae.history.test_total[0] - 20


def test_nice_is_exactly_invertible(trained_nice, digits):
    model = checkpoint_from_state(trained_nice.config, trained_nice.state).model.double()
    x = torch.from_numpy(digits.test_x[:200]).double()
    z, logvar = model.encode(x)
    assert logvar is None and z.shape == (200, 64)
    back = model.decode(z)
    assert (back - x).abs().max().item() <= 1e-5
    # and the other way round, from prior samples (unclipped inverse)
    z = torch.randn(50, 64, dtype=torch.float64)
    y = model.inverse_flow(z)
    assert (model.forward_flow(y) - z).abs().max().item() <= 1e-5
    # the couplings are not the identity any more
    assert (model.forward_flow(y) - y * model.log_scale.exp()).abs().max().item() > 1e-2


def test_nice_bits_per_dim_beat_uniform(trained_nice):
    bpd = trained_nice.metrics["test_bits_per_dim"]
    assert bpd < math.log2(17) - 0.8  # uniform over the 17 pixel levels: 4.09 bits/dim
    assert bpd > 1.0


def test_nice_log_det_is_the_scale_sum():
    model = build_model(ModelConfig("nice", (4,), hidden=16, layers=4)).double()
    for p in model.parameters():
        torch.nn.init.normal_(p, std=0.3)
    x = torch.randn(1, 4, dtype=torch.float64, requires_grad=True)
    jac = torch.autograd.functional.jacobian(lambda v: model.forward_flow(v), x).reshape(4, 4)
    assert torch.logdet(jac).item() == pytest.approx(model.log_scale.sum().item(), abs=1e-9)


@pytest.mark.parametrize("kind", ["conv-vae", "cluster-vae"])
def test_other_models_train(train, kind, digits):
    result = train(kind, 6, latent=8)
    h = result.history.total
    assert h[-1] < h[0] - 10
    assert result.samples.shape == (64, 8, 8, 1)
    assert np.isfinite(result.samples).all()
    if kind == "cluster-vae":
        assert 0.2 < result.metrics["test_purity"] <= 1.0  # 10 classes: chance ~0.1


def test_conv_vae_shapes_for_other_image_sizes():
    for shape in [(1, 28, 28), (3, 32, 32), (1, 6, 10)]:
        model = build_model(ModelConfig("conv-vae", shape, latent=4, hidden=64))
        x = torch.rand(3, *shape)
        assert model.reconstruct(x).shape == x.shape
        assert torch.isfinite(model.losses(x)["total"])


def test_points_models_use_a_gaussian_likelihood():
    for kind in ("vae", "nice"):
        model = build_model(ModelConfig(kind, (2,), latent=2, hidden=32))
        x = torch.randn(16, 2)
        assert model.reconstruct(x).shape == (16, 2)
        assert torch.isfinite(model.losses(x)["total"])
