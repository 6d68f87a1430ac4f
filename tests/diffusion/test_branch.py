"""Rewind and branch: a branch with the run's own sampler and the calls it had left reproduces the run; a
continuation never spends more than its NFE and follows the exact ODE from the state it starts at; the
command adds the branch to every output; the panel draws a branch in a cell of its own."""
import json
import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings, strategies as st

from cli import main
from engines.errors import InputError

N = 64
SEED = 5
TIMEOUT_MS = 60_000


@pytest.fixture(scope="module")
def mixture():
    from engines.diffusion.sources import mixture_source

    return mixture_source("eight_gaussians")


def compare(source, samplers, nfe=12, n=N):
    from engines.diffusion.run import compare_job
    from engines.jobs import run

    return run(compare_job, source, samplers, nfe, n, SEED, with_field=False)


# Heun's calls alternate: odd calls start a step (the state of the run), even ones are its Euler predictions
@pytest.mark.parametrize("name,settings,calls", [
    ("euler", {}, (1, 2, 7, 12)), ("heun", {}, (1, 3, 7, 11)), ("dpmpp_2m", {}, (1, 2, 6, 12)),
    ("ddim", {}, (1, 4, 12)), ("flow_euler", {}, (1, 5, 12)),
    ("ddpm", {}, (1, 4, 12)), ("ddim", {"eta": 0.7}, (3, 9)), ("euler_maruyama", {}, (2, 8)),
])
def test_same_sampler_and_remaining_calls_reproduce_the_run(mixture, name, settings, calls):
    from engines.diffusion.branch import branch

    run = compare(mixture, [(name, settings)]).runs[0]
    for call in calls:
        b = branch(mixture.model, run, call, name, settings, run.nfe - call + 1, N, SEED, kind="points")
        assert b.nfe == run.nfe - call + 1 and len(b.frames) == len(run.frames)
        if name != "heun":
            np.testing.assert_array_equal(b.grid, run.grid[call - 1:])
        if name in ("ddim", "ddpm"):  # VP coordinates: the state is handed over as it is
            np.testing.assert_array_equal(b.samples, run.samples)
        else:  # VE and flow: one rescaling, x / √(a²+b²) · √(a²+b²), rounds in the last bit
            np.testing.assert_allclose(b.samples, run.samples, rtol=0, atol=2e-5)
        np.testing.assert_allclose(b.frames.x, run.frames.x, rtol=0, atol=2e-5)


def test_a_multistep_branch_uses_the_history_and_another_budget_changes_the_samples(mixture):
    from engines.diffusion.branch import branch, continue_from, continuation_plan, rewind
    from engines.diffusion.run import _noise

    run = compare(mixture, [("dpmpp_2m", {})]).runs[0]
    point = rewind(mixture.model, run, 6, _noise(N, (2,), SEED, "cpu"), SEED)
    point.previous = None  # without the call before, the first step is first order: not the run's
    fresh, _ = continue_from(mixture.model, point, continuation_plan("dpmpp_2m", {}, mixture.model, point.sigma, 7))
    assert np.abs(fresh.numpy() - run.samples).max() > 1e-4
    other = branch(mixture.model, run, 6, "dpmpp_2m", {}, 4, N, SEED)
    assert other.nfe == 4 and np.abs(other.samples - run.samples).max() > 1e-3


def test_a_branch_from_pure_noise_is_the_other_sampler_from_the_same_noise(mixture):
    """Flow matching's first call sees pure noise (σ = ∞): a branch there is the new sampler's own run."""
    from engines.diffusion.branch import branch

    flow, euler = compare(mixture, [("flow_euler", {}), ("euler", {})]).runs
    assert math.isinf(flow.frames.sigma[0])
    b = branch(mixture.model, flow, 1, "euler", {}, 12, N, SEED)
    np.testing.assert_array_equal(b.grid, euler.grid)
    np.testing.assert_array_equal(b.samples, euler.samples)


SAMPLER_NAMES = ("euler", "heun", "dpmpp_2m", "ddim", "ddpm", "flow_euler", "euler_maruyama", "langevin")


