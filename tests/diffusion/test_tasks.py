"""tasks.diffusion: model sources from specs, requests checked before a model loads, the device resolved
once inside each job, a trained model saved with the application's version."""
import json

import pytest
import torch

from engines.errors import InputError
from engines.jobs import run
from tasks import __version__
from tasks import diffusion as task
from tasks.bundled import bundled


def test_source_menu_lists_the_mixtures_then_the_bundled_checkpoints():
    from engines.diffusion.catalogue import MIXTURES

    specs = [spec for _, spec in task.source_choices()]
    assert specs == [f"mixture:{n}" for n in MIXTURES.names] + [f"bundled:{b.name}" for b in bundled("diffusion")]
    expected = "bundled:moons" if bundled("diffusion")[0].path.is_file() else "mixture:moons"
    assert task.default_source() == expected


def test_open_source_specs():
    mix = task.open_source("mixture:gaussian_mixture")
    assert mix.description["mixture"] == "gaussian_mixture" and mix.reference.shape[1] == 2
    if bundled("diffusion")[1].path.is_file():
        digits = task.open_source("bundled:digits")
        assert digits.kind == "images" and digits.description["checkpoint"].endswith("diffusion_digits.safetensors")
    with pytest.raises(InputError, match="no bundled diffusion checkpoint 'nope'"):
        task.open_source("bundled:nope")
    with pytest.raises(InputError, match="unknown mixture"):
        task.open_source("mixture:nope")


@pytest.mark.parametrize("request_, needle", [
    (task.SampleRequest(samplers=[]), "at least one sampler"),
    (task.SampleRequest(samplers=[("ddim", {}), ("ddim", {"eta": 1.0})]), "given once"),
    (task.SampleRequest(samples=1), "samples must be between 2 and"),
    (task.SampleRequest(samplers=[("warp", {})]), "unknown sampler"),
])
def test_requests_are_checked_before_a_model_loads(monkeypatch, request_, needle):
    monkeypatch.setattr(task, "open_source", lambda *a: pytest.fail("the model was loaded"))
    with pytest.raises(InputError, match=needle):
        run(task.sample_job, request_)


def test_the_device_is_resolved_once_inside_the_job(monkeypatch):
    import engines.device

    asked = []
    real = engines.device.pick_device

    def pick(preference=None):
        asked.append(preference)
        return real("cpu")

    monkeypatch.setattr(engines.device, "pick_device", pick)
    request = task.SampleRequest("mixture:eight_gaussians", [("euler", {})], nfe=3, samples=20, device="auto")
    outcome = run(task.sample_job, request)
    assert asked == ["auto"] and outcome.device == "cpu"
    again = run(task.sample_job, task.SampleRequest(outcome.source, [("euler", {})], nfe=3, samples=20))
    assert asked == ["auto"], "an open source keeps its device"
    assert torch.equal(torch.as_tensor(again.result.runs[0].samples), torch.as_tensor(outcome.result.runs[0].samples))
    trained = run(task.train_job, task.TrainRequest("moons", "ddpm", steps=5, batch_size=32, device="auto"))
    assert asked == ["auto", "auto"] and trained.source.model.device == torch.device("cpu")


def test_a_saved_model_carries_the_version_and_opens_again(tmp_path):
    trained = run(task.train_job, task.TrainRequest("moons", "edm", steps=5, batch_size=32, device="cpu"))
    body = run(task.save_job, trained.result, tmp_path / "edm")
    config = json.loads((tmp_path / "edm.json").read_text())
    assert config["workbench"] == __version__ and config["sha256"] == body["sha256"]
    source = task.open_source(str(tmp_path / "edm.safetensors"))
    assert source.description["objective"] == "edm" and source.reference is not None
