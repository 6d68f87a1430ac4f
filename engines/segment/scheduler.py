"""Where a distributed segmentation runs, as written on the command line and in the panel (no dask, no
torch: parsing an address costs nothing): ``local:N`` worker processes on this machine, or the address
of a running Dask scheduler, ``tcp://HOST:PORT``."""
from __future__ import annotations

import re

from engines.errors import InputError

MAX_LOCAL_WORKERS = 64
_LOCAL = re.compile(r"local:(\d+)")
_TCP = re.compile(r"tcp://[^\s:/]+:\d{1,5}")
SCHEDULER_HELP = (f"local:N (N worker processes on this machine, 1 to {MAX_LOCAL_WORKERS}) or "
                  "tcp://HOST:PORT (a running dask scheduler)")


def check_scheduler(text: str) -> str:
    """``text`` (stripped) when it names a scheduler (:data:`SCHEDULER_HELP`), else an InputError."""
    text = text.strip()
    local = _LOCAL.fullmatch(text)
    if (local and 1 <= int(local.group(1)) <= MAX_LOCAL_WORKERS) or _TCP.fullmatch(text):
        return text
    raise InputError(f"the scheduler must be {SCHEDULER_HELP}, got {text!r}")


def local_workers(scheduler: str) -> int | None:
    """N of ``local:N``; None for a tcp address."""
    local = _LOCAL.fullmatch(check_scheduler(scheduler))
    return int(local.group(1)) if local else None
