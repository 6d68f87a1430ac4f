"""The latent catalogue: torch-free facts that the engine validates with, and that the command's options
and help and the panel's train form are generated from."""
import subprocess
import sys

import pytest

from engines.errors import InputError
from engines.latent.catalogue import DATASETS, DISTANCES, INTERPOLATIONS, MODELS, SETTINGS
from engines.latent.config import ModelConfig, TrainConfig


def test_importing_the_catalogue_loads_no_torch():
    code = "import sys, engines.latent.catalogue, tasks.latent; print('torch' in sys.modules, 'sklearn' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False False"


def test_datasets_are_the_digits_and_every_toy_set():
    from engines.data.toy2d import TOY_SETS

    assert DATASETS.names == ("digits", *TOY_SETS)
    assert [d.points for d in DATASETS] == [False] + [True] * len(TOY_SETS)


def test_every_kind_builds_with_its_defaults():
    from engines.latent.models import LatentModel, build_model

    for kind in MODELS:
        d = kind.defaults()
        model = build_model(ModelConfig(kind.name, **{k: v for k, v in d.items() if k in ModelConfig.__dataclass_fields__}))
        assert isinstance(model, LatentModel) and type(model).__name__ == kind.model.split(":")[1]
        assert model.config.hidden == d["hidden"] and model.config.is_flow == (kind.name == "nice")
        assert model.config.has_clusters == (kind.name == "cluster-vae")
        TrainConfig(epochs=d["epochs"], lr=d["lr"], batch_size=d["batch_size"], seed=d["seed"]).validated()
    assert MODELS["nice"].defaults()["epochs"] == 60 and MODELS["vae"].defaults()["epochs"] == 100


@pytest.mark.parametrize("field, option", [("latent", "latent"), ("hidden", "hidden"), ("layers", "layers"),
                                           ("clusters", "clusters")])
def test_the_engine_validates_with_the_catalogue_ranges(field, option):
    o = next(s for s in SETTINGS if s.name == option)
    kind = "nice" if field == "layers" else "cluster-vae"
    ModelConfig(kind, **{field: int(o.maximum)}).validated()
    with pytest.raises(InputError, match=f"between {o.minimum:g} and {o.maximum:g}"):
        ModelConfig(kind, **{field: int(o.maximum) + 1}).validated()


def test_path_modes_and_distances_refuse_unknown_names():
    from engines.latent.interpolation import path

    assert INTERPOLATIONS.names == ("lerp", "slerp") and DISTANCES.names == ("pixel", "feature")
    with pytest.raises(InputError, match="unknown interpolation 'arc'; choose one of lerp, slerp"):
        path([0, 1], [1, 0], 3, "arc")


def test_train_command_options_come_from_the_catalogue(capsys):
    from cli import main

    with pytest.raises(SystemExit):
        main(["train", "latent", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "--model {vae,conv-vae,nice,cluster-vae,fvae,gumbel-vae,text-vae}" in text
    assert ("(default per model: vae 100, conv-vae 60, nice 60, cluster-vae 100, fvae 100, gumbel-vae 100, "
            "text-vae 10; between 1 and 100000)") in text
    assert "coupling layers of the flow (NICE; the f-VAE's decoder); nice, fvae only (default 4; between 2 and 16)" in text
    assert "gumbel-vae only (default 10; between 2 and 64)" in text
    with pytest.raises(SystemExit):
        main(["train", "latent", "--latent", "200", "--out", "x"])
    assert "latent must be between 2 and 128, got 200" in capsys.readouterr().err


def test_a_setting_the_model_does_not_take_is_refused(tmp_path, capsys):
    from cli import main

    assert main(["train", "latent", "--model", "vae", "--layers", "3", "--out", str(tmp_path / "m")]) == 1
    assert "vae has no setting layers" in capsys.readouterr().err
    assert not (tmp_path / "m.safetensors").exists()
