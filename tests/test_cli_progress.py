"""The command line's progress printer (cli/progress.py): rate, time left, a rewritten line on a terminal
and a line every few seconds in a log."""
import io

from cli.progress import LOG_INTERVAL_S, ProgressPrinter, duration_text
from engines.jobs import Progress


class Stream(io.StringIO):
    def __init__(self, tty: bool) -> None:
        super().__init__()
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_log_gets_a_line_every_few_seconds_with_rate_and_time_left():
    stream, clock = Stream(False), Clock()
    printer = ProgressPrinter(stream, clock)
    total = 100_000_000
    for second in range(0, 21):  # 2.5 MB/s over 20 s of a 100 MB file (reports every second)
        clock.now = 100.0 + second
        done = 2_500_000 * second
        printer(Progress(done / total, f"reading big.txt: {done / 1e6:.1f} of 100.0 MB", done))
    printer.close()
    lines = stream.getvalue().splitlines()
    assert len(lines) == 20 // int(LOG_INTERVAL_S)  # every LOG_INTERVAL_S, none at 0 s
    assert lines[0] == "reading big.txt: 12.5 of 100.0 MB  12.5%, 2.5 MB/s, 35 s left"
    assert lines[-1] == "reading big.txt: 50.0 of 100.0 MB  50.0%, 2.5 MB/s, 20 s left"
    assert "\r" not in stream.getvalue()


def test_a_log_gets_no_line_for_a_stage_that_has_not_moved():
    stream, clock = Stream(False), Clock()
    printer = ProgressPrinter(stream, clock)
    for second in range(0, 13):  # a slow load that reports 0% and is then refused: its log is the refusal alone
        clock.now = 100.0 + second
        printer(Progress(0.0, "loading the model"))
    assert stream.getvalue() == ""
    clock.now = 114.0
    printer(Progress(0.5, "loading the model"))
    assert stream.getvalue().splitlines() == ["loading the model  50.0%, 14 s left"]


def test_a_terminal_line_is_rewritten_and_a_new_stage_restarts_the_pace():
    stream, clock = Stream(True), Clock()
    printer = ProgressPrinter(stream, clock)
    printer(Progress(0.0, "reading a long message that will be overwritten", 0))
    clock.now += 30
    printer(Progress(0.25, "reading", 75_000_000))
    printer(Progress(None, "building the lexicon"))
    printer(Progress(0.5, "segmenting"))  # a new stage: no pace yet
    clock.now += 60
    printer(Progress(0.75, "segmenting"))
    printer.close()
    parts = stream.getvalue().split("\r")[1:]
    assert parts[1].rstrip() == "reading  25.0%, 2.5 MB/s, 1 min 30 s left"
    assert len(parts[1]) >= len(parts[0])  # the longer line before is blanked out
    assert parts[2].rstrip() == "segmenting  50.0%"
    assert parts[3].endswith("\n") and parts[3].rstrip() == "segmenting  75.0%, 1 min 00 s left"  # close ends it


def test_durations_read_naturally():
    assert [duration_text(s) for s in (0.3, 4.4, 59.6, 125, 7620)] == ["<1 s", "4 s", "1 min 00 s", "2 min 05 s",
                                                                         "2 h 07 min"]
