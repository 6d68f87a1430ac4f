"""Every sampler: NFE accounting, one callback per model call, quality on the exact mixture, frame recording."""
import math

import numpy as np
import pytest
import torch

from engines.diffusion.metrics import sliced_wasserstein
from engines.diffusion.mixture import named_mixture
from engines.diffusion.recording import FrameRecorder
from engines.diffusion.catalogue import SAMPLERS, parse_sampler
from engines.diffusion.samplers import make_plan
from engines.errors import InputError


@pytest.fixture(scope="module")
def mixture():
    return named_mixture("eight_gaussians")


@pytest.fixture(scope="module")
def reference(mixture):
    return mixture.sample(4000, torch.Generator().manual_seed(99)).numpy()


def _noise(n=1000):
    return torch.randn(n, 2, generator=torch.Generator().manual_seed(0))


@pytest.mark.parametrize("name", SAMPLERS.names)
def test_callback_once_per_model_call(mixture, name):
    calls = []

    class Counting:
        shape, sigma_min, sigma_max, schedule, device = mixture.shape, mixture.sigma_min, mixture.sigma_max, mixture.schedule, mixture.device

        def __call__(self, x, a, b):
            calls.append((a, b))
            return mixture(x, a, b)

    seen = []
    plan = make_plan(name, mixture, 20)
    out = plan.run(Counting(), _noise(64), lambda x, a, b, x0: seen.append((a, b, x.shape, x0.shape)),
                   torch.Generator().manual_seed(1))
    assert len(seen) == len(calls) > 0
    assert [s[:2] for s in seen] == calls
    assert torch.isfinite(out).all() and out.shape == (64, 2)
    if plan.expected_calls is not None:
        assert len(calls) == plan.expected_calls <= 20


def test_heun_counts_2n_minus_1(mixture):
    assert make_plan("heun", mixture, 19).expected_calls == 19
    assert make_plan("heun", mixture, 20).expected_calls == 19


@pytest.mark.parametrize("name", ["ddim", "euler", "heun", "dpmpp_2m", "euler_maruyama", "ddpm", "flow_euler", "pf_ode"])
def test_samplers_reach_the_mixture(mixture, reference, name):
    x = make_plan(name, mixture, 100).run(mixture, _noise(), None, torch.Generator().manual_seed(1))
    assert sliced_wasserstein(x.numpy(), reference) < 0.25, name  # 1000 samples: the floor is ~0.15


def test_deterministic_samplers_agree_with_the_ode(mixture):
    z = _noise(300)
    ref = make_plan("pf_ode", mixture, 1, rtol=1e-6).run(mixture, z)
    for name, nfe in (("heun", 99), ("dpmpp_2m", 100)):
        x = make_plan(name, mixture, nfe).run(mixture, z)
        assert (x - ref).abs().median() < 0.02, name  # same noise -> the same ODE solution


def test_ddim_eta_one_is_ddpm(mixture):
    z = _noise(200)
    grid = mixture.schedule.timestep_grid(30)
    from engines.diffusion.samplers.ddim import ddim
    from engines.diffusion.samplers.ddpm import ddpm

    a = ddim(mixture, z, grid, eta=1.0, generator=torch.Generator().manual_seed(3))
    b = ddpm(mixture, z, grid, generator=torch.Generator().manual_seed(3))
    assert torch.allclose(a, b, atol=1e-4)


def test_recorder_copies_in_batches(mixture, monkeypatch):
    copies = []
    original = torch.Tensor.to

    def spy(self, *args, **kwargs):
        if args and args[0] == "cpu":
            copies.append(self.shape)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(torch.Tensor, "to", spy)
    rec = FrameRecorder(chunk=8)
    make_plan("euler", mixture, 20).run(mixture, _noise(50), rec)
    frames = rec.frames()
    assert len(frames) == 20 and frames.x.shape == (20, 50, 2) and frames.x0.shape == (20, 50, 2)
    assert len(copies) == 2 * math.ceil(20 / 8)  # x and x̂0, once per chunk, not per call
    assert frames.sigma[0] == pytest.approx(mixture.sigma_max) and np.all(np.diff(frames.sigma) < 0)
    # x is shown in VP scale: the first frame is the unit-variance prior
    assert 0.8 < frames.x[0].std() < 1.2


def test_parse_and_bad_settings(mixture):
    assert parse_sampler("ddim:eta=0.5,spacing=leading") == ("ddim", {"eta": 0.5, "spacing": "leading"})
    with pytest.raises(InputError, match="unknown sampler"):
        parse_sampler("ddimm")
    with pytest.raises(InputError, match="no setting"):
        make_plan("euler", mixture, 10, eta=0.3)
    with pytest.raises(InputError):
        make_plan("euler", mixture, 0)
    with pytest.raises(InputError):
        make_plan("heun", mixture, 10, sigma_min=5.0, sigma_max=1.0)
