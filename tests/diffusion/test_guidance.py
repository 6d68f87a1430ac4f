"""Classifier-free guidance on class-conditional mixtures: w = 0 is the unconditional sampler bit for bit (w = 1
the conditional one), the exact conditional denoiser against a (quasi-)Monte-Carlo posterior mean, the
guided denoiser against Ho & Salimans' ε form, class fractions and the sweep, and the command."""
import json

import numpy as np
import pytest
import torch

from engines.diffusion.guidance import (GuidedDenoiser, class_count, class_fractions, classify, conditioned,
                                        guided_source)
from engines.diffusion.mixture import named_mixture
from engines.diffusion.run import sample_one
from engines.diffusion.sources import mixture_source
from engines.errors import InputError

CLASSED = ("eight_gaussians_2_classes", "eight_gaussians_4_classes", "ring_3_classes")


def _noise(n=300, seed=0):
    return torch.randn(n, 2, generator=torch.Generator().manual_seed(seed))


@pytest.mark.parametrize("sampler", ["ddpm", "ddim", "euler", "heun", "dpmpp_2m", "euler_maruyama", "langevin"])
def test_scale_0_is_the_unconditional_sampler_and_1_the_conditional_bit_for_bit(sampler):
    mix = named_mixture("eight_gaussians_4_classes")
    noise = _noise()
    plain, _, _, _ = sample_one(mix, sampler, {}, 12, noise, seed=3)
    guided, _, _, _ = sample_one(GuidedDenoiser(mix, 2, 0.0), sampler, {}, 12, noise, seed=3)
    assert torch.equal(guided, plain)
    cond, _, _, _ = sample_one(conditioned(mix, 2), sampler, {}, 12, noise, seed=3)
    guided1, _, _, _ = sample_one(GuidedDenoiser(mix, 2, 1.0), sampler, {}, 12, noise, seed=3)
    assert torch.equal(guided1, cond) and not torch.equal(cond, plain)


def _qmc_posterior_mean(mix, label, x, a, b, points=1 << 15):
    """E[x0 | x, class] by self-normalised importance sampling over x0 ~ p(x0 | class): scrambled Sobol points
    (seeded) through the normal quantile, the same points for every component of the class, weighted by the
    component's prior weight and the forward likelihood N(x; a x0, b² I). No part of the closed form is used."""
    z = torch.special.ndtri(torch.quasirandom.SobolEngine(2, scramble=True, seed=0).draw(points, dtype=torch.float64)
                            .clamp(1e-12, 1 - 1e-12))
    keep = torch.as_tensor(mix.labels == label)
    mu, s, logpi = mix.means.double()[keep], mix.stds.double()[keep], mix.log_weights.double()[keep]
    x0 = (mu[:, None, :] + s[:, None, None] * z[None]).reshape(-1, 2)
    logw = logpi.repeat_interleave(points) - ((x[:, None, :] - a * x0[None]) ** 2).sum(-1) / (2 * b * b)
    return torch.softmax(logw, dim=1) @ x0


@pytest.mark.parametrize("name,label", [("eight_gaussians_4_classes", 1), ("ring_3_classes", 2),
                                        ("eight_gaussians_2_classes", 0)])
@pytest.mark.parametrize("a,b", [(1.0, 0.1), (1.0, 0.5), (0.6, 0.8), (1.0, 3.0)])
def test_conditional_denoiser_matches_monte_carlo_to_1e_3(name, label, a, b):
    mix = named_mixture(name)
    part = conditioned(mix, label)
    g = torch.Generator().manual_seed(7)
    x = (a * part.sample(6, g) + b * torch.randn(6, 2, generator=g)).double()  # typical noised points of the class
    exact = part(x.float(), a, b).double()
    assert (exact - _qmc_posterior_mean(mix, label, x, a, b)).abs().max() < 1e-3


