"""Configs that ask for more than their weights hold: a latent or diffusion checkpoint's JSON, a diffusers
config.json or a training run's config.json claiming 4-7 GiB of parameters beside weights of a few
kilobytes are refused before any model is built, with a message naming the claimed and the held
parameter counts; scheduler and UNet fields are checked where they are parsed.

The ``no_real_giants`` fixture watches every parameter and buffer PyTorch registers: one of more than
:data:`GIANT` elements on a real device fails the test at registration, before its memory is touched, so
a regression fails here instead of filling memory."""
from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from torch import nn
from torch.nn.modules.module import register_module_buffer_registration_hook, register_module_parameter_registration_hook

from engines.errors import InputError
from tests.hostile.lying_configs import CLAIMS, write_diffusers, write_forged, write_latent, write_run

GIANT = 1_000_000  # elements; the honest test models have at most 41,609 parameters in all


class RealGiant(AssertionError):
    pass


@pytest.fixture
def no_real_giants():
    def check(module, name, tensor):
        if tensor is not None and tensor.device.type != "meta" and tensor.numel() > GIANT:
            raise RealGiant(f"{type(module).__name__}.{name} of {tuple(tensor.shape)} was allocated")

    handles = [register_module_parameter_registration_hook(check), register_module_buffer_registration_hook(check)]
    yield
    for handle in handles:
        handle.remove()


def _counts(message: str) -> tuple[int, int]:
    found = re.search(r"describes a model of ([\d,]+) parameters .*, but .* holds ([\d,]+);", message)
    assert found, message
    return tuple(int(g.replace(",", "")) for g in found.groups())


@pytest.mark.parametrize("kind", CLAIMS)
def test_a_huge_claim_beside_small_weights_is_refused_before_building(kind, tmp_path, no_real_giants):
    write, open_ = CLAIMS[kind]
    with pytest.raises(InputError) as info:
        open_(write(tmp_path))
    message = str(info.value)
    claimed, held = _counts(message)
    assert claimed > 10 ** 9 and held < 50_000
    assert "GiB" in message and "the model was not built" in message


def test_the_messages_name_the_config_and_the_weights(tmp_path, no_real_giants):
    messages = {}
    for kind, (write, open_) in CLAIMS.items():
        folder = tmp_path / kind.replace(" ", "_")
        folder.mkdir()
        with pytest.raises(InputError) as info:
            open_(write(folder))
        messages[kind] = str(info.value)
    assert messages["latent sidecar"].startswith("latent.json describes a model of 1,745,371,136 parameters (6.5 GiB")
    assert "but latent.safetensors holds 248;" in messages["latent sidecar"]
    assert messages["diffusers config.json"].startswith("unet/config.json describes a model of ")
    assert "but diffusion_pytorch_model.safetensors holds 41,609;" in messages["diffusers config.json"]
    assert messages["training-run config.json"].startswith("config.json describes a model of 1,076,232,202 parameters")
    assert "for 2 copies" in messages["training-run config.json"]


@pytest.mark.parametrize("kind", CLAIMS)
def test_honest_configs_still_load(kind, tmp_path, no_real_giants):
    honest = {"latent sidecar": {"kind": "vae", "data_shape": [2], "latent": 2, "hidden": 8},
              "diffusion sidecar": {"arch": "mlp", "dim": 2, "width": 16, "depth": 2, "emb": 8},
              "diffusers config.json": {},
              "training-run config.json": {"inputs": 64, "hidden": [4], "classes": 10, "activation": "relu",
                                           "batchnorm": False}}
    write, open_ = CLAIMS[kind]
    if kind == "training-run config.json":  # the run's content hash covers its config: only an edit is refused
        assert open_(write(tmp_path, honest[kind])).architecture == "digits_mlp"
    else:
        assert open_(write(tmp_path, honest[kind])) is not None


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(kind=st.sampled_from(["vae", "conv-vae", "nice", "cluster-vae"]),
       shape=st.sampled_from([[2], [1, 8, 8], [3, 64, 64], [3, 128, 128], [1, 28, 28]]),
       hidden=st.integers(8, 2048), latent=st.integers(2, 128), layers=st.integers(2, 16))
def test_no_latent_claim_but_the_true_one_builds_a_model(tmp_path_factory, no_real_giants, kind, shape, hidden,
                                                         latent, layers):
    assume((kind, shape, hidden, latent) != ("vae", [2], 8, 2))  # the weights' own architecture
    claim = {"kind": kind, "data_shape": shape, "hidden": hidden, "layers": layers}
    if kind != "nice":
        claim["latent"] = latent
    folder = tmp_path_factory.mktemp("latent")
    with pytest.raises(InputError):  # a field out of range, or shapes that differ from the 2D VAE's weights
        write_latent(folder, claim)
        from engines.latent.checkpoint import load_checkpoint
        load_checkpoint(folder / "latent.json")


