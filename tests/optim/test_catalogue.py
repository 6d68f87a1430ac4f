"""The optimizer engine's catalogue: torch-free facts, each entry naming an implementation that exists and
agrees with it, and surface parameters checked against their ranges."""
import inspect
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from engines.errors import InputError
from engines.catalogue import load
from engines.optim.catalogue import OPTIMIZERS, SURFACES, WRAPPERS
from engines.optim.optimizers import Stepper, build_optimizer
from engines.optim.spec import OptimizerSpec, WrapperSpec
from engines.optim.surfaces import Surface, get_surface

ROOT = Path(__file__).resolve().parents[2]


def test_catalogue_and_spec_parsing_load_no_torch():
    code = ("import sys; from engines.optim.catalogue import OPTIMIZERS; from engines.optim.spec import parse_spec, "
            "format_spec; s = parse_spec('adam:lr=0.1+lookahead:k=3@a'); assert format_spec(s) == "
            "'adam:lr=0.1+lookahead:k=3@a'; import tasks.optimizer, tasks.landscape, cli.run_optimizer; "
            "print('torch' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize("name", OPTIMIZERS.names)
def test_each_optimizer_names_a_stepper_taking_its_hyperparameters(name):
    entry = OPTIMIZERS[name]
    cls = load(entry.stepper)
    assert issubclass(cls, Stepper) and entry.label and entry.description and entry.citation
    accepted = inspect.signature(cls.__init__).parameters
    takes_any = any(p.kind is p.VAR_KEYWORD for p in accepted.values())
    assert takes_any or set(entry.hyper) | set(entry.fixed) <= set(accepted), name
    assert not set(entry.hyper) & set(entry.fixed)
    build_optimizer(OptimizerSpec(name), [torch.zeros(3, 2)], 1)  # the defaults build


@pytest.mark.parametrize("name", WRAPPERS.names)
def test_each_wrapper_names_a_factory_taking_its_parameters(name):
    entry = WRAPPERS[name]
    factory = load(entry.factory)
    assert callable(factory) and entry.label and entry.description
    params = {"10": 1.0} if entry.step_keys else {}
    spec = OptimizerSpec("sgd", {}, (WrapperSpec(name, params),))
    assert isinstance(build_optimizer(spec, [torch.zeros(3, 2)], 1), Stepper)
    if not entry.step_keys:
        assert set(entry.params) <= set(inspect.signature(factory).parameters)


@pytest.mark.parametrize("name", SURFACES.names)
def test_each_surface_builds_with_its_catalogue_defaults(name):
    entry = SURFACES[name]
    surface = get_surface(name)
    assert isinstance(surface, Surface) and surface.name == name and entry.description
    assert surface.params == entry.defaults()


def test_surface_parameters_are_checked_against_their_ranges():
    assert get_surface("quadratic", kappa=1).hessian_eigenvalues == pytest.approx((1.0, 1.0))
    with pytest.raises(InputError, match="quadratic kappa must be between 1 and 1e\\+06, got 0.5"):
        get_surface("quadratic", kappa=0.5)
    with pytest.raises(InputError, match="quadratic scale must be positive"):
        get_surface("quadratic", scale=0)
    with pytest.raises(InputError, match="does not take parameters \\['b'\\]; it takes A"):
        get_surface("rastrigin", b=1)