def test_conditional_density_is_bayes_rule():
    """log p(x | c) = log Σ_{k in c} π_k N(x; a μ_k, v_k) − log π(c), from the full mixture's terms."""
    mix = named_mixture("ring_3_classes")
    x = _noise(50) * 2
    a, b = 0.8, 0.6
    logits, _ = mix._responsibilities(x, a, b)
    keep = torch.as_tensor(mix.labels == 1)
    expect = torch.logsumexp(logits[:, keep], 1) - torch.logsumexp(mix.log_weights[keep], 0)
    assert torch.allclose(conditioned(mix, 1).log_prob(x, a, b), expect, atol=1e-5)


@pytest.mark.parametrize("w", [0.5, 3.0, 7.5])
def test_guided_denoiser_is_ho_and_salimans_eps_form(w):
    """ε̃ = (1 + w′) ε_c − w′ ε_u with w′ = w − 1 (Ho & Salimans 2022, eq. 6), ε = (x − a x̂0) / b."""
    mix = named_mixture("eight_gaussians_2_classes")
    x, a, b = _noise(100) * 1.5, 0.7, 0.7
    eps = lambda d: (x - a * d) / b  # noqa: E731
    wp = w - 1
    expect = (1 + wp) * eps(conditioned(mix, 1)(x, a, b)) - wp * eps(mix(x, a, b))
    assert torch.allclose(eps(GuidedDenoiser(mix, 1, w)(x, a, b)), expect, atol=1e-4)


def test_classes_are_arcs_and_fractions_follow_guidance():
    mix = named_mixture("eight_gaussians_4_classes")
    assert class_count(mix) == 4 and mix.labels.tolist() == [0, 0, 1, 1, 2, 2, 3, 3]
    assert classify(mix, mix.means.numpy() * 1.1).tolist() == mix.labels.tolist()
    assert classify(mix, np.array([[np.nan, 0.0]])).tolist() == [-1]
    noise = _noise(2000)
    free, _, _, _ = sample_one(GuidedDenoiser(mix, 3, 0.0), "heun", {}, 20, noise, seed=0)
    assert np.allclose(class_fractions(mix, free.numpy()), 0.25, atol=0.04)  # the unconditional: the priors
    pushed, _, _, _ = sample_one(GuidedDenoiser(mix, 3, 4.0), "heun", {}, 20, noise, seed=0)
    assert class_fractions(mix, pushed.numpy())[3] > 0.99


def test_sweep_is_closest_to_the_conditional_near_w_1():
    from engines.diffusion.guidance_sweep import guidance_job
    from engines.jobs import run

    sweep = run(guidance_job, mixture_source("eight_gaussians_2_classes"), 0, scales=(0.0, 1.0, 8.0), n=600)
    sw = sweep.metrics["sliced_wasserstein"]
    assert sw[1] < sw[0] and sw[1] < sw[2]
    table = sweep.table()
    assert table["w"].tolist() == [0.0, 1.0, 8.0] and np.allclose(table["fraction_class_0"] + table["fraction_class_1"], 1)
    assert len(sweep.samples) == 3 and sweep.samples[0].shape == (600, 2)


def test_class_out_of_range_and_unconditional_models_are_refused():
    source = mixture_source("ring_3_classes")
    with pytest.raises(InputError, match="between 0 and 2 .*3 classes.*got 3"):
        guided_source(source, 3, 1.0)
    with pytest.raises(InputError, match="not class-conditional"):
        guided_source(mixture_source("eight_gaussians"), 0, 1.0)


def test_command_writes_class_fractions(tmp_path, capsys):
    import cli

    out = tmp_path / "run"
    assert cli.main(["run", "diffusion", "--mixture", "eight_gaussians_4_classes", "--class", "2", "--guidance", "3",
                     "--sampler", "heun", "--sampler", "ddim", "--samples", "200", "--out", str(out)]) == 0
    metrics = json.loads((out / "metrics.json").read_text())
    g = metrics["guidance"]
    assert g["scale"] == 3.0 and g["class"] == 2 and set(g["class_fractions"]) == {"heun", "ddim"}
    assert all(abs(sum(f) - 1) < 1e-6 and f[2] > 0.95 for f in g["class_fractions"].values())
    assert metrics["source"]["class"] == 2
    assert "guided towards class 2 at w = 3" in capsys.readouterr().out


