"""The command line's progress printer: what the GUI's progress bar says, on stderr.

On a terminal one line rewritten in place (carriage return); in a log (stderr not a terminal) a line
every :data:`LOG_INTERVAL_S` seconds, the first once the command has run that long and only once its stage
has moved (a short command's log, or one refused while it loads slowly, holds only its result or its
one-line error). Each gives the job's message and percentage, the rate in MB/s when
the job reports the bytes it has read (:attr:`engines.jobs.Progress.bytes_done`) and the time left,
extrapolated from the pace since the current stage began (a stage begins at the first fraction after a
report without one, or when the fraction goes back).
"""
from __future__ import annotations

import sys
import time
from dataclasses import dataclass
from typing import Callable, Optional

from engines.jobs import Progress

LOG_INTERVAL_S = 5.0  # seconds between lines in a log
MIN_PACE_S = 0.5  # time a stage runs before its rate and time left are shown
MESSAGE_CHARS = 70


@dataclass(frozen=True)
class Stage:
    """Where the current stage began: the time, the fraction and the bytes read then."""

    t0: float
    fraction: float
    bytes_done: Optional[int]


def duration_text(seconds: float) -> str:
    """``<1 s``, ``42 s``, ``3 min 05 s``, ``2 h 07 min``."""
    s = int(round(seconds))
    if s < 1:
        return "<1 s"
    if s < 60:
        return f"{s} s"
    if s < 3600:
        return f"{s // 60} min {s % 60:02d} s"
    return f"{s // 3600} h {s % 3600 // 60:02d} min"


def progress_text(p: Progress, stage: Stage, now: float) -> str:
    """One progress line: message, percentage, and (once the stage has run :data:`MIN_PACE_S`) its rate
    in MB/s when bytes are reported and the time left."""
    text = f"{(p.message or 'working')[:MESSAGE_CHARS]} {100 * p.fraction:5.1f}%"
    elapsed = now - stage.t0
    if elapsed < MIN_PACE_S:
        return text
    if p.bytes_done is not None and stage.bytes_done is not None:
        text += f", {(p.bytes_done - stage.bytes_done) / 1e6 / elapsed:.1f} MB/s"
    if p.fraction > stage.fraction:
        text += f", {duration_text(elapsed * (1.0 - p.fraction) / (p.fraction - stage.fraction))} left"
    return text


class ProgressPrinter:
    """Progress on stderr (see the module's docstring); ``clock`` is injectable for tests."""

    def __init__(self, stream=None, clock: Callable[[], float] = time.monotonic) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.tty = self.stream.isatty()
        self.clock = clock
        self.stage: Optional[Stage] = None
        self.last_line = clock()  # in a log, the first line after LOG_INTERVAL_S
        self.shown = 0  # characters of the terminal line now shown (0: none)

    def __call__(self, p: Progress) -> None:
        if p.fraction is None:
            self.stage = None
            return
        now = self.clock()
        if self.stage is None or p.fraction < self.stage.fraction:
            self.stage = Stage(now, p.fraction, p.bytes_done)
        text = progress_text(p, self.stage, now)
        if self.tty:
            print("\r" + text.ljust(self.shown), end="", file=self.stream, flush=True)
            self.shown = max(len(text), 1)
        elif now - self.last_line >= LOG_INTERVAL_S and p.fraction > self.stage.fraction:
            print(text, file=self.stream, flush=True)
            self.last_line = now

    def close(self) -> None:
        """End the terminal line (before the command prints its summary)."""
        if self.shown:
            print(file=self.stream)
            self.shown = 0
