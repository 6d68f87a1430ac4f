"""Cancel: a cancelled job never delivers again, a job process is stopped at once, and every long loop checks
for cancellation at the granularity it promises (counted with a reporter that counts its checks).
Latencies are measured by tests/benchmarks/bench_cancel.py, not here."""
import math
import os
import threading

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from engines.jobs import Cancelled, Reporter
from tasks.runner import execute, execute_in_process


class CountingReporter(Reporter):
    """A job's reporter that counts its checks, cancels itself at check number ``cancel_at`` (never if None)
    and records every report delivered after that."""

    def __init__(self, cancel_at: int | None = None) -> None:
        super().__init__(self._delivered, self._delivered)
        self.cancel_at = cancel_at
        self.checks = 0
        self.late: list = []

    def _delivered(self, payload) -> None:
        if self.cancelled:
            self.late.append(payload)

    def check(self) -> None:
        self.checks += 1
        if self.checks == self.cancel_at:
            self.cancel()
        super().check()


def streaming_job(reporter, n: int = 10_000):
    for i in range(n):
        reporter.progress(i / n, f"step {i}")
        reporter.partial(i)
    return n


def pid_then_spin_job(reporter):
    """A job that reports its process id, then computes without ever checking (a library call)."""
    reporter.partial(os.getpid())
    while True:
        pass


def pid_then_stream_job(reporter):
    reporter.partial(os.getpid())
    while True:
        reporter.partial(0)


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 200))
def test_a_thread_job_cancelled_during_a_delivery_delivers_nothing_more(after):
    cancel = threading.Event()
    seen, late = [], []

    def deliver(payload):
        (late if cancel.is_set() else seen).append(payload)
        if len(seen) == after:
            cancel.set()

    outcome = execute(streaming_job, (), {}, deliver, deliver, cancel)
    assert outcome.kind == "cancelled" and len(seen) == after and late == []


@pytest.mark.parametrize("job", [pid_then_spin_job, pid_then_stream_job])
def test_a_process_job_is_terminated_at_once_and_delivers_nothing_after_cancel(job):
    cancel = threading.Event()
    pids, late = [], []

    def deliver(payload):
        if cancel.is_set():
            late.append(payload)
        elif not pids:
            pids.append(payload)
            cancel.set()

    outcome = execute_in_process(job, on_partial=deliver, cancel_event=cancel)
    assert outcome.kind == "cancelled" and late == []
    with pytest.raises(ProcessLookupError):  # terminated and reaped: no process left computing
        os.kill(pids[0], 0)


@settings(max_examples=15, deadline=None)
@given(st.integers(1, 60))
def test_a_sampler_makes_no_model_call_after_cancel(cancel_at):
    from engines.diffusion.models import CountingDenoiser
    from engines.diffusion.run import compare_job
    from tasks.diffusion import open_source

    source = open_source("mixture:eight_gaussians")
    spy = CountingDenoiser(source.model)  # counts the real model's calls
    source.model = spy
    reporter = CountingReporter(cancel_at)
    calls_at_cancel = []
    reporter.cancel = lambda: (calls_at_cancel.append(spy.calls), Reporter.cancel(reporter))
    try:
        compare_job(reporter, source, [("ddim", {}), ("heun", {})], nfe=10, n=64, with_field=False)
    except Cancelled:
        assert spy.calls == calls_at_cancel[0]
    else:
        assert reporter.checks < cancel_at  # the job ended before the check that would have cancelled it
    assert reporter.late == []


@pytest.mark.parametrize("rows, dims", [(20_000, 2), (3000, 64), (5, 2)])
def test_a_checked_model_call_on_the_cpu_checks_per_slice_and_computes_the_same(rows, dims):
    from engines.diffusion.models import CHECK_ELEMENTS, CountingDenoiser

    class Double:
        shape, sigma_min, sigma_max, kind, schedule, device = (dims,), 0.01, 80.0, "points", None, "cpu"

        def __call__(self, x, a, b):
            return 2 * x * a + b

    reporter = CountingReporter()
    model = CountingDenoiser(Double(), reporter.check)
    x = torch.randn(rows, dims)
    out = model(x, 0.5, 0.25)
    assert model.calls == 1 and reporter.checks == math.ceil(rows * dims / CHECK_ELEMENTS)
    torch.testing.assert_close(out, 2 * x * 0.5 + 0.25)


