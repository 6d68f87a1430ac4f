"""The engine/worker contract as the GUI sees it: progress, partials, cancellation, errors, subprocesses,
and silence: a replaced or cancelled job never delivers again."""
import threading
import time

import pytest

from engines.jobs import Cancelled, Reporter, run
from tests.fake_panel import slow_job
from workbench.jobs import JobManager


def counting_job(reporter, n: int):
    for i in range(n):
        reporter.partial(i)
        reporter.progress((i + 1) / n, f"{i + 1}/{n}")
    return n


def failing_job(reporter):
    reporter.progress(0.5, "half way")
    raise ValueError("the surface is not finite anywhere")


def stubborn_job(reporter, seconds: float):
    """Never checks for cancellation (like a C extension holding the GIL)."""
    time.sleep(seconds)
    return "late"


def test_run_in_this_thread_reports_and_returns():
    seen = []
    assert run(counting_job, 5, on_partial=seen.append) == 5
    assert seen == [0, 1, 2, 3, 4]


def test_reporter_check_raises_once_cancelled():
    reporter = Reporter()
    reporter.check()
    reporter.cancel()
    with pytest.raises(Cancelled):
        reporter.check()


@pytest.fixture
def manager(qtbot):
    m = JobManager()
    yield m
    m.shutdown(5000)


@pytest.fixture
def slot(manager):
    return manager.slot("p")


def test_result_partials_and_progress_arrive_on_gui_thread(qtbot, manager):
    partials, progress = [], []
    handle = manager.slot("p").start("count", counting_job, 200)
    handle.partial.connect(partials.append)
    handle.progress.connect(progress.append)
    with qtbot.waitSignal(handle.succeeded, timeout=5000) as blocker:
        pass
    assert blocker.args == [200]
    # coalesced: the GUI gets the latest values, never more than were sent, and the last one arrives
    assert 1 <= len(partials) <= 200 and partials[-1] == 199
    assert partials == sorted(partials)
    assert progress[-1].fraction == 1.0 and progress[-1].message == "200/200"
    assert not handle.running


def test_cancel_stops_a_cooperating_job_within_200ms(qtbot, manager):
    handle = manager.slot("p").start("slow", slow_job, 30.0)
    with qtbot.waitSignal(handle.progress, timeout=5000):
        pass
    t0 = time.perf_counter()
    with qtbot.waitSignal(handle.cancelled, timeout=2000):
        handle.cancel()
    assert time.perf_counter() - t0 < 0.2
    assert not handle.running


def test_errors_reach_the_ui_with_a_readable_message_and_traceback(qtbot, manager):
    handle = manager.slot("p").start("fail", failing_job)
    with qtbot.waitSignal(handle.failed, timeout=5000) as blocker:
        pass
    error = blocker.args[0]
    assert error.message == "ValueError: the surface is not finite anywhere"
    assert "Traceback" in error.details and "failing_job" in error.details
    # the manager is still usable
    again = manager.slot("p").start("count", counting_job, 3)
    with qtbot.waitSignal(again.succeeded, timeout=5000):
        pass


def test_new_job_cancels_and_replaces_the_running_one(qtbot, slot):
    first = slot.start("slow", slow_job, 30.0)
    with qtbot.waitSignal(first.progress, timeout=5000):
        pass
    results = []
    with qtbot.waitSignals([first.cancelled], timeout=2000):
        second = slot.start("count", counting_job, 3)
        second.succeeded.connect(results.append)
    qtbot.waitUntil(lambda: results == [3], timeout=5000)
    assert slot.current is None and not slot.running  # both ended


def oblivious_job(reporter, gate: threading.Event, value: str):
    """Sends one partial, waits, and returns without checking for cancellation again."""
    reporter.partial(f"{value} partial")
    gate.wait(30)
    return value


def late_partial_job(reporter, gate: threading.Event):
    """Sends a partial after the cancel (the reporter posts it, then raises Cancelled)."""
    reporter.partial("early")
    gate.wait(30)
    reporter.partial("late")
    return "unreachable"


def watch(handle):
    seen = []
    for name in ("partial", "succeeded", "failed", "cancelled"):
        getattr(handle, name).connect(lambda *args, n=name: seen.append((n, *args)))
    return seen