@settings(max_examples=30, deadline=None)
@given(name=st.sampled_from(SAMPLER_NAMES), parent=st.sampled_from(("ddim", "heun", "flow_euler")),
       call=st.integers(1, 15), nfe=st.integers(1, 40))
def test_a_continuation_never_exceeds_its_nfe(mixture, name, parent, call, nfe):
    from engines.diffusion.branch import branch

    runs = _parents(mixture)
    run = runs[parent]
    call = min(call, len(run.frames))
    b = branch(mixture.model, run, call, name, {}, nfe, 8, SEED)
    assert 1 <= b.nfe <= nfe
    assert np.isfinite(b.samples).all()
    assert len(b.frames) == call - 1 + b.nfe
    positive = b.grid[b.grid > 0]
    assert positive[0] == pytest.approx(run.frames.sigma[call - 1], rel=1e-6) or math.isinf(run.frames.sigma[call - 1])
    assert np.all(np.diff(positive) < 0)  # descending from σ_k: nothing above the call's noise level


_PARENTS = {}


def _parents(mixture):
    if not _PARENTS:
        _PARENTS.update({r.name: r for r in compare(mixture, [("ddim", {}), ("heun", {}), ("flow_euler", {})],
                                                    nfe=15, n=8).runs})
    return _PARENTS


def test_a_continuation_follows_the_exact_ode_from_the_state_it_starts_at(mixture):
    """DDIM's state at call 6 (VP, t/ᾱ) handed to Heun (VE, σ): Heun's samples match scipy's RK45 on the
    probability-flow ODE dx/dσ = (x − D(x, σ))/σ from x/a at σ_6, then D at σ_min (the reference)."""
    from scipy.integrate import solve_ivp

    from engines.diffusion.branch import branch, rewind
    from engines.diffusion.run import _noise

    run = compare(mixture, [("ddim", {})], nfe=12, n=16).runs[0]
    b = branch(mixture.model, run, 6, "heun", {}, 199, 16, SEED)
    point = rewind(mixture.model, run, 6, _noise(16, (2,), SEED, "cpu"), SEED)
    model = mixture.model
    x_ve = (point.x / point.a).double().numpy().ravel()

    def rhs(sigma, y):
        x = torch.as_tensor(y, dtype=torch.float32).reshape(-1, 2)
        return ((x - model(x, 1.0, sigma)) / sigma).double().numpy().ravel()

    sol = solve_ivp(rhs, (point.sigma, 0.002), x_ve, method="RK45", rtol=1e-8, atol=1e-8)
    reference = model(torch.as_tensor(sol.y[:, -1], dtype=torch.float32).reshape(-1, 2), 1.0, 0.002).numpy()
    np.testing.assert_allclose(b.samples, reference, atol=5e-3)


def test_a_branch_too_large_for_memory_is_refused_before_it_replays(mixture, monkeypatch):
    import engines.budget
    from engines.diffusion.branch import branch
    from engines.errors import InputError

    run = compare(mixture, [("ddim", {})]).runs[0]
    monkeypatch.setattr(engines.budget, "available_bytes", lambda: 20_000)  # the branch keeps ~ 2·18·64·8 bytes
    with pytest.raises(InputError, match="branching 64 samples into Heun .* would need about"):
        branch(mixture.model, run, 3, "heun", {}, 20, N, SEED)


def test_the_branch_job_reports_and_cancels(mixture):
    from engines.jobs import Cancelled, Reporter, run
    from tasks.diffusion import SampleRequest, sample_job
    from tasks.diffusion_branch import BranchRequest, branch_job

    outcome = run(sample_job, SampleRequest(mixture, [("ddim", {}), ("euler", {})], 10, 32, SEED))
    messages = []
    b = run(branch_job, outcome, BranchRequest(4, ("heun", {}), None, "euler"), on_progress=messages.append)
    assert b.parent == "euler" and b.call == 4 and b.nfe <= 7
    assert b.label == f"branch of Euler (EDM σ) at call 4: Heun (EDM σ), NFE {b.nfe}"
    assert messages[-1].fraction == 1.0
    reporter = Reporter()
    reporter.cancel()
    with pytest.raises(Cancelled):
        branch_job(reporter, outcome, BranchRequest(4, ("heun", {})))


