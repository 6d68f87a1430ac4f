"""The one job runner the GUI and the CLI share: outcomes, cancellation, and errors as users see them."""
import threading

import pytest

from engines.errors import InputError
from tasks.runner import JobFailed, execute, execute_in_process, run


def adding_job(reporter, a, b=0):
    reporter.progress(0.5, "half")
    reporter.partial(a)
    return a + b


def refusing_job(reporter):
    raise InputError("the corpus is not text")


def buggy_job(reporter):
    return {}["missing"]


def test_execute_in_this_thread_gives_outcomes():
    seen = []
    assert execute(adding_job, (2,), {"b": 3}, seen.append, seen.append).value == 5
    assert seen[0].fraction == 0.5 and seen[1] == 2
    error = execute(refusing_job).value
    assert error.input_error and error.message == "the corpus is not text"
    bug = execute(buggy_job).value
    assert not bug.input_error and bug.message == "KeyError: 'missing'" and "buggy_job" in bug.details
    cancel = threading.Event()
    cancel.set()
    assert execute(adding_job, (1,), cancel_event=cancel).kind == "cancelled"


def test_a_process_job_reports_and_returns():
    seen = []
    outcome = execute_in_process(adding_job, (4,), {"b": 1}, seen.append, seen.append)
    assert outcome.kind == "ok" and outcome.value == 5
    assert [type(s).__name__ for s in seen] == ["Progress", "int"]


def test_the_cli_gets_input_errors_as_such_and_bugs_with_the_child_traceback():
    assert run(adding_job, 1, b=2, process=True) == 3
    with pytest.raises(InputError, match="the corpus is not text"):
        run(refusing_job, process=True)
    with pytest.raises(JobFailed) as info:
        run(buggy_job, process=True)
    assert str(info.value) == "KeyError: 'missing'" and "buggy_job" in info.value.error.details
    with pytest.raises(InputError):  # in this thread the job's own exception propagates
        run(refusing_job)
