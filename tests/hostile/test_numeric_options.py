"""Hostile numeric options (issue 11, class 6): every option and spec value is either accepted, in its
range and finite, or refused with an InputError (or argparse error) that names it - never a raw exception,
never NaN samples written."""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from cli import main
from engines.catalogue import MAX_SEED, Option, union_options
from engines.cluster import catalogue as cluster
from engines.diffusion.catalogue import SAMPLERS, parse_sampler
from engines.errors import InputError
from engines.latent.catalogue import SETTINGS as LATENT_SETTINGS
from engines.optim.catalogue import OPTIMIZERS, PARAMETERS, WRAPPERS
from engines.optim.spec import parse_spec
from engines.segment import catalogue as segment
from tasks import diffusion as diffusion_task
from tasks.optimizer import RUN_OPTIONS

NUMERIC = [o for o in (cluster.K, cluster.REFINE, cluster.NEIGHBOURS, cluster.SEED, *segment.PARAMETERS,
                       segment.MAX_LINES, segment.WORKERS, *LATENT_SETTINGS, *union_options(SAMPLERS),
                       diffusion_task.NFE, diffusion_task.SAMPLES, diffusion_task.SEED, diffusion_task.STEPS,
                       diffusion_task.BATCH_SIZE, diffusion_task.LR, *RUN_OPTIONS, *PARAMETERS.values())
           if o.kind in ("int", "float")]

# number spellings a hostile user types: odd floats, huge and negative whole numbers, text
NUMBER_TEXT = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(min_value=-2**70, max_value=2**70).map(str),
    st.sampled_from(["nan", "-nan", "inf", "-inf", "1e9", "1e-300", "1e309", "0", "-0", "2**63", "", " ", "0x10",
                     "1,5", "abc", str(2**63), str(2**64)]),
)


def _in_range(option: Option, value) -> bool:
    if value is None:
        return bool(option.none_label)
    if not math.isfinite(value):
        return False
    low = option.minimum if option.minimum is not None else -math.inf
    high = option.maximum if option.maximum is not None else math.inf
    return low <= value <= high and (option.kind != "int" or isinstance(value, int))


@settings(max_examples=50, deadline=None)
@given(option=st.sampled_from(NUMERIC), text=NUMBER_TEXT)
def test_every_numeric_option_accepts_in_range_or_refuses_by_name(option, text):
    try:
        value = option.parse(text)
    except InputError as exc:
        assert option.name in str(exc)
        return
    assert _in_range(option, value), (option.name, text, value)


@pytest.mark.parametrize("option", [o for o in NUMERIC if o.name == "seed"], ids=lambda o: o.label)
def test_seeds_past_the_generators_range_are_refused(option):
    assert option.parse(str(MAX_SEED)) == MAX_SEED
    for text in ("-1", str(2**63), str(2**64), "nan"):
        with pytest.raises(InputError, match="seed"):
            option.parse(text)


# ---------------------------------------------------------------- optimizer specs
def _value_text(draw_numbers: list[float]) -> str:
    return "/".join(repr(v) for v in draw_numbers)


@st.composite
def optimizer_specs(draw):
    entry = draw(st.sampled_from(list(OPTIMIZERS)))
    key = draw(st.sampled_from(sorted(entry.defaults())))
    numbers = draw(st.lists(st.floats(allow_nan=True, allow_infinity=True, width=32), min_size=1, max_size=3))
    return entry, key, numbers, f"{entry.name}:{key}={_value_text(numbers)}"


@settings(max_examples=50, deadline=None)
@given(optimizer_specs())
def test_optimizer_spec_values_are_in_range_or_refused_by_name(case):
    entry, key, numbers, text = case
    try:
        spec = parse_spec(text)
    except InputError as exc:
        assert key in str(exc), (text, str(exc))
        return
    value, default = spec.hyper[key], entry.defaults()[key]
    values = value if isinstance(value, tuple) else (value,)
    assert len(values) == (len(default) if isinstance(default, tuple) else 1)
    assert all(_in_range(entry.parameter(key), v) for v in values), (text, value)


@st.composite
def wrapper_specs(draw):
    wrapper = draw(st.sampled_from([w for w in WRAPPERS if w.defaults() or w.step_keys]))
    key = str(draw(st.integers(0, 5000))) if wrapper.step_keys else draw(st.sampled_from(sorted(wrapper.defaults())))
    number = draw(st.floats(allow_nan=True, allow_infinity=True))
    return wrapper, key, f"sgd+{wrapper.name}:{key}={number!r}"


