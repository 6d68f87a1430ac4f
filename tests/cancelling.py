"""Running a job that the user cancels at its first report, for the tests of Cancel."""
from __future__ import annotations

import threading
from typing import Any, Callable

import pytest

from engines.jobs import Cancelled, run


def cancelled_at_first(job: Callable[..., Any], *args: Any, report: str = "partial", **kwargs: Any) -> list[Any]:
    """Run ``job`` with :func:`engines.jobs.run`, cancel it at its first ``report`` ("partial" or "progress"),
    check that it ends with :class:`Cancelled`, and return the reports it made."""
    cancel = threading.Event()
    seen: list[Any] = []

    def on_report(payload: Any) -> None:
        seen.append(payload)
        cancel.set()

    with pytest.raises(Cancelled):
        run(job, *args, cancel_event=cancel, **{f"on_{report}": on_report}, **kwargs)
    return seen