@pytest.mark.parametrize("source_name", ["mixture:eight_gaussians_4_classes", "bundled:digits-cfg"])
def test_a_branch_at_the_runs_guidance_reproduces_it_and_another_scale_differs(source_name):
    """A run guided towards a class at w = 3, branched at call 5 with the same sampler and calls at w = 3
    (a new guided model, the same computation) has the run's remaining states bit for bit; at w = 0 (the
    unconditional model) it leaves them, and fewer samples land in the class."""
    from engines.diffusion.guidance import class_fractions
    from engines.jobs import run
    from tasks.bundled import bundled_path
    from tasks.diffusion import SampleRequest
    from tasks.diffusion_branch import BranchRequest, branch_job
    from tasks.diffusion_guidance import guided_sample_job

    if source_name.startswith("bundled") and not bundled_path("diffusion", "digits-cfg").is_file():
        pytest.skip("the class-conditional digits checkpoint is not installed")
    label, n = (1, N) if source_name.startswith("mixture") else (7, 24)
    outcome = run(guided_sample_job, SampleRequest(source_name, [("ddim", {})], 10, n, SEED, "cpu"), label, 3.0)
    parent = outcome.result.runs[0]
    same = run(branch_job, outcome, BranchRequest(5, ("ddim", {}), guidance=3.0))
    assert same.nfe == parent.nfe - 4 and same.guidance == 3.0 and same.guide_class == label
    np.testing.assert_array_equal(same.frames.x, parent.frames.x)
    np.testing.assert_array_equal(same.frames.x0, parent.frames.x0)
    np.testing.assert_array_equal(same.samples, parent.samples)
    other = run(branch_job, outcome, BranchRequest(5, ("ddim", {}), guidance=0.0))
    np.testing.assert_array_equal(other.frames.x[:5], parent.frames.x[:5])  # the state it starts from
    assert not np.array_equal(other.frames.x0[4:], parent.frames.x0[4:])
    assert other.label.endswith(", w = 0")
    model = outcome.source.model.model
    assert class_fractions(model, other.samples)[label] < class_fractions(model, parent.samples)[label]


def test_an_unguided_run_branches_into_guidance_towards_a_class(mixture):
    """The panel's case: an unguided comparison on a class-conditional mixture, branched at w = 0 towards a
    class, is the unguided continuation bit for bit (w = 0 is D_u exactly); at w = 4 more samples land in the
    class and it is scored against the class's exact conditional samples."""
    from engines.diffusion.guidance import class_fractions, conditional_reference
    from engines.diffusion.run import score_samples
    from engines.jobs import run
    from tasks.diffusion import SampleRequest, sample_job
    from tasks.diffusion_branch import BranchRequest, branch_job

    outcome = run(sample_job, SampleRequest("mixture:eight_gaussians_4_classes", [("ddim", {})], 10, N, SEED, "cpu"))
    parent = outcome.result.runs[0]
    zero = run(branch_job, outcome, BranchRequest(3, ("ddim", {}), guidance=0.0, label=2))
    np.testing.assert_array_equal(zero.samples, parent.samples)
    guided = run(branch_job, outcome, BranchRequest(3, ("ddim", {}), guidance=4.0, label=2))
    model = outcome.source.model
    assert guided.guide_class == 2 and class_fractions(model, guided.samples)[2] > class_fractions(model, parent.samples)[2]
    assert guided.metrics == score_samples(guided.samples, conditional_reference(outcome.source, 2, SEED), "points", (2,))
    with pytest.raises(InputError, match="needs a class"):
        run(branch_job, outcome, BranchRequest(3, ("ddim", {}), guidance=2.0))


