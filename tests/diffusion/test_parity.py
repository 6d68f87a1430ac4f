"""Parity with diffusers' schedulers: the same model, the same noise, the same grid -> the same samples (≤ 1e-4)."""
import numpy as np
import pytest
import torch

from engines.diffusion.samplers.ddim import ddim
from engines.diffusion.samplers.dpmpp_2m import dpmpp_2m
from engines.diffusion.samplers.euler import euler
from engines.diffusion.samplers.heun import heun
from engines.diffusion.schedules import karras_sigmas

diffusers = pytest.importorskip("diffusers")
TOL = 1e-4
BETAS = dict(beta_schedule="linear", beta_start=1e-4, beta_end=0.02)  # Heun's defaults differ (SD's)


class MixtureEpsNet(torch.nn.Module):
    """A realistic ε-network net(x_vp, t): the exact ε of a Gaussian mixture at training time t (no training,
    bounded samples), so that float32 round-off, not a wild random network, sets the parity error."""

    def __init__(self, schedule):
        super().__init__()
        from engines.diffusion.mixture import named_mixture

        self.mixture = named_mixture("eight_gaussians")
        self.sigmas = schedule.sigmas

    def forward(self, x, t):
        sigma = float(np.interp(float(t), np.arange(len(self.sigmas)), self.sigmas))
        a = 1 / np.sqrt(1 + sigma * sigma)
        b = sigma * a
        return (x - a * self.mixture(x, a, b)) / b


@pytest.fixture(scope="module")
def model():
    from engines.diffusion.models import VPModel
    from engines.diffusion.schedules import VPSchedule

    schedule = VPSchedule.make("linear")
    net = MixtureEpsNet(schedule)
    return net, VPModel(net, schedule, "eps")


def _noise(n=256, seed=0):
    return torch.randn(n, 2, generator=torch.Generator().manual_seed(seed))


def _loop(sched, net, x, scale=True, **step_kwargs):
    with torch.no_grad():
        for t in sched.timesteps:
            xin = sched.scale_model_input(x, t) if scale else x
            x = sched.step(net(xin, float(t)), t, x, **step_kwargs).prev_sample
    return x


@pytest.mark.parametrize("spacing", ["leading", "trailing"])
@pytest.mark.parametrize("eta", [0.0, 0.5])
def test_ddim(model, spacing, eta):
    net, vp = model
    n = 20
    sched = diffusers.DDIMScheduler(**BETAS, clip_sample=False, timestep_spacing=spacing)
    sched.set_timesteps(n)
    z = _noise()
    ref = _loop(sched, net, z.clone(), eta=eta, generator=torch.Generator().manual_seed(7))
    with torch.no_grad():
        ours = ddim(vp, z, vp.schedule.timestep_grid(n, spacing), eta=eta, generator=torch.Generator().manual_seed(7))
    err = (ours - ref).abs().max().item()
    print(f"max |ours - diffusers| = {err:.2e}")
    assert err <= TOL


@pytest.mark.parametrize("n", [10, 25])
def test_euler_on_karras_sigmas(model, n):
    net, vp = model
    sched = diffusers.EulerDiscreteScheduler(**BETAS, use_karras_sigmas=True)
    sched.set_timesteps(n)
    grid = karras_sigmas(n, vp.schedule.sigma_min, vp.schedule.sigma_max, 7.0)
    # diffusers builds ᾱ from float32 betas: the grids agree to float32 accuracy; sample on theirs
    assert np.allclose(sched.sigmas.numpy(), grid, rtol=2e-4, atol=1e-6)
    grid = sched.sigmas.double().numpy()
    z = _noise()
    ref = _loop(sched, net, z.clone() * sched.init_noise_sigma)
    with torch.no_grad():
        ours = euler(vp, z, grid)
    err = (ours - ref).abs().max().item()
    print(f"max |ours - diffusers| = {err:.2e}")
    assert err <= TOL


@pytest.mark.parametrize("n", [6, 12])
def test_heun_on_karras_sigmas_last_step_euler(model, n):
    net, vp = model
    sched = diffusers.HeunDiscreteScheduler(**BETAS, use_karras_sigmas=True)
    sched.set_timesteps(n)
    assert len(sched.timesteps) == 2 * n - 1
    grid = karras_sigmas(n, vp.schedule.sigma_min, vp.schedule.sigma_max, 7.0)
    theirs = np.concatenate([sched.sigmas.double().numpy()[0::2], [0.0]])
    assert np.allclose(theirs, grid, rtol=2e-4, atol=1e-6)
    grid = theirs
    z = _noise()
    ref = _loop(sched, net, z.clone() * sched.init_noise_sigma)
    calls = []
    with torch.no_grad():
        ours = heun(vp, z, grid, record=lambda *a: calls.append(a[2]))
    assert len(calls) == 2 * n - 1
    err = (ours - ref).abs().max().item()
    print(f"max |ours - diffusers| = {err:.2e}")
    assert err <= TOL


@pytest.mark.parametrize("spacing", ["linspace", "trailing"])
@pytest.mark.parametrize("n", [10, 20])
def test_dpm_solver_pp_2m(model, spacing, n):
    """On its own timestep grids (with use_karras_sigmas diffusers rounds the model's timestep to an integer
    while stepping with the unrounded σ, a quirk not reproduced here)."""
    net, vp = model
    sched = diffusers.DPMSolverMultistepScheduler(**BETAS, timestep_spacing=spacing)
    sched.set_timesteps(n)
    grid = sched.sigmas.double().numpy()
    z = _noise()
    ref = _loop(sched, net, z.clone() * sched.init_noise_sigma, scale=False)
    with torch.no_grad():
        ours = dpmpp_2m(vp, z, grid)
    err = (ours - ref).abs().max().item()
    print(f"max |ours - diffusers| = {err:.2e}")
    assert err <= TOL
