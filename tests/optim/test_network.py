"""Real-network mode: registries, the digits MLP, training runs on disk, and hostile checkpoints."""
from __future__ import annotations

import json
import os
import pickle
import threading

import numpy as np
import pytest
import torch
from safetensors.torch import save_file

from engines.checkpoints import read_tensors
from engines.errors import InputError
from engines.jobs import Cancelled, run
from engines.landscape import digits
from engines.landscape.formats import load_checkpoint
from engines.landscape.registry import Registry
from engines.landscape.runs import load_run, save_run
from engines.landscape.training import TrainingRun, train_run

REGISTRY = Registry()  # the digits provider alone: the registry needs none of the others
digits.register(REGISTRY)


class Exploit:
    """Unpickling this would run a shell command that creates ``marker``."""

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self):
        return os.system, (f"touch {self.marker}",)


@pytest.fixture(scope="module")
def trained() -> TrainingRun:
    spec = "sgd:lr=0.05,momentum=0.9+lookahead:k=5,alpha=0.5+weight_decay:rate=0.0001"
    return run(train_run, REGISTRY, spec, steps=40, batch_size=32, seed=3, save_every=10,
               arch_config={"hidden": [16]})


def _state(hidden=(64,)):
    return REGISTRY.build_model("digits_mlp", {"hidden": list(hidden)}).state_dict()


@pytest.mark.parametrize("container", ["raw pickle", "torch.save zip"])
def test_hostile_pickle_is_refused_without_running(tmp_path, container):
    marker = tmp_path / "pwned"
    path = tmp_path / "evil.pt"
    payload = {"0.weight": Exploit(str(marker))}
    if container == "raw pickle":
        path.write_bytes(pickle.dumps(payload, protocol=2))
    else:
        torch.save(payload, path)
    with pytest.raises(InputError, match="refused"):
        load_checkpoint(REGISTRY, path, "digits_mlp")
    assert not marker.exists()


def test_pickled_module_is_refused(tmp_path):
    path = tmp_path / "whole_model.pth"
    torch.save(REGISTRY.build_model("digits_mlp"), path)
    with pytest.raises(InputError, match="would import torch.nn.modules.container.Sequential"):
        read_tensors(path)