def test_a_replaced_job_that_never_checks_delivers_nothing_more(qtbot, slot):
    gate = threading.Event()
    first = slot.start("first", oblivious_job, gate, "first")
    first_seen = watch(first)
    qtbot.waitUntil(lambda: ("partial", "first partial") in first_seen, timeout=5000)
    second_gate = threading.Event()
    second = slot.start("second", oblivious_job, second_gate, "second")
    second_seen = watch(second)
    second.cancel()  # silenced: whenever it ends, it reports cancelled
    gate.set()  # the first now returns its result, after its replacement started
    second_gate.set()  # and the second ends too, whether its thread had started before the cancel or not
    with qtbot.waitSignals([first.done, second.done], timeout=10000):
        pass
    assert first_seen == [("partial", "first partial"), ("cancelled",)]
    assert not any(name == "succeeded" for name, *_ in second_seen)


def test_a_cancelled_job_delivers_no_partial_after_the_cancel(qtbot, slot):
    gate = threading.Event()
    handle = slot.start("late partial", late_partial_job, gate)
    seen = watch(handle)
    qtbot.waitUntil(lambda: ("partial", "early") in seen, timeout=5000)
    handle.cancel()
    gate.set()
    with qtbot.waitSignal(handle.done, timeout=10000):
        pass
    assert seen == [("partial", "early"), ("cancelled",)]


def test_a_failure_after_cancel_is_silent_too(qtbot, slot):
    gate = threading.Event()

    handle = slot.start("fails late", late_failing_job, gate)
    seen = watch(handle)
    handle.cancel()
    gate.set()
    with qtbot.waitSignal(handle.done, timeout=10000):
        pass
    assert seen == [("cancelled",)]


def late_failing_job(reporter, gate):
    gate.wait(30)
    raise ValueError("too late to matter")


def test_starting_a_job_cancels_the_slots_it_invalidates(qtbot, manager):
    grid = manager.slot("p", "grid")
    model = manager.slot("p", invalidates=(grid,))
    gate = threading.Event()
    old_grid = grid.start("grid for the old model", oblivious_job, gate, "old grid")
    seen = watch(old_grid)
    new_model = model.start("load", counting_job, 3)
    gate.set()
    with qtbot.waitSignals([old_grid.done, new_model.done], timeout=10000):
        pass
    assert ("cancelled",) in seen and not any(n == "succeeded" for n, *_ in seen)


def test_a_job_started_before_its_dependency_succeeds_is_cancelled_then(qtbot, manager):
    """The grid started for the old model while the new one loads never delivers."""
    grid = manager.slot("p", "grid")
    model = manager.slot("p", invalidates=(grid,))
    load_gate, grid_gate = threading.Event(), threading.Event()
    load = model.start("load", oblivious_job, load_gate, "new model")
    stale = grid.start("grid for the old model", oblivious_job, grid_gate, "old grid")
    stale_seen = watch(stale)
    load_gate.set()
    with qtbot.waitSignal(load.succeeded, timeout=10000):
        pass
    grid_gate.set()
    with qtbot.waitSignal(stale.done, timeout=10000):
        pass
    assert ("cancelled",) in stale_seen and not any(n == "succeeded" for n, *_ in stale_seen)


def test_subprocess_job_returns_its_result(qtbot, manager):
    handle = manager.slot("p").start("count", counting_job, 50, process=True)
    with qtbot.waitSignal(handle.succeeded, timeout=60000) as blocker:
        pass
    assert blocker.args == [50]


def tensor_job(reporter, n: int):
    import torch

    reporter.partial(torch.arange(n))
    return {"weights": torch.ones(n, n)}


def test_subprocess_job_tensors_outlive_the_process(qtbot, manager):
    handle = manager.slot("p").start("tensors", tensor_job, 4, process=True)
    with qtbot.waitSignal(handle.succeeded, timeout=60000) as blocker:
        pass
    qtbot.wait(500)  # the process has exited: the tensor must not point into its memory
    assert blocker.args[0]["weights"].sum().item() == 16


def test_subprocess_job_errors_reach_the_ui(qtbot, manager):
    handle = manager.slot("p").start("fail", failing_job, process=True)
    with qtbot.waitSignal(handle.failed, timeout=60000) as blocker:
        pass
    assert blocker.args[0].message == "ValueError: the surface is not finite anywhere"


def test_cancel_terminates_a_subprocess_that_ignores_it(qtbot, manager):
    handle = manager.slot("p").start("stubborn", stubborn_job, 60.0, process=True)
    qtbot.wait(3000)  # let the process start (spawn imports the test module)
    t0 = time.perf_counter()
    with qtbot.waitSignal(handle.cancelled, timeout=5000):
        handle.cancel()
    assert time.perf_counter() - t0 < 0.5