@settings(max_examples=40, deadline=None)
@given(wrapper_specs())
def test_wrapper_values_are_in_range_or_refused_by_name(case):
    wrapper, key, text = case
    try:
        spec = parse_spec(text)
    except InputError as exc:
        assert wrapper.name in str(exc), (text, str(exc))
        return
    value = spec.wrappers[0].params[key]
    assert _in_range(PARAMETERS["factor" if wrapper.step_keys else key], value), (text, value)


@pytest.mark.parametrize("text, needle", [
    ("adam:lr=nan", "adam lr must be between 0 and"),
    ("adam:lr=-1", "adam lr must be between 0 and"),
    ("adam:betas=1.5/0.999", "adam betas must be between 0 and"),
    ("adam:betas=0.9", "adam betas takes 2 numbers"),
    ("adam:betas=0.9/0.99/0.5", "adam betas takes 2 numbers"),
    ("sgd:lr=0.1/0.2", "sgd lr takes one number"),
    ("adam:amsgrad=0.5", "adam amsgrad must be a whole number"),
    ("zeroth_order:eps=0", "zeroth_order eps must be between 1e-08 and 10"),
    ("zeroth_order:samples=1e9", "zeroth_order samples must be between 1 and 10000"),
    ("sgd+warmup:steps=-5", "warmup steps must be between 1 and"),
    ("sgd+piecewise_lr:10=nan", "piecewise_lr factor must be between 0 and"),
])
def test_the_reported_optimizer_specs_are_refused_by_name(text, needle):
    with pytest.raises(InputError, match=needle):
        parse_spec(text)


# ---------------------------------------------------------------- sampler specs: accepted means finite samples
SAMPLER_VALUE = st.one_of(st.floats(allow_nan=True, allow_infinity=True, width=32), st.integers(-5, 300))


@st.composite
def sampler_specs(draw):
    sampler = draw(st.sampled_from([s for s in SAMPLERS if s.options and s.name != "pf_ode"]))
    numeric = [o for o in sampler.options if o.kind in ("int", "float")]
    chosen = draw(st.lists(st.sampled_from(numeric), min_size=1, max_size=len(numeric), unique=True)) if numeric else []
    items = [f"{o.name}={draw(SAMPLER_VALUE)!r}" for o in chosen]
    return f"{sampler.name}:{','.join(items)}"


@pytest.fixture(scope="module")
def moons():
    from engines.diffusion.sources import mixture_source

    return mixture_source("moons", "cpu")


@settings(max_examples=30, deadline=None)
@given(text=sampler_specs(), nfe=st.integers(1, 12))
def test_accepted_sampler_settings_give_finite_samples_within_the_nfe(moons, text, nfe):
    from engines.diffusion.run import sample_one

    try:
        name, sampler_settings = parse_sampler(text)
        noise = torch.randn(16, 2, generator=torch.Generator().manual_seed(0))
        x, _, _, calls = sample_one(moons.model, name, sampler_settings, nfe, noise, 0)
    except InputError as exc:
        assert any(part.partition("=")[0] in str(exc) for part in text.partition(":")[2].split(",")), (text, str(exc))
        return
    assert torch.isfinite(x).all(), text
    assert calls <= nfe, (text, calls, nfe)


# ---------------------------------------------------------------- the command line
ARGPARSE_REFUSALS = [
    (["run", "segment", "--corpus", "x.txt", "--max-lines", "-5"], "--max-lines", "max_lines must be at least 1"),
    (["run", "cluster", "--neighbours", "0"], "--neighbours", "neighbours must be between 2 and 500"),
    (["run", "cluster", "--refine", "-1"], "--refine", "refine must be between 0 and 100"),
    (["run", "cluster", "--markov-time", "nan"], "--markov-time", "markov_time must be auto or a positive"),
    (["run", "cluster", "--seed", str(2**63)], "--seed", "seed must be between 0 and"),
    (["run", "optimizer", "--seed", str(2**63)], "--seed", "seed must be between 0 and"),
    (["run", "diffusion", "--seed", str(2**63)], "--seed", "seed must be between 0 and"),
    (["run", "diffusion", "--samples", "1e9"], "--samples", "samples must be between 2 and 1000000"),
    (["run", "diffusion", "--nfe", "0"], "--nfe", "nfe must be between 1 and 1000"),
    (["train", "latent", "--epochs", "0"], "--epochs", "epochs must be between 1 and"),
    (["train", "diffusion", "--dataset", "moons", "--batch-size", "0"], "--batch-size", "batch_size must be between 1 and"),
    (["train", "diffusion", "--dataset", "moons", "--lr", "-1"], "--lr", "lr must be between"),
    (["train", "diffusion", "--dataset", "moons", "--lr", "nan"], "--lr", "lr must be between"),
    (["train", "diffusion", "--dataset", "moons", "--seed", "-1"], "--seed", "seed must be between 0 and"),
]


