"""The latent panel's models in the Real-network mode: registry, deterministic objectives, batched landscapes,
checkpoint recognition by JSON "format", and the optimizer panel opening a latent checkpoint."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from safetensors.torch import save_file

from engines.errors import InputError
from engines.jobs import run
from engines.landscape.formats import identify_checkpoint, load_checkpoint, open_network
from engines.landscape.planes import (
    loss_surface,
    parameters,
    point_loss,
    random_directions,
)
from engines.landscape.registry import OpenedNetwork, Split
from engines.landscape.runs import save_run
from engines.landscape.training import train_run
from tasks.landscape import registry

CHECKPOINTS = Path(__file__).resolve().parents[2] / "resources" / "checkpoints"
VAE_TRAIN_NEG_ELBO = -55.8407  # digits_vae on the training split, reparameterisation noise seed 0
NICE_TRAIN_BPD = 2.69273  # digits_nice on the training split, bin-centre dequantisation
REGISTRY = registry()  # the application's: every provider registered
# each wait below took 18-22 s on a 2-core machine at load 9-10 (most of it first-use imports): 3x and more
TIMEOUT_MS = 180_000


@pytest.fixture(scope="module")
def vae() -> OpenedNetwork:
    return open_network(REGISTRY, CHECKPOINTS / "digits_vae.json")


def _copy(name: str, folder: Path) -> Path:
    for suffix in (".json", ".safetensors"):
        shutil.copy(CHECKPOINTS / f"{name}{suffix}", folder / f"{name}{suffix}")
    return folder / f"{name}.json"


def test_the_registry_imports_no_provider_until_the_application_composes_it():
    code = ("import sys; import engines.landscape.registry, engines.landscape.formats, engines.landscape.training, "
            "engines.landscape.runs, engines.landscape.planes, engines.landscape.digits, tasks.landscape as t; "
            "assert 'engines.latent' not in sys.modules and 'engines.diffusion' not in sys.modules; "
            "r = t.registry(); assert 'latent_vae' in r.architectures and 'engines.latent' in sys.modules; "
            "assert t.registry() is r")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).resolve().parents[2], timeout=120)


def test_bundled_vae_opens_in_the_registry(vae):
    assert vae.architecture == "latent_vae" and vae.dataset == "latent_elbo" and vae.run is None
    assert REGISTRY.architectures["latent_vae"].dataset == "latent_elbo"
    assert {"latent_conv_vae", "latent_cluster_vae", "latent_nice"} <= set(REGISTRY.architectures)
    assert vae.dataset_config["latent"] == 16 and vae.dataset_config["data"] == "digits"
    assert "negative ELBO" in vae.loss_name and not vae.model.training
    # the registered model has the checkpoint's parameter names: a bare state dict loads the same way
    state = load_checkpoint(REGISTRY, CHECKPOINTS / "digits_vae.safetensors", "latent_vae", vae.arch_config).state_dict()
    assert all(torch.equal(state[k], v) for k, v in vae.model.state_dict().items())


def test_vae_objective_is_the_latent_engines_elbo_with_fixed_noise(vae):
    from engines.latent.checkpoint import load_checkpoint

    engine = load_checkpoint(CHECKPOINTS / "digits_vae.json").model
    x = vae.task.train.inputs[0][:200]
    with torch.no_grad():
        torch.manual_seed(7)
        expected = float(engine.losses(x)["total"])
        torch.manual_seed(7)
        eps = torch.randn(len(x), 16)
        assert float(vae.model(x, eps).mean()) == pytest.approx(expected, rel=1e-6)
    again = REGISTRY.load_task(vae.dataset, vae.dataset_config)  # the noise is fixed: same task, same loss
    assert torch.equal(again.train.inputs[1], vae.task.train.inputs[1])


def test_vae_landscape_centre_is_its_own_loss_and_batched_matches_single(vae):
    train = vae.task.train
    with torch.no_grad():
        own = float(vae.task.loss_fn(vae.model(*train.inputs), train.targets))
    assert own == pytest.approx(VAE_TRAIN_NEG_ELBO, abs=2e-3)
    center = parameters(vae.model)
    dirs = random_directions(center, seed=0)
    result = run(loss_surface, vae.model, train, vae.task.loss_fn, dirs, (-0.5, 0.5), (-0.5, 0.5), n=3, batch_points=4)
    assert result.loss[1, 1] == pytest.approx(own, abs=1e-3)
    assert np.isfinite(result.loss).all() and result.loss.min() == result.loss[1, 1]
    for i, j in ((0, 0), (2, 1), (1, 2)):
        single = point_loss(vae.model, train, vae.task.loss_fn, center, dirs, result.a[j], result.b[i])
        assert single == pytest.approx(result.loss[i, j], rel=1e-5)


def test_nice_landscape_is_bits_per_dim_and_batched_matches_single():
    from engines.latent.checkpoint import load_checkpoint

    nice = open_network(REGISTRY, CHECKPOINTS / "digits_nice.safetensors")  # the JSON beside it says the kind
    assert nice.architecture == "latent_nice" and "bits/dim" in nice.loss_name
    train = nice.task.train.take(slice(0, 300))
    with torch.no_grad():
        expected = float(load_checkpoint(CHECKPOINTS / "digits_nice.json").model.losses(train.inputs[0])["bpd"])
        full = float(nice.task.loss_fn(nice.model(*nice.task.train.inputs), nice.task.train.targets))
    assert full == pytest.approx(NICE_TRAIN_BPD, abs=1e-4)
    center = parameters(nice.model)
    dirs = random_directions(center, seed=1)
    result = run(loss_surface, nice.model, train, nice.task.loss_fn, dirs, n=3, batch_points=5)
    assert result.loss[1, 1] == pytest.approx(expected, rel=1e-5)
    single = point_loss(nice.model, train, nice.task.loss_fn, center, dirs, result.a[0], result.b[2])
    assert single == pytest.approx(result.loss[2, 0], rel=1e-5)


@pytest.mark.parametrize("architecture, config", [
    ("latent_conv_vae", {"hidden": 32, "latent": 4}),
    ("latent_cluster_vae", {"hidden": 16, "latent": 3, "clusters": 4}),
    ("latent_nice", {"hidden": 16, "layers": 3, "data_shape": [5]}),
])
def test_other_latent_models_batch_like_single(architecture, config):
    torch.manual_seed(0)
    model = REGISTRY.build_model(architecture, config).eval()
    with torch.no_grad():
        for p in model.parameters():
            p.add_(0.1 * torch.randn_like(p))  # NICE starts as the identity: move it off
    shape = model.config.data_shape
    x = torch.rand(48, *shape)
    noise = torch.randn(48, model.config.latent) if architecture != "latent_nice" else torch.zeros(48, *shape)
    data = Split((x, noise), torch.zeros(48, dtype=torch.long))

    def loss_fn(out, _t):
        return out.mean()

    center = parameters(model)
    dirs = random_directions(center, seed=2)
    result = run(loss_surface, model, data, loss_fn, dirs, n=3, batch_points=9)
    for i, j in ((0, 2), (1, 1)):
        assert point_loss(model, data, loss_fn, center, dirs, result.a[j], result.b[i]) == pytest.approx(
            result.loss[i, j], rel=1e-5)


def test_latent_runs_train_save_and_reopen(tmp_path):
    trained = run(train_run, REGISTRY, "adam:lr=0.001", steps=4, batch_size=32, save_every=2,
                  architecture="latent_vae", arch_config={"hidden": 16, "latent": 2},
                  dataset_config={"latent": 2})
    assert np.isfinite(trained.losses).all() and trained.snapshot_steps == (0, 2, 4)
    save_run(trained, tmp_path / "run")
    opened = open_network(REGISTRY, tmp_path / "run")
    assert opened.run is not None and opened.architecture == "latent_vae"
    assert opened.run.snapshot_steps == (0, 2, 4)


def test_damaged_and_foreign_checkpoints_raise_input_error(tmp_path):
    config = _copy("digits_vae", tmp_path)
    text = config.read_text()
    config.write_text(text[: len(text) // 2])  # corrupted JSON
    for target in (config, config.with_suffix(".safetensors")):
        with pytest.raises(InputError, match="not a readable checkpoint config"):
            open_network(REGISTRY, target)
        with pytest.raises(InputError, match="not a readable checkpoint config"):
            identify_checkpoint(REGISTRY, target)

    body = json.loads(text)
    body["format"] = "workbench-sound"
    config.write_text(json.dumps(body))
    with pytest.raises(InputError, match="'workbench-sound'.*cannot open.*workbench-latent"):
        open_network(REGISTRY, config)
    del body["format"]
    config.write_text(json.dumps(body))
    with pytest.raises(InputError, match="no \"format\""):
        open_network(REGISTRY, config)

    body["format"] = "workbench-latent"
    body["model"]["latent"] = 8  # config edited: weights no longer match
    config.write_text(json.dumps(body))
    with pytest.raises(InputError):
        open_network(REGISTRY, config)
    with pytest.raises(InputError, match="does not exist"):
        open_network(REGISTRY, tmp_path / "gone.safetensors")


def test_weights_alone_and_bare_state_dicts(tmp_path):
    weights = tmp_path / "alone.safetensors"
    shutil.copy(CHECKPOINTS / "digits_vae.safetensors", weights)  # its metadata says workbench-latent
    assert identify_checkpoint(REGISTRY, weights) == "workbench-latent"
    assert open_network(REGISTRY, weights).architecture == "latent_vae"

    mlp = tmp_path / "mlp.safetensors"
    save_file(REGISTRY.build_model("digits_mlp").state_dict(), str(mlp))
    assert identify_checkpoint(REGISTRY, mlp) is None
    assert open_network(REGISTRY, mlp).architecture == "digits_mlp"
    vae_bare = tmp_path / "vae.pt"
    torch.save(open_network(REGISTRY, weights).model.state_dict(), vae_bare)
    with pytest.raises(InputError, match="NAME.json beside"):
        open_network(REGISTRY, vae_bare)


def test_optimizer_panel_opens_latent_and_diffusion_checkpoints(qtbot, tmp_path, make_panel):
    from workbench.panels import optimizer

    panel = make_panel(optimizer)
    view = panel.network
    view.n.setValue(5)  # the smallest grid the view offers
    panel.open_path("checkpoint", CHECKPOINTS / "digits_vae.json")
    assert panel.modes.currentWidget() is view
    qtbot.waitUntil(lambda: view.snapshot is not None and view.snapshot.stage == "done", timeout=TIMEOUT_MS)
    s = view.snapshot
    assert s.loss.shape == (5, 5) and np.isfinite(s.loss).all()
    assert s.loss[2, 2] == pytest.approx(VAE_TRAIN_NEG_ELBO, abs=2e-3)  # the centre: the checkpoint itself
    assert "negative ELBO" in s.loss_name and "digits_vae.json" in view.status.text()
    assert "lowest" in view.heatmap.bar.axis.labelText  # negative losses: drawn as height above the lowest
    assert view.parameters()["network"]["checkpoint"].endswith("digits_vae.json")

    bad = _copy("digits_nice", tmp_path)
    bad.write_text("{ not json")
    panel.open_path("checkpoint", bad.with_suffix(".safetensors"))  # the job reads the JSON and says why
    qtbot.waitUntil(lambda: "not a readable checkpoint config" in view.status.text(), timeout=TIMEOUT_MS)
    assert view.snapshot is None

    panel.open_path("checkpoint", CHECKPOINTS / "diffusion_moons.json")
    qtbot.waitUntil(lambda: view.snapshot is not None and view.snapshot.stage == "done"
                    and "diffusion_moons" in view.status.text(), timeout=TIMEOUT_MS)
    assert view.snapshot.loss.shape == (5, 5) and np.isfinite(view.snapshot.loss).all()
