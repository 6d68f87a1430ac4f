"""The diffusion panel's denoisers in the Real-network mode: registry, the training objectives made
deterministic (fixed noise and t / σ per item), batched landscapes, and opening diffusion checkpoints."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
import torch

from engines.diffusion import checkpoint as diffusion_checkpoint
from engines.diffusion import training
from engines.diffusion.data import load_data
from engines.diffusion.schedules import VPSchedule
from engines.errors import InputError
from engines.jobs import run
from engines.landscape.formats import identify_checkpoint, load_checkpoint, open_network
from engines.landscape.planes import (
    loss_surface,
    parameters,
    point_loss,
    random_directions,
)
from engines.landscape.registry import OpenedNetwork
from engines.landscape.runs import save_run
from engines.landscape.training import train_run
from tasks.landscape import registry

ROOT = Path(__file__).resolve().parents[2]
CHECKPOINTS = ROOT / "resources" / "checkpoints"
MOONS_TRAIN_LOSS = 0.2169980  # diffusion_moons (DDPM ε, linear) on its 20000 training points, noise seed 0
REGISTRY = registry()  # the application's: every provider registered


@pytest.fixture(scope="module")
def moons() -> OpenedNetwork:
    return open_network(REGISTRY, CHECKPOINTS / "diffusion_moons.json")


def _engine_training_loss(net, x0, objective, prediction="eps", schedule="linear", sigma_data=0.5, seed=0) -> float:
    """engines.diffusion.training.loss_fn itself, with a generator seeded as the data set's noise."""
    sched = VPSchedule.make(schedule) if objective == "ddpm" else None
    alphas = torch.as_tensor(sched.alphas_cumprod, dtype=torch.float32) if sched else None
    with torch.no_grad():
        return float(training.loss_fn(objective, net, x0, torch.Generator().manual_seed(seed), prediction=prediction,
                                      schedule=sched, alphas=alphas, sigma_data=sigma_data))


def _copy(name: str, folder: Path) -> Path:
    for suffix in (".json", ".safetensors"):
        shutil.copy(CHECKPOINTS / f"{name}{suffix}", folder / f"{name}{suffix}")
    return folder / f"{name}.json"


def test_diffusion_is_a_provider_of_the_registry():
    from engines.diffusion import landscape
    from engines.landscape.registry import Registry

    alone = Registry()
    landscape.register(alone)  # a provider registers into any registry; the application composes them all
    assert set(alone.architectures) == {"diffusion_mlp", "diffusion_conv"} and set(alone.formats) == {
        "workbench-diffusion"}
    assert {"diffusion_mlp", "diffusion_conv"} <= set(REGISTRY.architectures)
    assert {"diffusion_points", "diffusion_images"} <= set(REGISTRY.datasets)
    assert "workbench-diffusion" in REGISTRY.formats and "latent_vae" in REGISTRY.architectures


def test_bundled_moons_opens_in_the_registry(moons):
    assert moons.architecture == "diffusion_mlp" and moons.dataset == "diffusion_points" and moons.run is None
    assert REGISTRY.architectures["diffusion_conv"].dataset == "diffusion_images"
    assert moons.dataset_config["data"] == "moons" and moons.dataset_config["objective"] == "ddpm"
    assert moons.dataset_config["sigma_data"] == pytest.approx(0.93238544)
    assert "DDPM eps" in moons.loss_name and "training loss" in moons.loss_name and not moons.model.training
    assert len(moons.task.train) == 20000 and len(moons.task.test) == 5000
    engine = diffusion_checkpoint.load(CHECKPOINTS / "diffusion_moons.json")[0].net
    assert all(torch.equal(engine.state_dict()[k], v) for k, v in moons.model.state_dict().items())
    # the registered model has the checkpoint's parameter names: the weights load as a bare state dict too
    bare = load_checkpoint(REGISTRY, CHECKPOINTS / "diffusion_moons.safetensors", "diffusion_mlp", moons.arch_config)
    assert all(torch.equal(bare.state_dict()[k], v) for k, v in moons.model.state_dict().items())
    # the weights alone: their safetensors metadata names the format
    assert identify_checkpoint(REGISTRY, CHECKPOINTS / "diffusion_digits.safetensors") == "workbench-diffusion"


