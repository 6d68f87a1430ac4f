"""The exact PF-ODE path of a mixture against a closed form and an independent solver, the samplers'
empirical orders against it on eight_gaussians, and ``run diffusion --exact-reference``."""
import csv
import json
import math

import numpy as np
import pytest
import torch

from cli import main
from engines.diffusion.convergence import EXACT_SAMPLES, ORDER_NFES, exact_job, fitted_order
from engines.diffusion.exact_path import SIGMA_END, call_errors, solve_exact
from engines.diffusion.mixture import GaussianMixture, named_mixture
from engines.diffusion.recording import FrameRecorder
from engines.diffusion.run import sample_one
from engines.errors import InputError
from engines.jobs import run

MU, S = np.array([0.7, -0.3]), 0.4


@pytest.fixture(scope="module")
def noise():
    return np.random.default_rng(0).standard_normal((40, 2))


@pytest.mark.parametrize("start", [80.0, math.inf])
def test_single_gaussian_path_is_the_closed_form(noise, start):
    """PF-ODE of N(μ, s²I) in σ scale: x(σ) = μ + (x(σ0) − μ)·√((s² + σ²)/(s² + σ0²)), x(σ0) = z·√(1 + σ0²);
    from σ0 = ∞: x(σ) = μ + z·√(s² + σ²)."""
    path = solve_exact(GaussianMixture(MU[None], S), noise, start)
    for sigma in (40.0, 3.0, 0.5, 0.05, 0.0):
        if math.isinf(start):
            exact = MU + noise * math.sqrt(S * S + sigma * sigma)
        else:
            exact = MU + (noise * math.sqrt(1 + start * start) - MU) * math.sqrt((S * S + sigma * sigma) / (S * S + start * start))
        got = path.at(sigma) * math.sqrt(1 + sigma * sigma)
        assert np.abs(got - exact).max() < 1e-6 * max(1.0, sigma)
        # its x̂0 is the posterior mean μ + s²/(s² + σ²)(x − μ)
        assert np.allclose(path.denoised(sigma), MU + S * S / (S * S + sigma * sigma) * (exact - MU), atol=1e-6)


def test_halving_the_tolerance_changes_the_end_by_under_1e6(noise):
    mix = named_mixture("eight_gaussians")
    tight, tighter = solve_exact(mix, noise, 80.0), solve_exact(mix, noise, 80.0, rtol=5e-11)
    assert np.abs(tight.end - tighter.end).max() < 1e-6 * np.abs(tighter.end).max()
    assert tighter.calls > tight.calls


def test_an_independent_tight_solver_follows_the_path(noise):
    """pf_ode (RK45 in log σ, VE coordinates, float64) at rtol 1e-8 ends on the path's end, and its last
    call's x̂0 is the path's (its intermediate Runge-Kutta stages are off the path by design)."""
    mixture = named_mixture("eight_gaussians")
    mix = solve_exact(mixture, noise, mixture.sigma_max)  # where pf_ode starts
    rec = FrameRecorder()
    x, _, _, _ = sample_one(mix.mixture, "pf_ode", {"rtol": 1e-8}, 20, torch.as_tensor(noise), 0, rec)
    frames = rec.frames()
    errors = call_errors(mix, frames.sigma, frames.x, frames.x0)
    assert errors.state_error[-1] < 1e-6 and errors.x0_error[-1] < 1e-6
    # it returns x̂0 at σ_min = 0.002, which is off the end at σ = 0 by about (σ_min/s)²/2·|x − μ| ≈ 3e-5
    assert 1e-6 < np.abs(x.numpy() - mix.end).max() < 1e-4


@pytest.mark.parametrize("name", ["ddim", "flow_euler"])
def test_vp_and_flow_samplers_are_compared_on_the_sigma_scale(noise, name):
    """DDIM (x_t = √ᾱ x0 + √(1−ᾱ) ε) and flow matching (x_t = (1−t) x0 + t ε) converge onto the same path
    once their states are put on the σ scale: errors shrink ~4× from NFE 50 to 200 (first order)."""
    mix = named_mixture("eight_gaussians")

    def worst(nfe):
        rec = FrameRecorder()
        sample_one(exact.mixture, name, {}, nfe, torch.as_tensor(noise), 0, rec)
        f = rec.frames()
        e = call_errors(exact, f.sigma, f.x, f.x0)
        return np.nanmax(e.state_error), e.x0_error[-1], e

    from engines.diffusion.samplers import make_plan

    exact = solve_exact(mix, noise, float(make_plan(name, mix, 50).sigmas[0]))
    (s50, x50, e50), (s200, x200, _) = worst(50), worst(200)
    assert 2.5 < s50 / s200 < 6 and 2.5 < x50 / x200 < 6 and s200 < 0.02
    if name == "flow_euler":  # the first call is at t = 1 (σ = ∞): the shared noise itself
        assert math.isinf(e50.sigma[0]) and e50.state_error[0] == 0.0


@pytest.fixture(scope="module")
def orders():
    """The default run's 1,000 samples: DPM-Solver++(2M)'s fitted order is 2.21-2.27 over seeds 0-2 there
    (2.28-2.36 on 500 samples: a few samples near the boundary between two components weigh in the RMS)."""
    return run(exact_job, named_mixture("eight_gaussians"), [("euler", {}), ("heun", {}), ("dpmpp_2m", {}),
                                                             ("euler_maruyama", {})], 20, EXACT_SAMPLES, 0)


