"""Checkpoints: round trip with config and hash; every bad file is an InputError naming the problem, and
nothing in a file is ever executed."""
import json
import pickle

import pytest
import torch

from engines.errors import InputError
from engines.latent.checkpoint import infer_config, load_checkpoint, save_checkpoint
from engines.latent.config import ModelConfig
from engines.latent.models import build_model

CONFIG = ModelConfig("vae", (1, 8, 8), latent=4, hidden=32)


@pytest.fixture
def saved(tmp_path):
    torch.manual_seed(0)
    model = build_model(CONFIG)
    body = save_checkpoint(tmp_path / "m", model.state_dict(), CONFIG, {"dataset": {"name": "digits"}})
    return tmp_path / "m.safetensors", model, body


def test_round_trip_with_json_config_and_hash(saved):
    path, model, body = saved
    assert path.is_file() and path.with_suffix(".json").is_file()
    meta = json.loads(path.with_suffix(".json").read_text())
    assert meta["model"] == CONFIG.as_dict() and meta["format"] == "workbench-latent" and meta["version"] == 1
    assert meta["sha256"] == body["sha256"] and len(meta["sha256"]) == 64
    for source in (path, path.with_suffix(".json")):
        ck = load_checkpoint(source)
        assert ck.config == CONFIG and ck.sha256 == meta["sha256"]
        z = torch.randn(5, 4)
        torch.testing.assert_close(ck.model.decode(z), model.eval().decode(z))
    # the weights file alone carries its config in the safetensors metadata
    path.with_suffix(".json").unlink()
    assert load_checkpoint(path).config == CONFIG


def test_changed_weights_do_not_match_their_config(saved, tmp_path):
    path, _, _ = saved
    other = build_model(CONFIG)
    save_checkpoint(tmp_path / "other", other.state_dict(), CONFIG)
    path.write_bytes((tmp_path / "other.safetensors").read_bytes())
    with pytest.raises(InputError, match="does not match its config"):
        load_checkpoint(path)


def test_truncated_and_garbage_files(saved, tmp_path):
    path, _, _ = saved
    data = path.read_bytes()
    cut = tmp_path / "cut.safetensors"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(InputError, match="cut.safetensors"):
        load_checkpoint(cut)
    junk = tmp_path / "junk.pt"
    junk.write_bytes(b"hello, not a checkpoint at all")
    with pytest.raises(InputError, match="not a checkpoint"):
        load_checkpoint(junk)
    bad_json = tmp_path / "bad.json"
    bad_json.write_text("{not json")
    with pytest.raises(InputError, match="not a readable checkpoint config"):
        load_checkpoint(bad_json)
    with pytest.raises(InputError, match="does not exist"):
        load_checkpoint(tmp_path / "missing.safetensors")


def test_hostile_pickle_is_refused_and_not_run(tmp_path):
    marker = tmp_path / "pwned"

    class Payload:
        def __reduce__(self):
            import os

            return (os.system, (f"touch {marker}",))

    path = tmp_path / "evil.pt"
    with open(path, "wb") as f:
        pickle.dump({"encoder.0.weight": Payload()}, f, protocol=2)
    with pytest.raises(InputError, match="refused to load evil.pt"):
        load_checkpoint(path)
    zipped = tmp_path / "evil_zip.pt"
    torch.save({"state_dict": {"x": torch.zeros(1)}, "code": Payload()}, zipped)
    with pytest.raises(InputError, match="refused to load"):
        load_checkpoint(zipped)
    assert not marker.exists()


def test_mismatched_shapes_and_keys_are_named(saved, tmp_path):
    path, model, _ = saved
    wrong = ModelConfig("vae", (1, 8, 8), latent=6, hidden=32)
    meta = json.loads(path.with_suffix(".json").read_text())
    meta["model"] = wrong.as_dict()
    meta.pop("sha256")
    path.with_suffix(".json").write_text(json.dumps(meta))
    with pytest.raises(InputError, match=r"shape mismatch: to_stats.weight \(file \(8, 32\), model \(12, 32\)\)"):
        load_checkpoint(path)
    state = dict(model.state_dict())
    state.pop("decoder.0.bias")
    state["extra.weight"] = torch.zeros(2)
    pt = tmp_path / "partial.pt"
    torch.save(state, pt)
    (tmp_path / "partial.json").write_text(json.dumps({"format": "workbench-latent", "model": CONFIG.as_dict()}))
    with pytest.raises(InputError, match="missing keys: decoder.0.bias; unexpected keys: extra.weight"):
        load_checkpoint(pt)


def test_hostile_configs(saved):
    path, _, _ = saved
    cfg = path.with_suffix(".json")
    meta = json.loads(cfg.read_text())
    meta.pop("sha256")
    for model, message in [({"kind": "os.system"}, "unknown model"), ({**CONFIG.as_dict(), "latent": 10**9}, "latent must be between 2 and 128"),
                           ({**CONFIG.as_dict(), "hidden": "big"}, "must be an integer"),
                           ({**CONFIG.as_dict(), "evil": 1}, "unknown model config fields evil"),
                           ([1, 2], "must be a JSON object")]:
        cfg.write_text(json.dumps({**meta, "model": model}))
        with pytest.raises(InputError, match=message):
            load_checkpoint(path)
    cfg.write_text(json.dumps({**meta, "weights": "../../etc/passwd"}))
    with pytest.raises(InputError, match="does not name its weights"):
        load_checkpoint(cfg)


def test_nan_weights_are_refused(tmp_path):
    model = build_model(CONFIG)
    state = model.state_dict()
    state["decoder.0.weight"][0, 0] = float("nan")
    save_checkpoint(tmp_path / "nan", state, CONFIG)
    with pytest.raises(InputError, match="NaN or infinite weights in decoder.0.weight"):
        load_checkpoint(tmp_path / "nan.safetensors")


@pytest.mark.parametrize("config", [
    CONFIG,
    ModelConfig("conv-vae", (1, 8, 8), latent=3, hidden=64),
    ModelConfig("conv-vae", (3, 32, 32), latent=5, hidden=64),
    ModelConfig("cluster-vae", (1, 8, 8), latent=4, hidden=32, clusters=7),
    ModelConfig("nice", (1, 8, 8), hidden=24, layers=3),
    ModelConfig("vae", (2,), latent=2, hidden=16),
])
def test_bare_state_dicts_load_with_an_inferred_architecture(tmp_path, config):
    model = build_model(config)
    pt = tmp_path / "bare.pth"
    torch.save({"model_state_dict": model.state_dict()}, pt)
    ck = load_checkpoint(pt)
    assert ck.info.get("inferred") and ck.config.kind == config.kind
    assert ck.config.data_shape == config.data_shape and ck.model.latent_size == model.latent_size
    with pytest.raises(InputError, match="not a latent-model checkpoint"):
        infer_config({"fc.weight": torch.zeros(2, 2)}, "other.pt")