def test_moons_landscape_centre_is_its_training_loss_and_batched_matches_single(moons):
    train = moons.task.train
    engine = diffusion_checkpoint.load(CHECKPOINTS / "diffusion_moons.json")[0].net
    expected = _engine_training_loss(engine, torch.as_tensor(load_data("moons", 0).train), "ddpm")
    assert expected == pytest.approx(MOONS_TRAIN_LOSS, abs=1e-5)
    with torch.no_grad():
        own = float(moons.task.loss_fn(moons.model(*train.inputs), train.targets))
    assert own == pytest.approx(expected, rel=1e-6)
    again = REGISTRY.load_task(moons.dataset, moons.dataset_config)  # the noise and t are fixed
    assert all(torch.equal(x, y) for x, y in zip(again.train.inputs, train.inputs))

    center = parameters(moons.model)
    dirs = random_directions(center, seed=0)
    result = run(loss_surface, moons.model, train, moons.task.loss_fn, dirs, (-0.5, 0.5), (-0.5, 0.5), n=3,
                 batch_points=4, data_batch=8192)
    assert result.loss[1, 1] == pytest.approx(expected, rel=1e-5)
    assert np.isfinite(result.loss).all() and result.loss.min() == result.loss[1, 1]
    for i in range(3):
        for j in range(3):
            single = point_loss(moons.model, train, moons.task.loss_fn, center, dirs, result.a[j], result.b[i])
            assert single == pytest.approx(result.loss[i, j], rel=1e-5)


@pytest.mark.parametrize("objective, prediction, schedule", [
    ("ddpm", "v", "cosine"), ("ddpm", "x0", "linear"), ("edm", "x0", "linear"), ("flow", "flow", "linear"),
])
def test_each_objective_is_the_engines_training_loss(objective, prediction, schedule):
    torch.manual_seed(0)
    model = REGISTRY.build_model("diffusion_mlp", {"width": 16, "depth": 1, "emb": 8}).eval()
    task = REGISTRY.load_task("diffusion_points", {"objective": objective, "prediction": prediction,
                                                  "schedule": schedule, "sigma_data": 0.7, "noise_seed": 3})
    with torch.no_grad():
        ours = float(task.loss_fn(model(*task.train.inputs), task.train.targets))
    expected = _engine_training_loss(model, torch.as_tensor(load_data("moons", 0).train), objective, prediction,
                                     schedule, 0.7, seed=3)
    assert ours == pytest.approx(expected, rel=1e-6)


def test_digits_unet_batches_like_single():
    digits = open_network(REGISTRY, CHECKPOINTS / "diffusion_digits.safetensors")
    assert digits.architecture == "diffusion_conv" and digits.dataset == "diffusion_images"
    data = digits.task.train.take(slice(0, 64))
    engine = diffusion_checkpoint.load(CHECKPOINTS / "diffusion_digits.json")[0].net
    expected = _engine_training_loss(engine, torch.as_tensor(load_data("digits").train), "ddpm")
    with torch.no_grad():
        full = float(digits.task.loss_fn(digits.model(*digits.task.train.inputs), digits.task.train.targets))
    assert full == pytest.approx(expected, rel=1e-5)
    center = parameters(digits.model)
    dirs = random_directions(center, seed=1)
    result = run(loss_surface, digits.model, data, digits.task.loss_fn, dirs, n=3, batch_points=5)
    for i, j in ((0, 0), (1, 1), (2, 1)):
        single = point_loss(digits.model, data, digits.task.loss_fn, center, dirs, result.a[j], result.b[i])
        assert single == pytest.approx(result.loss[i, j], rel=1e-5)


def test_diffusion_runs_train_save_and_reopen(tmp_path):
    trained = run(train_run, REGISTRY, "adam:lr=0.001", steps=2, batch_size=64, save_every=1,
                  architecture="diffusion_mlp", arch_config={"width": 16, "depth": 1, "emb": 8},
                  dataset_config={"objective": "flow"})
    assert np.isfinite(trained.losses).all() and trained.snapshot_steps == (0, 1, 2)
    save_run(trained, tmp_path / "run")
    opened = open_network(REGISTRY, tmp_path / "run")
    assert opened.run is not None and opened.architecture == "diffusion_mlp"
    assert opened.dataset_config["objective"] == "flow"


def test_damaged_diffusion_checkpoints_raise_input_error(tmp_path):
    config = _copy("diffusion_moons", tmp_path)
    text = config.read_text()
    config.write_text(text[: len(text) // 2])  # corrupted JSON
    for target in (config, config.with_suffix(".safetensors")):
        with pytest.raises(InputError, match="not a readable checkpoint config"):
            open_network(REGISTRY, target)
        with pytest.raises(InputError, match="not a readable checkpoint config"):
            identify_checkpoint(REGISTRY, target)

    body = json.loads(text)
    edited = {**body, "network": {**body["network"], "width": 64}}  # weights no longer match
    config.write_text(json.dumps(edited))
    with pytest.raises(InputError):
        open_network(REGISTRY, config)
    config.write_text(json.dumps({**body, "objective": "score"}))
    with pytest.raises(InputError, match="objective"):
        open_network(REGISTRY, config)
    config.write_text(json.dumps({k: v for k, v in body.items() if k != "dataset"}))
    with pytest.raises(InputError, match="data set"):
        open_network(REGISTRY, config)
    config.write_text(text)
    weights = config.with_suffix(".safetensors")
    weights.write_bytes(weights.read_bytes()[:-16] + bytes(16))  # damaged weights: the hash no longer matches
    with pytest.raises(InputError):
        open_network(REGISTRY, config)
