"""f-VAE (conditional-flow decoder) and the importance-sampled likelihood shared by all latent models."""
import math

import pytest
import torch

from engines.jobs import run
from engines.latent.checkpoint import checkpoint_from_state
from engines.latent.config import ModelConfig, TrainConfig
from engines.latent.data import DataSpec
from engines.latent.fvae import FVAE
from engines.latent.likelihood import gaussian_log_weights, held_out_nll, item_nll
from engines.latent.models import build_model, to_flow_space
from engines.latent.training import train_job


def _scrambled(model: torch.nn.Module) -> None:
    """Non-zero weights everywhere, so the couplings are not the identity."""
    gen = torch.Generator().manual_seed(0)
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(torch.randn(p.shape, generator=gen, dtype=p.dtype) * 0.3)


def test_registered_and_trainable_from_the_catalogue():
    model = build_model(ModelConfig("fvae", latent=4, hidden=16, layers=2))
    assert isinstance(model, FVAE) and len(model.couplings) == 2


def test_conditional_flow_inverts_and_its_log_determinant_is_torchs():
    torch.manual_seed(0)
    model = FVAE(ModelConfig("fvae", data_shape=(4,), latent=2, hidden=8, layers=3).validated()).double()
    _scrambled(model)
    y, z = torch.randn(5, 4, dtype=torch.float64), torch.randn(5, 2, dtype=torch.float64)
    h, logdet = model.flow(y, z)
    assert torch.allclose(model.inverse_flow(h, z), y, atol=1e-10)
    for i in range(5):
        jac = torch.autograd.functional.jacobian(lambda v: model.flow(v[None], z[i:i + 1])[0][0], y[i])
        assert logdet[i].item() == pytest.approx(torch.linalg.slogdet(jac)[1].item(), abs=1e-9)
    # z changes the map: the flow is conditional
    assert not torch.allclose(model.flow(y, z + 1.0)[0], h)


def test_importance_sampling_tightens_the_elbo():
    torch.manual_seed(0)
    model = build_model(ModelConfig("fvae", latent=3, hidden=16, layers=2)).double()
    _scrambled(model)
    model.eval()
    x = torch.rand(6, 1, 8, 8, dtype=torch.float64).mul(16).round().div(16)
    logw = gaussian_log_weights(model, x, 400)
    elbo = logw.mean(0)
    iwae = torch.logsumexp(logw, 0) - math.log(400)
    assert (iwae >= elbo).all()  # Jensen, sample by sample
    assert (iwae - elbo).mean() > 0.1


def test_nice_likelihood_is_its_exact_density_plus_the_bin_width(digits):
    model = build_model(ModelConfig("nice", data_shape=(1, 8, 8), hidden=16, layers=2, levels=17))
    x = torch.from_numpy(digits.test_x[:32]).float()
    got = held_out_nll(model, x, seed=3)
    torch.manual_seed(3)
    with torch.no_grad():
        want = float(-model.log_prob(to_flow_space(x, model.config, noise=True)).mean()) + 64 * math.log(17)
    assert got.samples == 0 and got.nll == pytest.approx(want, rel=1e-5)
    assert got.bits_per_dim == pytest.approx(want / (64 * math.log(2)), rel=1e-5)


def test_fvae_beats_the_vae_of_the_same_latent_size_on_digits(digits):
    """Same latent size, budget and seed: the conditional flow's exact p(x|z) gives a lower held-out NLL."""
    nll = {}
    for kind, lr in (("vae", 2e-3), ("fvae", 1e-3)):
        snap = run(train_job, ModelConfig(kind, latent=8, hidden=64, layers=2), TrainConfig(epochs=6, lr=lr), DataSpec())
        model = checkpoint_from_state(snap.config, snap.state).model
        nll[kind] = held_out_nll(model, digits.test_x[:120], samples=100).nll
        assert math.isfinite(nll[kind])
    assert nll["fvae"] < nll["vae"] - 10.0, nll


def test_decode_inverts_the_flow_of_the_base_mean():
    model = build_model(ModelConfig("fvae", data_shape=(3,), latent=2, hidden=8, layers=2)).double()
    _scrambled(model)
    z = torch.randn(4, 2, dtype=torch.float64)
    x = model.decode(z)
    h, _ = model.flow(x, z)
    assert torch.allclose(h, model.decoder_output(z), atol=1e-10)
    assert item_nll(model.eval(), x, samples=100).isfinite().all()
