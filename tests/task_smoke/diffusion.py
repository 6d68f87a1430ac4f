"""Every job of tasks.diffusion on tiny inputs, through the shared runner (tests/test_tasks_headless.py runs
this in a fresh interpreter and fails if Qt got imported)."""
import json
import tempfile
from pathlib import Path

import numpy as np
import torch

from engines.errors import InputError
from tasks import __version__
from tasks.diffusion import (SampleRequest, TrainRequest, frames_arrays, open_source, quality_job, run_metrics,
                             run_parameters, sample_job, samples_array, save_job, train_job)
from tasks.runner import run

torch.set_num_threads(1)
SAMPLERS = [("ddim", {"eta": 0.5}), ("heun", {})]

# the exact mixture, two samplers from the same noise
request = SampleRequest("mixture:eight_gaussians", SAMPLERS, nfe=4, samples=50, seed=1, device="cpu")
partials = []
outcome = run(sample_job, request, on_partial=partials.append)
assert [len(p.runs) for p in partials] == [1, 2]
assert [r.name for r in outcome.result.runs] == ["ddim", "heun"] and outcome.device == "cpu"
assert [r.nfe for r in outcome.result.runs] == [4, 3]  # Heun: N steps cost 2N − 1 calls
samples = samples_array(outcome)
assert samples.shape == (2, 50, 2) and np.isfinite(samples).all()
frames = frames_arrays(outcome.result)
assert list(frames["samplers"]) == ["ddim", "heun"] and frames["x_ddim"].shape == (4, 50, 2)
assert frames["sigma_heun"].shape == (3,) and frames["sigma_heun"][0] > frames["sigma_heun"][-1]
metrics = run_metrics(request, outcome)
assert metrics["source"]["mixture"] == "eight_gaussians" and metrics["samplers"][0]["settings"] == {"eta": 0.5}
assert all(s["sliced_wasserstein"] > 0 for s in metrics["samplers"])
assert run_parameters(request, outcome)["samplers"] == [["ddim", {"eta": 0.5}], ["heun", {}]]
again = run(sample_job, request)  # the same noise and seed: the same samples
assert np.array_equal(samples_array(again), samples)
for bad, needle in ((SampleRequest(nfe=0), "nfe must be between 1"), (SampleRequest(samplers=[("euler", {"eta": 1.0})]), "no setting"),
                    (SampleRequest(samplers=[("ddim", {"eta": 2.0})]), "between 0 and 1")):
    try:
        run(sample_job, bad)
    except InputError as exc:
        assert needle in str(exc), exc
    else:
        raise AssertionError(f"{bad} was accepted")

# a branch of the Heun run at its call 2 into DDIM with η (tasks.diffusion_branch)
from tasks.diffusion_branch import BranchRequest, branch_job  # noqa: E402

branched = run(branch_job, outcome, BranchRequest(2, ("ddim", {"eta": 1.0}), 2, "heun"))
assert branched.parent == "heun" and branched.nfe <= 2 and len(branched.frames) == 1 + branched.nfe
assert np.isfinite(branched.samples).all() and branched.metrics["sliced_wasserstein"] > 0

# quality against NFE on the open source
curves = run(quality_job, outcome.source, SAMPLERS, samples=50, seed=0, nfes=(2, 4))
assert curves.nfes == {"ddim": [2, 4], "heun": [1, 3]}
assert len(curves.metrics["ddim"]["sliced_wasserstein"]) == 2

# the bundled moons checkpoint
moons = run(sample_job, SampleRequest("bundled:moons", [("ddpm", {})], nfe=4, samples=50, device="cpu"))
assert moons.source.description["source"] == "checkpoint" and moons.source.reference is not None
assert "sliced_wasserstein" in moons.result.runs[0].metrics
try:
    open_source("bundled:nope")
except InputError as exc:
    assert "moons" in str(exc)  # names the bundled ones
else:
    raise AssertionError("an unknown bundled name was accepted")

# the exact-path reference (tasks.diffusion_exact): mixtures only
from tasks.diffusion_exact import error_table, exact_job, order_table, why_not_exact  # noqa: E402

exact = run(exact_job, outcome.source, SAMPLERS, 4, 50, 1)
assert list(exact.calls) == ["ddim", "heun"] and list(exact.orders) == ["heun"]  # DDIM at η = 0.5 is stochastic
assert len(error_table(exact)["sampler"]) == 4 + 3 and set(order_table(exact)["sampler"]) == {"heun"}
assert "trained model" in why_not_exact(moons.source)

# a short training run, saved and opened again
trained = run(train_job, TrainRequest("moons", "flow", steps=20, batch_size=64, device="cpu", preview_every=10),
              on_partial=partials.append)
assert [p.snapshot.step for p in partials[2:]] == [10, 20] and trained.source.kind == "points"
assert [p.outcome.result.extra["train"]["steps"] for p in partials[2:]] == [10, 20]  # what Stop would keep
assert trained.result.losses.shape == (20,) and np.isfinite(trained.result.losses).all()
with tempfile.TemporaryDirectory() as folder:
    body = run(save_job, trained.result, Path(folder) / "tiny")
    config = json.loads((Path(folder) / "tiny.json").read_text())
    assert body["weights"] == "tiny.safetensors" and config["workbench"] == __version__
    assert config["objective"] == "flow" and config["dataset"] == "moons"
    reopened = run(sample_job, SampleRequest(str(Path(folder) / "tiny.safetensors"), [("flow_euler", {})], nfe=4,
                                             samples=50, device="cpu"))
    assert reopened.source.description["checkpoint_sha256"] == body["sha256"]
print("diffusion tasks ok")