def test_truncated_and_foreign_files_raise_input_error(tmp_path):
    good = tmp_path / "good.safetensors"
    save_file(_state(), str(good))
    data = good.read_bytes()
    for name, content in [("half.safetensors", data[: len(data) // 2]), ("head.safetensors", data[:5]),
                          ("tail_cut.safetensors", data[:-7]), ("notes.pt", b"just some text\n"),
                          ("empty.safetensors", b""), ("zip_cut.pt", b"PK\x03\x04" + b"\0" * 40)]:
        (tmp_path / name).write_bytes(content)
        with pytest.raises(InputError):
            load_checkpoint(REGISTRY, tmp_path / name, "digits_mlp")
    with pytest.raises(InputError, match="does not exist"):
        load_checkpoint(REGISTRY, tmp_path / "vanished.pt", "digits_mlp")
    with pytest.raises(InputError, match="folder"):
        load_checkpoint(REGISTRY, tmp_path, "digits_mlp")


def test_mismatched_checkpoint_lists_the_keys(tmp_path):
    path = tmp_path / "small.safetensors"
    save_file(_state(hidden=(32,)), str(path))
    with pytest.raises(InputError, match=r"shape mismatch: 0\.weight \(file \(32, 64\), model \(64, 64\)\)"):
        load_checkpoint(REGISTRY, path, "digits_mlp")
    state = _state()
    state["extra.weight"] = state.pop("2.bias")
    torch.save(state, tmp_path / "keys.pt")
    with pytest.raises(InputError, match=r"missing keys: 2\.bias; unexpected keys: extra\.weight"):
        load_checkpoint(REGISTRY, tmp_path / "keys.pt", "digits_mlp")


def test_valid_checkpoints_load(tmp_path):
    state = _state()
    save_file(state, str(tmp_path / "m.safetensors"))
    torch.save({"epoch": 3, "state_dict": {f"module.{k}": v for k, v in state.items()}}, tmp_path / "m.pt")
    for name in ("m.safetensors", "m.pt"):
        model = load_checkpoint(REGISTRY, tmp_path / name, "digits_mlp")
        assert not model.training
        for k, v in model.state_dict().items():
            torch.testing.assert_close(v, state[k])


def test_registry_rejects_unknown_names_and_settings():
    with pytest.raises(InputError, match="unknown architecture"):
        REGISTRY.build_model("resnet9000")
    with pytest.raises(InputError, match="unknown setting 'width'"):
        REGISTRY.build_model("digits_mlp", {"width": 3})
    with pytest.raises(InputError, match="activation"):
        REGISTRY.build_model("digits_mlp", {"activation": "swish"})
    assert REGISTRY.architectures["digits_mlp"].dataset in REGISTRY.datasets


def test_digits_task_is_fixed_and_standardised():
    task = REGISTRY.load_task("digits")
    assert len(task.train) + len(task.test) == 1797 and task.train.inputs[0].shape[1] == 64
    mean = task.train.inputs[0].mean(0)
    assert mean.abs().max() < 1e-5
    again = REGISTRY.load_task("digits")
    assert torch.equal(task.test.targets, again.test.targets)


def test_training_run_records_snapshots_and_learns(trained):
    assert trained.snapshot_steps == (0, 10, 20, 30, 40)
    assert len(trained.snapshots) == 5 and trained.losses.shape == (40,)
    assert trained.train_loss[-1] < 0.5 * trained.train_loss[0]
    assert trained.test_metric[-1] > 0.8
    assert trained.optimizer.startswith("sgd:lr=0.05,momentum=0.9+lookahead")
    assert not torch.equal(trained.snapshots[0]["0.weight"], trained.snapshots[-1]["0.weight"])


def test_training_is_reproducible_streams_and_cancels():
    partials = []
    kwargs = {"steps": 12, "batch_size": 16, "seed": 1, "save_every": 6, "arch_config": {"hidden": [8]}}
    one = run(train_run, REGISTRY, "adam:lr=0.01", on_partial=partials.append, **kwargs)
    two = run(train_run, REGISTRY, "adam:lr=0.01", **kwargs)
    np.testing.assert_array_equal(one.losses, two.losses)
    assert partials and partials[-1].step == 12
    np.testing.assert_array_equal(partials[-1].losses, one.losses)
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(Cancelled):
        run(train_run, REGISTRY, "adam:lr=0.01", cancel_event=cancel, **kwargs)
    with pytest.raises(InputError, match="diverged"):
        run(train_run, REGISTRY, "sgd:lr=1e4", **kwargs)  # the largest lr the spec takes


def test_training_run_round_trip(tmp_path, trained):
    folder = save_run(trained, tmp_path / "run")
    loaded = load_run(REGISTRY, folder)
    for field in ("architecture", "arch_config", "dataset", "dataset_config", "optimizer", "steps",
                  "batch_size", "seed", "snapshot_steps"):
        assert getattr(loaded, field) == getattr(trained, field), field
    for field in ("losses", "train_loss", "test_loss", "test_metric"):
        np.testing.assert_array_equal(getattr(loaded, field), getattr(trained, field))
    for a, b in zip(loaded.snapshots, trained.snapshots):
        assert a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)
    x = trained.task(REGISTRY).test.inputs[0][:5]
    torch.testing.assert_close(loaded.model(REGISTRY)(x), trained.model(REGISTRY)(x))


def test_tampered_or_incomplete_run_is_refused(tmp_path, trained):
    folder = save_run(trained, tmp_path / "run")
    snap = folder / "snapshot_0002.safetensors"
    state = read_tensors(snap)
    state["0.weight"] = state["0.weight"] + 1
    save_file(state, str(snap))
    with pytest.raises(InputError, match="content hash"):
        load_run(REGISTRY, folder)
    snap.unlink()
    with pytest.raises(InputError, match="does not exist"):
        load_run(REGISTRY, folder)
    config = json.loads((folder / "config.json").read_text())
    config["steps"] = "forty"
    (folder / "config.json").write_text(json.dumps(config))
    with pytest.raises(InputError, match="steps"):
        load_run(REGISTRY, folder)
    with pytest.raises(InputError, match="not a saved training run"):
        load_run(REGISTRY, tmp_path)


def test_zeroth_order_trains_through_a_closure():
    trained = run(train_run, REGISTRY, "zeroth_order:lr=0.02,samples=8", steps=40, batch_size=64, save_every=40,
                  arch_config={"hidden": [8]})
    assert trained.train_loss[-1] < trained.train_loss[0] - 0.05


def test_safetensors_whose_header_length_looks_like_a_pickle_opcode(tmp_path):
    """A header of 640 bytes begins the file with 0x80 0x02, the first bytes of a protocol-2 pickle."""
    import json
    import struct

    import torch
    from safetensors.torch import save_file

    base = tmp_path / "probe.safetensors"
    save_file({"w": torch.zeros(3)}, str(base))
    header = json.loads(base.read_bytes()[8:8 + struct.unpack("<Q", base.read_bytes()[:8])[0]])
    header["__metadata__"] = {"pad": ""}
    size = len(json.dumps(header, separators=(",", ":")).encode())
    header["__metadata__"]["pad"] = "x" * (640 - size)
    save_file({"w": torch.zeros(3)}, str(base), metadata=header["__metadata__"])
    data = base.read_bytes()
    assert data[:2] == b"\x80\x02"
    assert read_tensors(base)["w"].shape == (3,)
