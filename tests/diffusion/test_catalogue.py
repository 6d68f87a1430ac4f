"""The diffusion catalogue: torch-free, every sampler's function and settings real, values validated where
parsed, the mixtures and training sets it lists the ones the engine builds."""
import inspect
import subprocess
import sys

import numpy as np
import pytest

from engines.diffusion.catalogue import MIXTURES, OBJECTIVES, SAMPLERS, TRAINING_SETS, parse_sampler
from engines.diffusion.mixture import named_mixture
from engines.diffusion.samplers import make_plan, sampler_function
from engines.errors import InputError

# a value other than the default for every sampler option (a setting nothing reads would go unnoticed)
OTHER = {"sigma_min": 0.01, "sigma_max": 10.0, "rho": 5.0, "eta": 0.5, "spacing": "leading", "steps_per_level": 3,
         "step": 0.25, "rtol": 1e-3}
CONTRACT = ("model", "noise", "sigmas", "record", "generator")
RESUMING = {"previous"}  # a multistep solver's history when a run is resumed (engines.diffusion.branch)


def test_importing_the_catalogue_loads_no_torch():
    code = "import sys, engines.diffusion.catalogue; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize("name", SAMPLERS.names)
def test_every_sampler_function_takes_only_catalogued_settings(name):
    entry = SAMPLERS[name]
    parameters = list(inspect.signature(sampler_function(entry)).parameters)
    assert parameters[:5] == list(CONTRACT)
    assert set(parameters[5:]) - RESUMING <= {o.name for o in entry.options}, "a setting the catalogue does not list"
    assert entry.label and entry.description and entry.citation.split(":")[0][-4:].isdigit()


@pytest.mark.parametrize("name", [n for n in SAMPLERS.names if SAMPLERS[n].options])
def test_every_sampler_option_changes_the_plan(name):
    mixture = named_mixture("eight_gaussians")
    base = make_plan(name, mixture, 12)
    for option in SAMPLERS[name].options:
        other = make_plan(name, mixture, 12, **{option.name: OTHER[option.name]})
        changed = not np.array_equal(other.sigmas, base.sigmas) or other.options != base.options
        assert changed, f"{name} ignores its setting {option.name}"


@pytest.mark.parametrize("text, needle", [
    ("ddim:eta=2", "ddim eta must be between 0 and 1, got 2"),
    ("ddim:spacing=odd", "one of trailing, leading, linspace"),
    ("langevin:steps_per_level=2.5", "steps_per_level must be between 1 and 100, got .2.5."),
    ("heun:rho=x", "heun rho must be between 0.5 and 20"),
    ("ddim:eta", "KEY=VALUE"),
    ("euler:eta=0.1", "euler has no setting eta; it takes sigma_min, sigma_max, rho"),
    ("warp", "unknown sampler 'warp'"),
])
def test_settings_are_validated_where_parsed(text, needle):
    with pytest.raises(InputError, match=needle.replace("(", r"\(")):
        parse_sampler(text)


def test_parsed_settings_keep_their_types():
    assert parse_sampler("langevin:steps_per_level=3,step=0.2") == ("langevin", {"steps_per_level": 3, "step": 0.2})
    assert parse_sampler("heun") == ("heun", {})


@pytest.mark.parametrize("name", [m.name for m in MIXTURES if m.ring])
def test_ring_mixtures_are_what_they_say(name):
    entry = MIXTURES[name]
    mix = named_mixture(name)
    assert mix.means.shape == (entry.ring, 2)
    assert np.allclose(mix.means.norm(dim=1).numpy(), 2.0) and str(entry.ring) in entry.description


def test_unknown_mixture_names_the_catalogue():
    with pytest.raises(InputError, match="unknown mixture 'nope'; choose one of " + ", ".join(MIXTURES.names)):
        named_mixture("nope")


@pytest.mark.parametrize("name", TRAINING_SETS.names)
def test_every_training_set_loads_as_its_kind(name):
    from engines.diffusion.data import load_data

    data = load_data(name)
    assert data.kind == TRAINING_SETS[name].kind and len(data.train) > len(data.heldout) > 0


def test_objectives_preview_with_a_known_sampler():
    assert OBJECTIVES.names == ("ddpm", "edm", "flow")
    assert all(o.preview in SAMPLERS for o in OBJECTIVES)
    assert {o.name for o in OBJECTIVES["ddpm"].options} == {"prediction", "schedule"}


def test_the_panel_cites_every_sampler_and_objective_once():
    from workbench.panels.diffusion import INFO

    urls = [url for _, url in INFO.ideas]
    assert len(urls) == len(set(urls))
    assert {e.url for e in (*SAMPLERS, *OBJECTIVES)} <= set(urls)


def test_samplers_share_a_setting_only_as_one_option():
    """The panel shows one field per setting name for every checked sampler: same name, same option."""
    by_name = {}
    for sampler in SAMPLERS:
        for option in sampler.options:
            assert by_name.setdefault(option.name, option) == option, f"{sampler.name} redefines {option.name}"
