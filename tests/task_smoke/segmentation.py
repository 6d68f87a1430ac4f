"""Every job of tasks.segmentation on tiny inputs, through the shared runner: the first 300 lines of the
built-in People's Daily scored against their gold (discover, re-segment, sweep, jieba), and the headless
run on a small text written to a temporary file (tests/test_tasks_headless.py runs this in a fresh
interpreter and fails if Qt got imported)."""
import importlib.util
import tempfile
from pathlib import Path

from engines.segment.catalogue import CLASS_UNITS
from tasks.clustering import Words
from tasks.runner import run
from tasks.segmentation import (SegmentRequest, discover_job, jieba_job, lexicon_lines, resegment_job, run_job,
                                sweep_job)

LINES = 300
request = SegmentRequest("peoples-daily", "peoples-daily", max_lines=LINES, device="cpu")
found = run(discover_job, request, display_lines=3, sample_lines=20)
assert found.counted.n_lines == LINES and found.result.scores.f1 > 0.5, found.result.scores.f1
assert len(found.result.lines) == 3 and len(found.rows) > 500
assert {"number"} <= {row.unit_class for row in found.rows}
assert all("<" not in row.word and row.length == len(row.word) for row in found.rows)
words = found.words()
assert isinstance(words, Words) and len(words.lines) == 20 and words.lines[0][0] == "迈向"

strict = run(resegment_job, found, found.params.with_values({"threshold_2": 3.0, "names": False}))
assert strict.counted is found.counted and strict.result.scores.f1 > 0.5
assert strict.result.scores.f1 != found.result.scores.f1

partials = []
swept = run(sweep_job, found, (0.0, 0.8), on_partial=partials.append)
assert [len(p.f1) for p in partials] == [1, 2, 3, 4, 5, 6]  # both thresholds under each of the three statistics
assert swept.statistics == ["pmi", "pmi", "entropy", "entropy", "both", "both"]  # the segmentation's own first
assert abs(swept.f1[1] - found.result.scores.f1) < 1e-12

if importlib.util.find_spec("jieba") is not None:  # the baseline is optional
    baseline = run(jieba_job, found)
    assert baseline.scores.f1 > 0.7 and baseline.seconds > 0

with tempfile.TemporaryDirectory() as tmp:
    corpus = Path(tmp) / "small.txt"
    text = "１９９８年新年讲话，我们十分高兴。\nＣＤＭＡ手机，中国人民热爱和平。\n"
    corpus.write_text(text * 40, encoding="utf-8")
    written = []
    report = run(run_job, SegmentRequest(str(corpus)), write_line=written.append)
    assert len(written) == 80 and written[0].replace(" ", "") == "１９９８年新年讲话，我们十分高兴。"
    assert "f1" not in report.metrics and report.metrics["bits_per_char_after"] < report.metrics["bits_per_char_before"]
    table = list(lexicon_lines(report.segmentation.rows))
    assert table[0].split("\t") == ["word", "count", "candidates", "score", "class"] and len(table) > 5
    symbols = {unit.name: unit.symbol for unit in CLASS_UNITS}
    assert f"{symbols['number']}年\t40\t" in "\n".join(table) and table[1].split("\t")[4] in ("number", "latin")
print("segmentation tasks: ok")