@pytest.mark.parametrize("value", ["abc", 0, 1, 10 ** 10, 2.5, -5, True, None])
def test_num_train_timesteps_is_checked_where_the_scheduler_config_is_read(value, tmp_path, no_real_giants):
    from engines.diffusion.diffusers_loader import load_diffusers_folder

    folder = write_diffusers(tmp_path, unet={}, scheduler={"num_train_timesteps": value})
    if value is None:  # JSON null: diffusers' default of 1000
        assert load_diffusers_folder(folder)[0].schedule.steps == 1000
        return
    with pytest.raises(InputError, match=r"^scheduler/scheduler_config\.json: num_train_timesteps must be "):
        load_diffusers_folder(folder)


@settings(max_examples=50, deadline=None)
@given(st.one_of(st.text(max_size=8), st.integers(max_value=1), st.integers(min_value=100_001),
                 st.floats().filter(lambda v: not float(v).is_integer()), st.booleans(), st.lists(st.integers(), max_size=2)))
def test_any_bad_step_count_names_the_field_and_its_range(value):
    from engines.diffusion.diffusers_config import scheduler_settings

    with pytest.raises(InputError, match=r"^s\.json: num_train_timesteps must be (between 2 and 100000|a whole number)"):
        scheduler_settings({"num_train_timesteps": value}, "s.json")


@settings(max_examples=25, deadline=None)
@given(st.integers(2, 100_000), st.sampled_from(["linear", "scaled_linear", "squaredcos_cap_v2"]),
       st.sampled_from(["epsilon", "v_prediction", "sample"]))
def test_good_scheduler_configs_give_their_schedule(steps, kind, prediction):
    from engines.diffusion.diffusers_config import scheduler_settings

    schedule, got = scheduler_settings({"num_train_timesteps": steps, "beta_schedule": kind, "prediction_type": prediction})
    assert schedule.steps == steps and got == prediction and 0 < schedule.alphas_cumprod[-1] < 1


@pytest.mark.parametrize("field, value, expected", [
    ("beta_start", 0.9, "beta_start must be between 1e-08 and 0.5"),
    ("beta_end", "0.02", "beta_end must be between 1e-08 and 0.999"),
    ("beta_schedule", "exotic", "beta_schedule must be one of linear, scaled_linear, squaredcos_cap_v2"),
    ("prediction_type", "noise", "prediction_type must be one of epsilon, v_prediction, sample"),
])
def test_other_scheduler_fields_are_named_with_their_range(field, value, expected):
    from engines.diffusion.diffusers_config import scheduler_settings

    with pytest.raises(InputError, match=re.escape(f"s.json: {expected}")):
        scheduler_settings({field: value}, "s.json")


def test_betas_must_grow():
    from engines.diffusion.diffusers_config import scheduler_settings

    with pytest.raises(InputError, match=r"^s\.json: beta_start \(0\.1\) must not exceed beta_end \(0\.01\)$"):
        scheduler_settings({"beta_start": 0.1, "beta_end": 0.01}, "s.json")


@pytest.mark.parametrize("fields, expected", [
    ({"layers_per_block": 10 ** 6}, "layers_per_block must be between 1 and 16"),
    ({"block_out_channels": [8] * 100}, "block_out_channels must be a list of 1 to 8 entries"),
    ({"sample_size": 10 ** 6}, "sample_size must be between 1 and 1024"),
    ({"sample_size": [8, 0]}, "sample_size must be between 1 and 1024"),
    ({"in_channels": 1000}, "in_channels must be between 1 and 16"),
])
def test_unet_fields_that_size_the_model_are_checked_before_it_is_planned(fields, expected, tmp_path, monkeypatch,
                                                                            no_real_giants):
    from engines.diffusion import diffusers_loader

    monkeypatch.setattr(diffusers_loader, "planned_model", lambda build: pytest.fail("planned before the check"))
    with pytest.raises(InputError, match=re.escape(f"unet/config.json: {expected}")):
        diffusers_loader.load_diffusers_folder(write_diffusers(tmp_path, unet=fields))


def test_a_training_run_with_a_thousand_hidden_layers_is_refused(tmp_path, no_real_giants):
    from tests.hostile.lying_configs import open_run

    with pytest.raises(InputError, match="hidden lists 1000 layers; an MLP here has at most 16"):
        open_run(write_run(tmp_path, {"inputs": 64, "hidden": [4] * 1000, "classes": 10, "activation": "relu"}))