def test_run_diffusion_branches_a_guided_run_at_another_scale(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["run", "diffusion", "--mixture", "eight_gaussians_4_classes", "--class", "1", "--guidance", "3",
                 "--sampler", "ddim", "--nfe", "12", "--samples", "80", "--branch-at", "6", "--branch-sampler",
                 "heun", "--branch-guidance", "0", "--out", str(out), "--device", "cpu"]) == 0
    said = capsys.readouterr().out
    assert "fraction of samples in it: ddim 1.000, branch_ddim_6_heun 0." in said
    metrics = json.loads((out / "metrics.json").read_text())
    entry = metrics["samplers"][1]
    assert entry["guidance"] == 0.0 and entry["class"] == 1 and entry["label"].endswith(", w = 0")
    assert set(metrics["guidance"]["class_fractions"]) == {"ddim", "branch_ddim_6_heun"}
    assert json.loads((out / "sidecar.json").read_text())["parameters"]["branch"]["guidance"] == 0.0


def test_run_diffusion_adds_the_branch_to_every_output(tmp_path, capsys):
    out = tmp_path / "out"
    code = main(["run", "diffusion", "--mixture", "eight_gaussians", "--sampler", "ddim", "--sampler", "euler",
                 "--nfe", "9", "--samples", "100", "--seed", "3", "--branch-at", "4", "--branch-of", "euler",
                 "--branch-sampler", "ddim", "--branch-nfe", "3", "--branch-eta", "0.5", "--out", str(out),
                 "--device", "cpu"])
    assert code == 0, capsys.readouterr().err
    assert "branch_euler_4_ddim (3 calls" in capsys.readouterr().out
    samples = np.load(out / "samples.npy")
    assert samples.shape == (3, 100, 2) and np.isfinite(samples).all()
    with np.load(out / "frames.npz") as frames:
        assert list(frames["samplers"]) == ["ddim", "euler", "branch_euler_4_ddim"]
        x = frames["x_branch_euler_4_ddim"]
        assert x.shape == (3 + 3, 100, 2)
        np.testing.assert_array_equal(x[:3], frames["x_euler"][:3])  # the shared path before the branch
        assert frames["sigma_branch_euler_4_ddim"][3] == pytest.approx(frames["sigma_euler"][3], rel=1e-6)
    entry = json.loads((out / "metrics.json").read_text())["samplers"][2]
    assert entry["branch_of"] == "euler" and entry["at_call"] == 4 and entry["nfe"] == 3
    assert entry["settings"] == {"eta": 0.5} and entry["sliced_wasserstein"] > 0
    assert entry["label"] == "branch of Euler (EDM σ) at call 4: DDIM, NFE 3"
    sidecar = json.loads((out / "sidecar.json").read_text())
    assert sidecar["parameters"]["branch"] == {"at": 4, "sampler": ["ddim", {"eta": 0.5}], "nfe": 3, "of": "euler"}


