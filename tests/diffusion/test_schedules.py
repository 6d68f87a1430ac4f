"""Schedules and parameterisations: formulas, conversions, timestep spacings."""
import math

import numpy as np
import pytest
import torch

from engines.diffusion import parameterisation as P
from engines.diffusion.schedules import VPSchedule, flow_grid, karras_sigmas, sigma_to_ab
from engines.errors import InputError


def test_karras_schedule_matches_the_formula():
    s = karras_sigmas(18, 0.002, 80.0, 7.0)
    assert s[0] == pytest.approx(80.0) and s[-2] == pytest.approx(0.002) and s[-1] == 0
    i = 5
    expected = (80 ** (1 / 7) + i / 17 * (0.002 ** (1 / 7) - 80 ** (1 / 7))) ** 7
    assert s[i] == pytest.approx(expected)
    assert np.all(np.diff(s) < 0)
    with pytest.raises(InputError):
        karras_sigmas(10, 1.0, 0.5)


def test_vp_schedules():
    lin, cos = VPSchedule.make("linear"), VPSchedule.make("cosine")
    assert lin.alphas_cumprod[0] == pytest.approx(1 - 1e-4)
    assert 0 < cos.alphas_cumprod[-1] < lin.alphas_cumprod[-1] < 1e-4
    t = np.array([0.0, 10.0, 123.0, 999.0])
    assert np.allclose(lin.sigma_to_t(lin.sigmas[t.astype(int)]), t, atol=1e-9)
    assert lin.timesteps(10, "trailing")[0] == 999 and lin.timesteps(10, "leading")[0] == 900
    assert lin.timestep_grid(10)[-1] == 0


def test_timesteps_match_diffusers():
    diffusers = pytest.importorskip("diffusers")
    sched = VPSchedule.make("linear")
    for spacing in ("leading", "trailing", "linspace"):
        ref = diffusers.DDIMScheduler(timestep_spacing=spacing)
        for n in (10, 20, 50):
            ref.set_timesteps(n)
            assert np.array_equal(ref.timesteps.numpy(), sched.timesteps(n, spacing)), (spacing, n)


@pytest.mark.parametrize("coords", ["ve", "vp", "flow"])
@pytest.mark.parametrize("kind", P.KINDS)
def test_parameterisations_round_trip(kind, coords):
    g = torch.Generator().manual_seed(0)
    x0, eps = torch.randn(64, 2, generator=g, dtype=torch.float64), torch.randn(64, 2, generator=g, dtype=torch.float64)
    for sigma in (0.05, 1.0, 20.0):
        a, b = sigma_to_ab(sigma, coords)
        x = a * x0 + b * eps
        got_x0, got_eps = P.to_x0_eps(kind, P.target(kind, x0, eps, a, b), x, a, b)
        assert torch.allclose(got_x0, x0, atol=1e-9) and torch.allclose(got_eps, eps, atol=1e-9)
        assert torch.allclose(P.score(x0, x, a, b), -eps / b, atol=1e-9)


def test_flow_grid_and_coordinates():
    g = flow_grid(4)
    assert math.isinf(g[0]) and g[-1] == 0
    assert sigma_to_ab(math.inf, "flow") == (0.0, 1.0)
    a, b = sigma_to_ab(1.0, "vp")
    assert a * a + b * b == pytest.approx(1.0) and b / a == pytest.approx(1.0)
