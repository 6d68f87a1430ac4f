"""Sizes and budgets from options (issue 11, class 7): memory is estimated before anything is allocated and
a refusal carries the estimate; chunked work equals unchunked work; samplers stay inside their NFE; worker
processes are capped at the cores; many repeated options are refused before argparse's quadratic loop."""
from __future__ import annotations

import re

import numpy as np
import pytest
import torch
from hypothesis import example, given, settings
from hypothesis import strategies as st

from cli import MAX_REPEATS, build_parser, main
from engines import budget
from engines.errors import InputError
from engines.jobs import run

GB = 10**9


@pytest.fixture
def small_machine(monkeypatch):
    """A machine with 1 GB available (so the refusals below never depend on the real one)."""
    monkeypatch.setattr(budget, "available_bytes", lambda: GB)


def test_a_refusal_names_the_work_the_estimate_and_the_memory(small_machine):
    budget.check("a small thing", int(0.4 * GB))  # fits in half of 1 GB
    with pytest.raises(InputError) as exc:
        budget.check("sampling everything", 6 * GB)
    message = str(exc.value)
    assert "sampling everything" in message and "5.59 GiB" in message and "954 MiB available" in message


@settings(max_examples=30, deadline=None)
@given(shape=st.lists(st.integers(0, 10**6), min_size=1, max_size=4), itemsize=st.sampled_from([1, 4, 8]))
def test_estimate_bytes_is_the_product_of_the_shape(shape, itemsize):
    assert budget.estimate_bytes(shape, itemsize) == int(np.prod(shape, dtype=object)) * itemsize


def test_available_memory_respects_the_address_space_limit(monkeypatch):
    import resource

    monkeypatch.setattr(resource, "getrlimit", lambda _: (budget._address_space_used() + 123 * 2**20, -1))
    assert budget.available_bytes() <= 123 * 2**20


def test_worker_processes_are_capped_at_the_cores_and_the_memory(monkeypatch):
    monkeypatch.setattr(budget, "cores", lambda: 2)
    monkeypatch.setattr(budget, "available_bytes", lambda: 100 * GB)
    assert budget.processes(64, 150 * 2**20) == 2
    assert budget.processes(1, 150 * 2**20) == 1
    monkeypatch.setattr(budget, "available_bytes", lambda: GB)
    assert budget.processes(64, 4 * GB) == 1  # never fewer than one


# ---------------------------------------------------------------- distances in blocks
@settings(max_examples=25, deadline=None)
@given(n=st.integers(3, 200), k=st.integers(1, 20), rows=st.integers(1, 50), seed=st.integers(0, 100))
@example(n=123, k=1, rows=1, seed=65)  # two neighbours tied up to float32 rounding
def test_the_knn_graph_in_blocks_equals_the_whole_matrix(n, k, rows, seed):
    from engines.cluster.graph import knn_graph

    x = np.random.default_rng(seed).normal(size=(n, 3))
    whole = knn_graph(x, k, block_bytes=4 * n * n)
    blocks = knn_graph(x, k, block_bytes=4 * n * rows)
    k = min(k, n - 1)

    def neighbour_distances(graph):  # each point's k nearest distances, exact (float64), sorted
        src, dst, _ = graph
        return np.sort(np.linalg.norm(x[src] - x[dst], axis=1).reshape(n, k), axis=1)

    # float32 distances: cdist takes another path for few rows, so two neighbours at the same distance up to
    # rounding may swap places; the distances to the chosen neighbours agree, and so do the weights of the
    # links that both graphs chose
    assert np.array_equal(whole[0], blocks[0])
    assert np.allclose(neighbour_distances(whole), neighbour_distances(blocks), atol=1e-4)
    same = whole[1] == blocks[1]
    assert same.mean() > 0.9 and np.allclose(whole[2][same], blocks[2][same], atol=1e-4)


def test_the_neighbour_vote_refuses_a_graph_that_does_not_fit_before_computing_it(small_machine, monkeypatch):
    from engines.cluster import graph
    from engines.cluster.refine import refine_labels

    monkeypatch.setattr(graph.torch, "cdist", lambda *a, **k: pytest.fail("distances computed"))
    points = np.zeros((5_000_000, 1), np.float32)  # 20 MB of points, a 5M x 11 neighbour table
    with pytest.raises(InputError, match=r"10-neighbour graph of 5,000,000 points would need about [\d.]+ [GT]iB"):
        refine_labels(points, np.zeros(len(points), np.int64), 10)


# ---------------------------------------------------------------- diffusion: memory and NFE
@pytest.fixture(scope="module")
def moons():
    from engines.diffusion.sources import mixture_source

    return mixture_source("moons", "cpu")


def test_sampling_refuses_frames_that_do_not_fit_with_the_estimate(small_machine, moons):
    from engines.diffusion.run import compare_job

    with pytest.raises(InputError) as exc:
        run(compare_job, moons, [("ddim", {}), ("heun", {})], 1000, 1_000_000)
    message = str(exc.value)
    assert "sampling 1,000,000 samples with 2 samplers at 1000 model calls each" in message
    assert re.search(r"would need about [\d.]+ [GT]iB", message) and "954 MiB available" in message