@pytest.mark.parametrize("args,needle", [
    (["--sampler", "heun", "--branch-at", "10", "--branch-sampler", "euler"],
     "branch_at must be between 1 and 9 (Heun (EDM σ) makes 9 model calls at NFE 10), got 10"),
    (["--branch-at", "3"], "--branch-at needs --branch-sampler"),
    (["--branch-sampler", "euler"], "--branch-sampler needs --branch-at"),
    (["--branch-at", "3", "--branch-sampler", "euler", "--branch-eta", "0.5"], "branch_eta applies to the samplers with η"),
    (["--branch-at", "3", "--branch-sampler", "euler", "--branch-of", "euler"], "must be one of the run's samplers"),
    (["--branch-at", "3", "--branch-sampler", "euler", "--branch-guidance", "2"], "--branch-guidance needs --class"),
])
def test_branch_options_are_checked_before_sampling(tmp_path, capsys, args, needle):
    assert main(["run", "diffusion", "--mixture", "eight_gaussians", "--nfe", "10", *args,
                 "--out", str(tmp_path / "o")]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("workbench: error:") and needle in err[0], err
    assert not (tmp_path / "o").exists()


def test_branch_from_the_timeline_draws_a_new_cell(qtbot, panel):
    with qtbot.waitSignal(panel.first_job_done, timeout=TIMEOUT_MS):
        panel.start()
    panel.timeline.pause()
    panel.timeline.set_index(7)
    bar = panel.branches.bar
    bar.of.setCurrentIndex(bar.of.findData("ddim"))
    assert bar.at.text().startswith("at call 8 (σ = ")
    bar.sampler.setCurrentIndex(bar.sampler.findData("dpmpp_2m"))
    assert not bar.eta.isVisibleTo(bar)  # DPM-Solver++ takes no η
    bar.nfe.setValue(6)
    bar.button.click()
    view = panel.branches.views[0]
    qtbot.waitUntil(lambda: view.run is not None, timeout=TIMEOUT_MS)
    assert view.isVisibleTo(panel) and not panel.branches.views[1].isVisibleTo(panel)
    assert view.run.label == "branch of DDIM at call 8: DPM-Solver++(2M), NFE 6"
    assert "branch of DDIM at call 8" in view.title.text
    assert panel.timeline.calls() == 20  # 7 shared calls + 6 of the branch: within the samplers' 20
    panel.timeline.set_index(9)  # the branch's third call: its own state, not DDIM's
    x, _ = view.points_item.getData()
    np.testing.assert_allclose(x, view.run.frames.x[9][:, 0])
    assert not np.allclose(x, panel.outcome.result.runs[0].frames.x[9][:, 0])
    # a second branch, with η; both export with their data; the Reverse process menu lists them
    bar.sampler.setCurrentIndex(bar.sampler.findData("ddim"))
    assert bar.eta.isVisibleTo(bar)
    bar.eta.setValue(1.0)
    bar.nfe.setValue(0)  # "calls left": 11 from call 10
    bar.button.click()
    qtbot.waitUntil(lambda: panel.branches.views[1].run is not None, timeout=TIMEOUT_MS)
    assert panel.branches.views[1].run.settings == {"eta": 1.0}
    titles = [f.title for f in panel.figures()]
    assert "Branch: branch of DDIM at call 10: DDIM, NFE 11" in titles
    data = next(f for f in panel.figures() if f.title.startswith("Branch: branch of DDIM at call 8")).data()
    assert data["branch_ddim_8_dpmpp_2m_at_call"][0] == 8
    assert "branch_ddim_10_ddim_x" in panel._frames_data()
    assert panel.show_sampler.findData("branch_ddim_8_dpmpp_2m") >= 0
    panel.show_sampler.setCurrentIndex(panel.show_sampler.findData("heun"))  # the run shown large is offered
    assert bar.of.currentData() == "heun"
    assert [b["at_call"] for b in panel.parameters()["branches"]] == [8, 10]
    # Clear branches removes them everywhere
    bar.clear.click()
    assert not view.isVisibleTo(panel) and panel.show_sampler.findData("branch_ddim_8_dpmpp_2m") < 0


def test_the_branch_bar_guides_a_branch_on_a_class_conditional_mixture(qtbot, make_panel):
    """On a class-conditional mixture the bar offers the classes and w (hidden elsewhere); the branch guided
    towards class 1 at w = 4 records both, says w in its label and its sidecar entry."""
    import workbench.panels.diffusion as diffusion

    panel = make_panel(diffusion)
    c, bar = panel.controls, panel.branches.bar
    c.samples.setValue(100)
    with qtbot.waitSignal(panel.first_job_done, timeout=TIMEOUT_MS):
        panel.start()
    assert not bar.guide.isVisibleTo(bar)  # the first launch's model has no classes
    c.source.setCurrentIndex(c.source.findData("mixture:eight_gaussians_4_classes"))  # samples it again
    qtbot.waitUntil(lambda: bar.guide.count() == 5, timeout=3 * TIMEOUT_MS)
    assert bar.guide.isVisibleTo(bar) and not bar.w.isVisibleTo(bar)
    bar.guide.setCurrentIndex(bar.guide.findData(1))
    assert bar.w.isVisibleTo(bar)
    bar.w.setValue(4.0)
    panel.timeline.pause()
    panel.timeline.set_index(5)
    bar.button.click()
    view = panel.branches.views[0]
    qtbot.waitUntil(lambda: view.run is not None, timeout=TIMEOUT_MS)
    assert view.run.guidance == 4.0 and view.run.guide_class == 1 and view.run.label.endswith(", w = 4")
    assert panel.parameters()["branches"][0]["guidance"] == 4.0 and panel.parameters()["branches"][0]["class"] == 1