def test_the_budget_refuses_a_model_its_weights_match(monkeypatch):
    from engines import budget
    from engines.checkpoints import check_weights_fit, planned_model

    model = planned_model(lambda: nn.Linear(1000, 1000))
    shapes = {"weight": (1000, 1000), "bias": (1000,)}
    check_weights_fit(model, shapes, "c.json", "w.safetensors")  # the default budget holds 4 MB
    monkeypatch.setattr(budget, "load_budget", lambda: 1 << 20)
    with pytest.raises(InputError, match=r"^c\.json describes a model of 1,001,000 parameters \(3\.82 MiB, more than "
                                         r"the 1 MiB a model may take here\); the model was not built$"):
        check_weights_fit(model, shapes, "c.json", "w.safetensors")


def test_a_weights_file_over_the_budget_is_not_read(tmp_path, monkeypatch, no_real_giants):
    from engines import budget
    from engines.latent.checkpoint import load_checkpoint

    path = write_latent(tmp_path, {"kind": "vae", "data_shape": [2], "latent": 2, "hidden": 8})
    monkeypatch.setattr(budget, "load_budget", lambda: 1000)
    size = (tmp_path / "latent.safetensors").stat().st_size
    with pytest.raises(InputError, match=rf"^latent\.safetensors is {size / 1024:.3g} KiB, more than the 1000 bytes "
                                         r"a weights file may take here .*; it was not read$"):
        load_checkpoint(path)


def test_the_cli_says_it_in_one_line(tmp_path, capsys, no_real_giants):
    import cli

    folder = write_diffusers(tmp_path)
    assert cli.main(["run", "diffusion", "--checkpoint", str(folder), "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("workbench: error: unet/config.json describes a model of 1,237,748,737 parameters")
    assert err.count("\n") == 1


def test_only_well_formed_header_entries_count_as_shapes():
    from engines.checkpoints import header_shapes

    header = {"__metadata__": {"shape": [1]}, "a": {"shape": [2, 3]}, "b": {"shape": "big"}, "c": 5, "d": {"shape": [1.5]}}
    assert header_shapes(header) == {"a": (2, 3)}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(shape=st.lists(st.integers(0, 10 ** 6), min_size=1, max_size=3), dtype=st.sampled_from(["<f8", "<f4", "|u1", "<i8"]),
       held=st.integers(0, 64), suffix=st.sampled_from([".npy", ".npz"]))
def test_an_array_header_is_believed_only_as_far_as_the_file_holds(tmp_path_factory, shape, dtype, held, suffix):
    import numpy as np

    from engines.data.files import read_array

    path = write_forged(tmp_path_factory.mktemp("arrays") / f"a{suffix}", tuple(shape), dtype, bytes(held))
    claimed = int(np.prod(shape)) * np.dtype(dtype).itemsize
    if claimed > held:
        with pytest.raises(InputError, match=r"claims an array of shape .* but holds \d+ bytes of data "
                                             r"\(truncated or forged\); it was not read$"):
            read_array(path)
    else:
        assert read_array(path)[0].shape == tuple(shape)


def test_a_forged_array_is_refused_by_every_command_that_reads_arrays(tmp_path, capsys):
    import cli

    lie = write_forged(tmp_path / "lie.npy", (10 ** 10, 2))
    labels = write_forged(tmp_path / "labels.npy", (10 ** 10,), "<i8")
    (tmp_path / "ok.csv").write_text("".join(f"{i},{i % 3}\n" for i in range(20)), encoding="utf-8")
    expected = "lie.npy claims an array of shape (10000000000, 2) (149 GiB) but holds 32 bytes of data"
    for argv in (["run", "cluster", "--method", "kmeans", "--data", str(lie)],
                 ["train", "diffusion", "--dataset", str(lie)],
                 ["train", "latent", "--dataset", str(lie)],
                 ["train", "latent", "--dataset", str(write_forged(tmp_path / "img.npy", (4, 8, 8), "|u1", bytes(256))),
                  "--labels", str(labels)]):
        assert cli.main(argv + ["--out", str(tmp_path / "out")]) == 1
        err = capsys.readouterr().err
        assert err.startswith("workbench: error: "), err
        assert expected in err or "labels.npy claims an array of shape (10000000000,) (74.5 GiB)" in err, err


def test_an_honest_compressed_array_beyond_the_budget_is_not_read(tmp_path, monkeypatch):
    import numpy as np

    from engines import budget
    from engines.data.files import read_array

    np.savez_compressed(tmp_path / "zeros.npz", x=np.zeros(1000))
    assert read_array(tmp_path / "zeros.npz")[0].shape == (1000,)
    monkeypatch.setattr(budget, "load_budget", lambda: 4096)
    with pytest.raises(InputError, match=r"^zeros\.npz:x\.npy holds an array of shape \(1000,\) \(7\.81 KiB\), more than "
                                         r"the 4 KiB an array may take here; it was not read$"):
        read_array(tmp_path / "zeros.npz")