def test_samples_past_the_option_range_are_refused_before_a_model_loads(tmp_path, capsys):
    with pytest.raises(SystemExit):
        main(["run", "diffusion", "--samples", "3000000", "--out", str(tmp_path / "o")])
    assert "samples must be between 2 and 1000000, got 3000000" in capsys.readouterr().err


@settings(max_examples=25, deadline=None)
@given(name=st.sampled_from(["ddpm", "ddim", "euler", "heun", "dpmpp_2m", "euler_maruyama", "langevin", "flow_euler"]),
       nfe=st.integers(1, 40), per_level=st.integers(1, 100))
def test_every_sampler_spends_at_most_its_nfe(moons, name, nfe, per_level):
    from engines.diffusion.run import sample_one

    settings_ = {"steps_per_level": per_level} if name == "langevin" else {}
    noise = torch.randn(8, 2, generator=torch.Generator().manual_seed(0))
    x, _, _, calls = sample_one(moons.model, name, settings_, nfe, noise, 0)
    assert 1 <= calls <= nfe and torch.isfinite(x).all()


def test_langevin_with_more_steps_per_level_than_the_nfe_spends_the_nfe(moons):
    from engines.diffusion.run import sample_one

    noise = torch.randn(8, 2, generator=torch.Generator().manual_seed(0))
    assert sample_one(moons.model, "langevin", {"steps_per_level": 100}, 4, noise, 0)[3] == 4


def test_the_adaptive_solver_stops_at_its_cap_of_calls(moons, monkeypatch):
    from engines.diffusion.models import CountingDenoiser
    from engines.diffusion.samplers import make_plan, pf_ode

    monkeypatch.setattr(pf_ode, "MAX_CALLS", 12)
    counted = CountingDenoiser(moons.model)
    plan = make_plan("pf_ode", moons.model, 20, rtol=1e-8)
    with pytest.raises(InputError, match="pf_ode needed more than 12 model calls at rtol 1e-08"):
        plan.run(counted, torch.randn(8, 2))
    assert counted.calls <= 12


# ---------------------------------------------------------------- optimizer starts and repeated options
def test_a_million_starts_are_refused_with_the_estimate(small_machine, monkeypatch):
    from tasks import optimizer as task

    monkeypatch.setattr("engines.optim.trajectories.run_trajectories", lambda *a, **k: pytest.fail("it ran"))
    starts = np.random.default_rng(0).uniform(-2, 2, (1_000_000, 2))
    request = task.TrajectoriesRequest(starts=starts, steps=500, grid_n=8)
    with pytest.raises(InputError, match=r"4 optimizers from 1,000,000 starts recording 501 steps each would need "
                                         r"about 149 GiB"):
        run(task.trajectories_job, request)


def test_many_starts_fit_in_one_option_and_equal_repeated_ones():
    parser = build_parser()
    points = [(float(i), -float(i) / 2) for i in range(50)]
    one = parser.parse_args(["run", "optimizer", "--out", "o", "--start", ";".join(f"{x},{y}" for x, y in points)])
    many = parser.parse_args(["run", "optimizer", "--out", "o", *(f"--start={x},{y}" for x, y in points)])
    assert [p for group in one.start for p in group] == [p for group in many.start for p in group] == points


def test_an_option_repeated_past_the_limit_is_refused_before_parsing(capsys):
    argv = ["run", "optimizer", "--out", "o", *(f"--start={i},0" for i in range(MAX_REPEATS + 1))]
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 2
    assert f"--start is given {MAX_REPEATS + 1:,} times, at most {MAX_REPEATS:,}" in capsys.readouterr().err


def test_segment_counting_starts_no_more_processes_than_cores(tmp_path, monkeypatch):
    import concurrent.futures

    from engines.segment.counted import count_corpus

    monkeypatch.setattr(budget, "cores", lambda: 1)
    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", lambda *a, **k: pytest.fail("a process pool"))
    corpus = tmp_path / "c.txt"
    corpus.write_text("这是一个测试句子。\n我们在这里测试分词。\n", encoding="utf-8")
    counted = run(count_corpus, str(corpus), workers=64)
    assert counted.n_lines == 2 and counted.n_chars > 0


def test_training_a_latent_model_too_large_for_memory_is_refused_before_its_weights_exist(small_machine, monkeypatch):
    from engines.latent import training
    from engines.latent.config import ModelConfig, TrainConfig

    built = []
    real_build = training.build_model
    monkeypatch.setattr(training, "build_model", lambda config: built.append(torch.get_default_device()) or
                        real_build(config))
    huge = ModelConfig("conv-vae", data_shape=(3, 64, 64), hidden=2048, layers=8)  # 578 MiB to train
    with pytest.raises(InputError, match=r"training a .* of [\d,]+ parameters .* would need about [\d.]+ [MG]iB"):
        run(training.train_job, huge, TrainConfig(epochs=1))
    assert built == [torch.device("meta")]  # only laid out, never allocated