@pytest.mark.parametrize("args,message", [(["--class", "4"], "between 0 and 3"),
                                          (["--guidance", "2"], "--guidance needs --class"),
                                          (["--class", "0", "--guidance", "21"], "between 0 and 20")])
def test_command_validates_class_and_scale(tmp_path, capsys, args, message):
    import cli

    try:
        code = cli.main(["run", "diffusion", "--mixture", "eight_gaussians_4_classes", *args, "--samples", "50",
                         "--out", str(tmp_path / "x")])
    except SystemExit as exc:  # argparse refuses a value out of its option's range
        code = exc.code
    assert code != 0 and message in capsys.readouterr().err


def test_label_dropout_training_saves_a_guidable_digits_model(tmp_path):
    """A few steps of ``train diffusion --dataset digits --class-dropout 0.2``: the checkpoint records the classes
    and the dropout, loads as a 10-class model whose null label is the unconditional call, and guides."""
    from engines.diffusion.checkpoint import load
    from engines.diffusion.data import load_data
    from engines.diffusion.training import train_job
    from engines.jobs import run
    from tasks.diffusion import save_job

    data = load_data("digits")
    result = run(train_job, data, "ddpm", 3, batch=16, preview_n=4, class_dropout=0.2)
    body = run(save_job, result, tmp_path / "cfg")
    assert body["network"]["classes"] == 10 and body["train"]["class_dropout"] == 0.2
    model, _, _ = load(tmp_path / "cfg.safetensors")
    assert class_count(model) == 10
    x, t = torch.randn(4, 1, 8, 8, generator=torch.Generator().manual_seed(0)), torch.tensor(500.0)
    with torch.no_grad():
        assert torch.equal(model.net(x, t), model.net(x, t, 10))  # no label is the null label
        assert not torch.allclose(model.net(x, t, 3), model.net(x, t))
        plain, _, _, _ = sample_one(model, "ddim", {}, 4, x, seed=0)
        guided, _, _, _ = sample_one(GuidedDenoiser(model, 3, 0.0), "ddim", {}, 4, x, seed=0)
    assert torch.equal(plain, guided)
    assert data.heldout_labels is not None and len(data.heldout_labels) == len(data.heldout)


def test_label_dropout_needs_labelled_images():
    from engines.diffusion.data import load_data
    from engines.diffusion.training import train_job
    from engines.jobs import run

    with pytest.raises(InputError, match="needs a labelled image set"):
        run(train_job, load_data("moons"), "ddpm", 2, batch=8, class_dropout=0.1)


def test_bundled_label_dropout_digits_model_follows_guidance():
    """The bundled class-conditional digits DDPM, guided towards a digit at w = 3: most samples are that digit by the
    digits classifier (a tenth would be chance), more than unguided (w = 0)."""
    from tasks.bundled import bundled_path
    from tasks.diffusion import open_source

    path = bundled_path("diffusion", "digits-cfg")
    if not path.is_file():
        pytest.skip("the class-conditional digits checkpoint is not installed")
    source = open_source("bundled:digits-cfg", "cpu")
    noise = torch.randn(60, 1, 8, 8, generator=torch.Generator().manual_seed(0))
    shares = []
    for w in (0.0, 3.0):
        x, _, _, _ = sample_one(GuidedDenoiser(source.model, 7, w), "ddim", {}, 15, noise, seed=0)
        shares.append(class_fractions(source.model, x.numpy())[7])
    assert shares[1] > 0.6 and shares[1] > shares[0] + 0.3, shares
