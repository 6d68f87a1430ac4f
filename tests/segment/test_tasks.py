"""The segmentation workflow's jobs (tasks.segmentation): the panel and the command line run one pipeline."""
import math

import pytest

from engines.errors import InputError
from engines.segment.params import SegmentParams
from tasks import segmentation
from tasks.clustering import Words
from tasks.runner import run

LINES = 400
REQUEST = segmentation.SegmentRequest("peoples-daily", "peoples-daily", max_lines=LINES)


@pytest.fixture(scope="module")
def discovered():
    return run(segmentation.discover_job, REQUEST, display_lines=5, sample_lines=50)


def test_the_panel_and_the_command_line_segment_alike(discovered):
    written = []
    report = run(segmentation.run_job, REQUEST, write_line=written.append)
    assert len(written) == LINES
    assert [line.split(" ") if line else [] for line in written[:50]] == discovered.result.sample
    assert report.metrics["f1"] == discovered.result.scores.f1 > 0.5
    assert report.metrics["lexicon_size"] == discovered.result.lexicon_size
    assert report.metrics["corpus"]["lines"] == LINES and set(report.metrics["timings"]) == {
        "count_s", "lexicon_s", "segment_s", "total_s"}
    assert [r.word for r in report.segmentation.rows] == [r.word for r in discovered.rows]
    lines = list(segmentation.lexicon_lines(report.segmentation.rows))
    assert lines[0] == "word\tcount\tcandidates\tscore\tclass" and len(lines) == len(discovered.rows) + 1
    assert len(discovered.result.lines) == 5 and discovered.result.lines[0].gold is not None


def test_resegment_reuses_the_counts(discovered):
    same = run(segmentation.resegment_job, discovered, discovered.params, display_lines=5, sample_lines=50)
    assert same.counted is discovered.counted and same.result.scores.f1 == discovered.result.scores.f1
    assert same.result.sample == discovered.result.sample
    stricter = run(segmentation.resegment_job, discovered, discovered.params.with_values({"threshold_2": 3.5}))
    assert stricter.params.threshold(2) == 3.5 and len(stricter.rows) != len(discovered.rows)
    assert set(stricter.timings) == {"lexicon_s", "segment_s"}


def test_sweep_streams_its_points(discovered):
    partials = []
    done = run(segmentation.sweep_job, discovered, (0.0, 0.8, 3.5), ("pmi",), on_partial=partials.append)
    assert [len(p.thresholds) for p in partials] == [1, 2, 3] and done.thresholds == [0.0, 0.8, 3.5]
    assert done.f1[1] == pytest.approx(discovered.result.scores.f1)  # 0.8 is the discovered setting
    assert done.sizes[1] == discovered.result.lexicon_size and len(set(done.sizes)) == 3


def test_sweep_traces_every_boundary_statistic(discovered):
    done = run(segmentation.sweep_job, discovered, (0.8,))
    assert done.statistics == ["pmi", "entropy", "both"]  # the segmentation's own statistic first
    entropy = run(segmentation.resegment_job, discovered, discovered.params.with_values({"statistic": "entropy"}))
    assert done.f1[1] == pytest.approx(entropy.result.scores.f1) and done.f1[1] != done.f1[0]
    assert entropy.result.lines[0].entropies is not None  # the gaps shown carry both statistics


def test_jieba_on_the_same_lines(discovered):
    pytest.importorskip("jieba")
    baseline = run(segmentation.jieba_job, discovered)
    assert 0.7 < baseline.scores.f1 < 1.0 and baseline.seconds > 0


def test_words_for_the_clustering_panel(discovered):
    words = discovered.words()
    assert isinstance(words, Words) and words.name == "People's Daily 1998-01"
    assert len(words.lines) == 50 and "".join(words.lines[0]).startswith("迈向充满希望的新世纪")


def test_the_device_preference_is_resolved_in_the_job():
    with pytest.raises(InputError, match="unknown device 'tpu'"):
        run(segmentation.discover_job, segmentation.SegmentRequest("peoples-daily", max_lines=10, device="tpu"))


def test_without_gold_there_is_no_f1(tmp_path):
    corpus = tmp_path / "c.txt"
    corpus.write_text("我们爱北京，我们爱和平。\n" * 20, encoding="utf-8")
    report = run(segmentation.run_job, segmentation.SegmentRequest(str(corpus), params=SegmentParams(min_count=1)))
    assert "f1" not in report.metrics and report.segmentation.result.scores is None
    assert math.isfinite(report.metrics["bits_per_char_after"])