@pytest.mark.parametrize("argv, flag, needle", ARGPARSE_REFUSALS, ids=lambda v: " ".join(v) if isinstance(v, list) else None)
def test_the_reported_options_are_refused_by_argparse_naming_them(tmp_path, capsys, argv, flag, needle):
    with pytest.raises(SystemExit) as exit_:
        main([*argv, "--out", str(tmp_path / "o")])
    assert exit_.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()[-1]
    assert f"argument {flag}: {needle}" in err, err


def _one_line_error(capsys) -> str:
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("workbench: error: "), err
    assert not any(f"{name}Error:" in err[0] for name in ("Index", "Value", "Runtime", "Type", "Overflow")), err
    return err[0]


@pytest.mark.parametrize("text, needle", [
    ("adam:lr=-1", "adam lr must be between 0 and"),
    ("adam:betas=0.9", "adam betas takes 2 numbers"),
    ("adam:betas=0.9/0.99/0.5", "adam betas takes 2 numbers"),
    ("zeroth_order:samples=1e9", "zeroth_order samples must be between"),
])
def test_optimizer_specs_are_refused_on_one_line_before_anything_runs(tmp_path, capsys, text, needle):
    out = tmp_path / "o"
    assert main(["run", "optimizer", "--optimizer", text, "--steps", "3", "--out", str(out)]) == 1
    assert needle in _one_line_error(capsys)
    assert not (out / "trajectories.csv").exists()


@pytest.mark.parametrize("array, needle", [
    (np.zeros((0, 5)), "holds no values"),
    (np.zeros((5, 0)), "holds no values"),
])
def test_empty_cluster_data_is_refused_naming_the_file(tmp_path, capsys, array, needle):
    path = tmp_path / "points.npy"
    np.save(path, array)
    assert main(["run", "cluster", "--data", str(path), "--out", str(tmp_path / "o")]) == 1
    assert f"points.npy: {needle}" in _one_line_error(capsys)


def test_one_column_data_clusters_and_draws(tmp_path, capsys):
    path = tmp_path / "line.csv"
    np.savetxt(path, np.r_[np.zeros(20), np.ones(20) * 5][:, None] + np.linspace(0, 0.1, 40)[:, None], delimiter=",")
    out = tmp_path / "o"
    assert main(["run", "cluster", "--data", str(path), "--k", "2", "--out", str(out)]) == 0
    rows = (out / "assignments.csv").read_text().splitlines()[1:]
    clusters = [int(r.split(",")[1]) for r in rows]
    assert len(set(clusters[:20])) == 1 and len(set(clusters[20:])) == 1 and clusters[0] != clusters[-1]


def test_tsne_refuses_fewer_points_than_its_perplexity():
    from engines.cluster.embed import tsne

    with pytest.raises(InputError, match="t-SNE needs more points than its perplexity"):
        tsne(np.random.default_rng(0).normal(size=(3, 4)), steps=1)


def test_the_optimizer_form_says_an_out_of_range_value_and_keeps_the_last_good_line(qtbot):
    from workbench.panels.optimizer.config_list import ConfigList

    configs = ConfigList()
    qtbot.addWidget(configs)
    configs.set_specs(["adam:lr=0.05"], emit=False)
    lr = configs.hyper._editors["lr"]
    lr.setText("-1")
    lr.editingFinished.emit()
    assert configs.specs() == ["adam:lr=0.05"]
    assert "adam lr must be between 0 and" in configs.error.text() and not configs.error.isHidden()
    lr.setText("0.2")
    lr.editingFinished.emit()
    assert configs.specs() == ["adam:lr=0.2"] and configs.error.isHidden()
