"""Checkpoints: save/load round trip, weights-only .pt, and hostile or broken files refused with a message."""
import json
import pickle

import pytest
import torch

from engines.diffusion.checkpoint import load, save
from engines.diffusion.networks import ConvDenoiser, MLPDenoiser
from engines.errors import InputError


@pytest.fixture
def saved(tmp_path):
    torch.manual_seed(0)
    net = MLPDenoiser(dim=2, width=32, depth=2, emb=16)
    body = save(tmp_path / "m.safetensors", net, "ddpm", prediction="v", schedule="cosine", shape=(2,),
                extra={"dataset": "moons"})
    return tmp_path / "m.safetensors", net, body


def test_round_trip(saved, tmp_path):
    path, net, body = saved
    model, loaded_body, digest = load(path)
    assert digest == body["sha256"] and loaded_body["prediction"] == "v"
    assert model.prediction == "v" and model.schedule.name == "cosine"
    x = torch.randn(8, 2)
    with torch.no_grad():
        assert torch.equal(model.net(x, 5.0), net(x, 5.0))
    assert load(path.with_suffix(".json"))[2] == digest  # opening the JSON works too


@pytest.mark.parametrize("objective", ["edm", "flow"])
def test_objectives_and_conv(tmp_path, objective):
    net = ConvDenoiser(channels=1)
    save(tmp_path / "c", net, objective, shape=(1, 8, 8))
    model, body, _ = load(tmp_path / "c.safetensors")
    assert model.kind == objective and model.shape == (1, 8, 8)
    with torch.no_grad():
        assert model(torch.randn(3, 1, 8, 8), 1.0, 0.5).shape == (3, 1, 8, 8)


def test_weights_only_pt_is_inferred(tmp_path):
    net = MLPDenoiser(dim=2, width=48, depth=4, emb=32)
    torch.save({"state_dict": net.state_dict()}, tmp_path / "bare.pt")
    model, body, _ = load(tmp_path / "bare.pt")
    assert body["inferred"] and body["network"] == {"arch": "mlp", "dim": 2, "width": 48, "depth": 4, "emb": 32}


class Evil:
    def __reduce__(self):
        return (print, ("pwned",))


def test_pickle_payload_refused(tmp_path):
    path = tmp_path / "evil.pt"
    torch.save({"inp.weight": torch.zeros(2, 2), "x": Evil()}, path)
    with pytest.raises(InputError, match="refused"):
        load(path)
    path2 = tmp_path / "evil2.pt"
    path2.write_bytes(pickle.dumps(Evil()))
    with pytest.raises(InputError):
        load(path2)


def test_broken_files(saved, tmp_path):
    path, _, _ = saved
    data = path.read_bytes()
    truncated = tmp_path / "t.safetensors"
    truncated.write_bytes(data[: len(data) // 2])
    with pytest.raises(InputError):
        load(truncated)
    garbage = tmp_path / "g.safetensors"
    garbage.write_bytes(b"not a checkpoint at all")
    with pytest.raises(InputError):
        load(garbage)
    with pytest.raises(InputError, match="does not exist"):
        load(tmp_path / "missing.safetensors")
    with pytest.raises(InputError, match="folder|diffusers"):
        load(tmp_path)


def test_tampered_weights_and_configs(saved, tmp_path):
    path, net, _ = saved
    other = MLPDenoiser(dim=2, width=32, depth=2, emb=16)
    save(tmp_path / "other", other, "ddpm")
    path.write_bytes((tmp_path / "other.safetensors").read_bytes())  # replaced behind the JSON's back
    with pytest.raises(InputError, match="sha256"):
        load(path)
    cfg = path.with_suffix(".json")
    body = json.loads(cfg.read_text())
    body.pop("sha256")
    body["network"]["width"] = 64  # shapes no longer fit
    cfg.write_text(json.dumps(body))
    with pytest.raises(InputError, match="shape mismatch"):
        load(path)
    body["network"]["width"] = 10 ** 9  # would allocate gigabytes
    cfg.write_text(json.dumps(body))
    with pytest.raises(InputError, match="out of range"):
        load(path)
    body["network"] = {"arch": "transformer"}
    cfg.write_text(json.dumps(body))
    with pytest.raises(InputError, match="architecture"):
        load(path)
    cfg.write_text("{not json")
    with pytest.raises(InputError, match="JSON"):
        load(path)


def test_non_finite_weights(tmp_path):
    net = MLPDenoiser(dim=2, width=16, depth=1, emb=8)
    with torch.no_grad():
        net.out.weight[0, 0] = float("nan")
    save(tmp_path / "nan", net, "ddpm")
    with pytest.raises(InputError, match="NaN"):
        load(tmp_path / "nan.safetensors")


def test_bundled_checkpoints_load_and_are_small():
    import resources

    for name in ("diffusion_moons.safetensors", "diffusion_digits.safetensors"):
        path = resources.path("checkpoints", name)
        if not path.exists():
            pytest.skip(f"{name} not built yet")
        assert path.stat().st_size < 1_000_000
        model, body, _ = load(path)
        assert body["format"] == "workbench-diffusion"