def test_orders_on_eight_gaussians(orders):
    """On the mixture's own grid (σ_max its diameter 4.9, ρ 3) the second-order samplers beat Euler at NFE 20
    (measured: Heun 0.024, DPM-Solver++(2M) 0.013, Euler 0.038) and every fitted order over NFE 10-80 is
    within 0.3 of theory (1.07, 2.27, 2.11)."""
    euler, heun, dpm = (orders.orders[k] for k in ("euler", "heun", "dpmpp_2m"))
    at = {k: dict(zip(ORDER_NFES, c.final_error)) for k, c in orders.orders.items()}
    assert at["heun"][20] < at["euler"][20] and at["dpmpp_2m"][20] < at["euler"][20]
    assert abs(euler.order - 1) < 0.3 and abs(heun.order - 2) < 0.3 and abs(dpm.order - 2) < 0.3
    assert (euler.theory, heun.theory, dpm.theory) == (1, 2, 2)


def test_edm_image_grid_wastes_heuns_steps_on_a_toy():
    """EDM's image grid (σ_max 80, ρ 7) spends Heun's NFE 20 where the path is straight: it loses to Euler
    there (measured 0.168 against 0.082), which the mixture's own grid fixes (the test above)."""
    edm = {"sigma_max": 80.0, "rho": 7.0}
    result = run(exact_job, named_mixture("eight_gaussians"), [("euler", edm), ("heun", edm)], 20, 300, 0, nfes=(20,))
    assert result.orders["heun"].final_error[0] > result.orders["euler"].final_error[0]


def test_a_mixtures_sigma_max_is_its_diameter():
    """Song & Ermon's σ_max: the largest distance between two data points (scipy's, on 4,000 samples: 4.97)."""
    from scipy.spatial.distance import pdist

    mix = named_mixture("eight_gaussians")
    farthest = pdist(mix.sample(4000, torch.Generator().manual_seed(0)).numpy()).max()
    assert abs(mix.sigma_max / farthest - 1) < 0.1 and mix.rho == 3.0


def test_stochastic_samplers_have_path_errors_but_no_order(orders):
    assert "euler_maruyama" not in orders.orders and "distribution" in orders.notes["euler_maruyama"]
    em = orders.calls["euler_maruyama"]
    assert em.state_error[0] < 1e-9 < em.state_error[-1]  # same start; the injected noise leaves the path


def test_fitted_order_is_the_slope():
    n = np.array([10, 20, 40, 80])
    assert fitted_order(n, 3.0 * n ** -2.0) == pytest.approx(2.0)
    assert fitted_order([10], [0.1]) is None


def test_only_mixtures_have_an_exact_path(noise):
    from engines.diffusion.exact_path import float64

    from tests.diffusion.conftest import tiny_vp_model

    with pytest.raises(InputError, match="exact Gaussian mixture"):
        float64(tiny_vp_model()[1])
    assert SIGMA_END < 1e-5


def test_cli_exact_reference(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["run", "diffusion", "--mixture", "eight_gaussians", "--sampler", "euler", "--sampler", "ddim",
                 "--nfe", "12", "--samples", "100", "--exact-reference", "--out", str(out), "--device", "cpu"]) == 0
    said = capsys.readouterr().out
    assert "error.csv, order.csv" in said and "empirical order over NFE 10-80: euler 1." in said
    with open(out / "error.csv") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == ["sampler", "call", "sigma", "state_error", "x0_error"]
    assert [r["call"] for r in rows if r["sampler"] == "euler"] == [str(k) for k in range(12)]
    assert float(rows[0]["sigma"]) == pytest.approx(named_mixture("eight_gaussians").sigma_max)
    assert float(rows[0]["state_error"]) < 1e-9
    with open(out / "order.csv") as handle:
        order = list(csv.DictReader(handle))
    assert {r["sampler"] for r in order} == {"euler", "ddim"} and len(order) == 2 * len(ORDER_NFES)
    metrics = json.loads((out / "metrics.json").read_text())["exact_reference"]
    assert metrics["samplers"]["euler"]["theoretical_order"] == 1
    assert abs(metrics["samplers"]["euler"]["fitted_order"] - 1) < 0.3


def test_cli_refuses_a_checkpoint(tmp_path, capsys):
    assert main(["run", "diffusion", "--checkpoint", str(tmp_path / "m.safetensors"), "--exact-reference",
                 "--out", str(tmp_path / "o")]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "needs an exact Gaussian mixture" in err[0] and not (tmp_path / "o").exists()


def test_cancel_stops_the_exact_job_inside_the_ode_solve():
    import threading

    from engines.jobs import Cancelled, Reporter

    event = threading.Event()
    evaluations = []

    def cancel_then_count():
        evaluations.append(1)
        if len(evaluations) == 50:  # well inside the first exact solve (~600 evaluations)
            event.set()

    reporter = Reporter(cancel_event=event)
    reporter.check = lambda: (cancel_then_count(), Reporter.check(reporter))[1]
    with pytest.raises(Cancelled):
        exact_job(reporter, named_mixture("eight_gaussians"), [("euler", {})], 20, 100, 0)
    assert len(evaluations) == 50
