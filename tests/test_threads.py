"""Threads for the work size (engines/threads.py): FLOPs counted by torch's flop counter against closed forms,
one thread per FLOPS_PER_THREAD up to the free cores, the previous setting restored, and the jobs using it."""
import pytest
import torch
from torch import nn

from engines import threads
from engines.jobs import run
from engines.threads import FLOPS_PER_THREAD, forward_flops, step_threads, threads_for, torch_threads


def test_forward_flops_are_the_closed_form_and_leave_the_random_stream_alone():
    layer = nn.Linear(30, 20)
    assert forward_flops(lambda: layer(torch.zeros(7, 30))) == 2 * 7 * 30 * 20  # one multiply-add per weight
    torch.manual_seed(5)
    expected = torch.randn(3)
    torch.manual_seed(5)
    forward_flops(lambda: torch.randn(4) @ torch.randn(4))
    assert torch.equal(torch.randn(3), expected)


def test_one_thread_per_flops_per_thread_up_to_the_cores(monkeypatch):
    assert threads_for(0, available=8) == 1
    assert threads_for(FLOPS_PER_THREAD * 0.99, available=8) == 1
    assert threads_for(FLOPS_PER_THREAD * 3.5, available=8) == 3
    assert threads_for(FLOPS_PER_THREAD * 100, available=8) == 8
    monkeypatch.setattr(threads, "cores", lambda: 16)
    assert threads_for(FLOPS_PER_THREAD * 100) == 16
    monkeypatch.setattr(threads.os, "getloadavg", lambda: (15.2, 0.0, 0.0), raising=False)
    assert threads_for(FLOPS_PER_THREAD * 100) == 16  # the machine's momentary load changes nothing


def test_the_previous_setting_comes_back_even_after_an_error():
    before = torch.get_num_threads()
    with pytest.raises(RuntimeError):
        with torch_threads(1):
            assert torch.get_num_threads() == 1
            raise RuntimeError("stop")
    assert torch.get_num_threads() == before


def test_step_threads_counts_the_step(monkeypatch):
    monkeypatch.setattr(threads, "cores", lambda: 4)
    layer = nn.Linear(1000, 1000)  # 2 MFLOP per sample
    with step_threads(lambda: layer(torch.zeros(1, 1000)), 10, "cpu") as n:  # 20 MFLOP: one thread
        assert n == 1 == torch.get_num_threads()
    with step_threads(lambda: layer(torch.zeros(1, 1000)), 3 * FLOPS_PER_THREAD / 2e6, "cpu") as n:
        assert n == 3 == torch.get_num_threads()


def test_small_diffusion_training_runs_on_one_thread_and_restores_the_setting(monkeypatch):
    from engines.diffusion.data import load_data
    from engines.diffusion.training import train_job

    monkeypatch.setattr(threads, "cores", lambda: 2)
    seen = []
    with torch_threads(2):  # torch's default on a 2-core machine
        run(train_job, load_data("moons", 0), "ddpm", 3, batch=64, preview_n=16,
            on_progress=lambda _p: seen.append(torch.get_num_threads()))
        assert seen and set(seen) == {1}
        assert torch.get_num_threads() == 2