def test_t_sne_checks_every_step():
    from engines.cluster.embed import tsne

    reporter = CountingReporter()
    tsne(np.random.default_rng(0).normal(size=(40, 5)), steps=30, reporter=reporter)
    assert reporter.checks >= 30


def spying(mp, owner, name: str, reporter: CountingReporter) -> list[int]:
    """Patch ``owner.name`` to record the reporter's check count at each call."""
    seen, real = [], getattr(owner, name)
    mp.setattr(owner, name, lambda *a, **k: (seen.append(reporter.checks), real(*a, **k))[1])
    return seen


def test_k_means_checks_before_every_lloyd_step():
    from engines.cluster import mixture

    reporter = CountingReporter()
    with pytest.MonkeyPatch.context() as mp:
        seen = spying(mp, mixture.torch, "cdist", reporter)  # one per Lloyd step, one per restart's final labels
        mixture.kmeans(np.random.default_rng(1).normal(size=(200, 2)), 4, restarts=5, reporter=reporter)
    unchecked = sum(b == a for a, b in zip(seen, seen[1:]))
    assert len(seen) > 10 and unchecked <= 5  # only the final labels of each restart follow a step unchecked


def test_gmm_checks_before_every_em_step():
    from engines.cluster import mixture

    reporter = CountingReporter()
    with pytest.MonkeyPatch.context() as mp:
        seen = spying(mp, mixture.torch.linalg, "cholesky", reporter)  # one per EM step
        mixture.gmm(np.random.default_rng(1).normal(size=(200, 2)), 4, reporter=reporter)
    assert len(seen) > 3 and all(b > a for a, b in zip(seen, seen[1:]))


@settings(max_examples=15, deadline=None)
@given(st.integers(1, 400))
def test_clustering_on_t_sne_stops_at_any_check(cancel_at):
    from tasks.clustering import PointsRequest, cluster_points_job

    points = np.random.default_rng(2).normal(size=(60, 4))
    from tasks.clustering import Vectors, points_from_vectors

    reporter = CountingReporter(cancel_at)
    with pytest.raises(Cancelled):
        cluster_points_job(reporter, points_from_vectors(Vectors("blobs", points)), PointsRequest("kmeans", 3, "tsne"),
                           "cpu")
    assert reporter.checks == cancel_at and reporter.late == []


def test_counting_a_chunk_checks_before_each_order():
    from engines.segment.counting import count_units

    reporter = CountingReporter()
    table = count_units(np.arange(1, 50), 4, check=reporter.check)
    assert reporter.checks == 4 and len(table.codes) == 4


@settings(max_examples=20, deadline=None)
@given(st.integers(1, 40))
def test_segmentation_stops_at_any_check_and_delivers_nothing_after(tmp_path_factory, cancel_at):
    from tasks.segmentation import SegmentRequest, discover_job

    corpus = tmp_path_factory.mktemp("corpus") / "small.txt"
    corpus.write_text("我们十分高兴。中国人民热爱和平。\n" * 60, encoding="utf-8")
    reporter = CountingReporter(cancel_at)
    try:
        discover_job(reporter, SegmentRequest(str(corpus), device="cpu"))
    except Cancelled:
        assert reporter.checks >= cancel_at  # pool threads check too
    else:
        assert reporter.checks < cancel_at
    assert reporter.late == []


def test_training_loops_check_every_step():
    from engines.diffusion.data import load_data
    from engines.diffusion.training import train_job

    reporter = CountingReporter()
    train_job(reporter, load_data("moons"), steps=25, batch=32, preview_every=25, preview_n=16)
    assert reporter.checks >= 25
