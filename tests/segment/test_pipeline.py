"""The pipeline on slices of the People's Daily corpus: real F1 against gold, caching, streaming, CLI."""
import json
import threading

import pytest

from engines.errors import InputError
from engines.jobs import Cancelled, run
from engines.segment.build import build_lexicon
from engines.segment.counted import count_corpus
from engines.segment.params import SegmentParams
from engines.segment.pipeline import run_segmentation
from engines.segment.segmenting import segment_corpus

LINES = 2000


@pytest.fixture(scope="module")
def counted():
    return run(count_corpus, "peoples-daily", "peoples-daily", max_lines=LINES)


def test_slice_f1_and_bits(counted):
    params = SegmentParams()
    lexicon = run(build_lexicon, counted, params)
    result = run(segment_corpus, counted, lexicon, params, display_lines=3)
    # measured: F1 0.791 on the first 2,000 lines with a lexicon learned from those lines only
    assert 0.77 < result.scores.f1 < 0.81
    assert result.scores.gold_words == 109_970 or result.scores.gold_words > 100_000
    assert result.bits_after < result.bits_before - 1.0  # the minimum-entropy figure of merit
    assert len(lexicon) > 3000
    line = result.lines[0]
    assert "".join(line.words) == "迈向充满希望的新世纪——一九九八年新年讲话（附图片１张）"
    assert "".join(line.gold) == "".join(line.words)
    assert len(line.gaps) == len(line.words)


def test_number_and_name_conventions_raise_f1(counted):
    f1 = {}
    for key, params in {"both": SegmentParams(), "no numbers": SegmentParams(numbers=False),
                        "no names": SegmentParams(names=False)}.items():
        lexicon = run(build_lexicon, counted, params)
        f1[key] = run(segment_corpus, counted, lexicon, params).scores.f1
    # measured on these lines: 0.7914 with both, 0.7790 without the number convention, 0.7905 without names
    assert f1["both"] > f1["no numbers"] + 0.008
    assert f1["both"] > f1["no names"]


def test_thresholds_rerun_from_cached_counts(counted):
    strict = SegmentParams(thresholds=(0.0, 3.0, 6.0, 9.0), pair_threshold=None)
    loose = SegmentParams(thresholds=(0.0, 0.0, 3.0, 5.0), pair_threshold=None)
    small, big = run(build_lexicon, counted, strict), run(build_lexicon, counted, loose)
    assert big.multi().sum() > small.multi().sum()
    assert counted.chunks is not None  # no recount: the text is cached


def test_streaming_without_cache_gives_the_same_result():
    params = SegmentParams()
    cached = run(count_corpus, "peoples-daily", "peoples-daily", max_lines=600)
    streamed = run(count_corpus, "peoples-daily", "peoples-daily", max_lines=600, cache_limit=0)
    assert streamed.chunks is None
    a = run(segment_corpus, cached, run(build_lexicon, cached, params), params)
    b = run(segment_corpus, streamed, run(build_lexicon, streamed, params), params)
    assert a.scores.f1 == b.scores.f1 and a.n_words == b.n_words


def test_cancel_stops_the_job():
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(Cancelled):
        run(run_segmentation, "peoples-daily", "peoples-daily", max_lines=200, cancel_event=cancel)


def test_gold_mismatch_and_empty(tmp_path):
    corpus = tmp_path / "c.txt"
    corpus.write_text("我们爱北京\n", encoding="utf-8")
    gold = tmp_path / "g.txt"
    gold.write_text("我们 爱 上海\n", encoding="utf-8")
    with pytest.raises(InputError, match="differs"):
        run(run_segmentation, str(corpus), str(gold))
    gold.write_text("我们 爱 北京\n", encoding="utf-8")
    result = run(run_segmentation, str(corpus), str(gold), SegmentParams(min_count=1))
    assert result.result.scores.gold_words == 3
    blank = tmp_path / "blank.txt"
    blank.write_text("\n\n", encoding="utf-8")
    with pytest.raises(InputError, match="no text"):
        run(run_segmentation, str(blank))


def test_cli_segment_writes_outputs(tmp_path):
    from cli import main

    src = tmp_path / "raw.txt"
    lines = ["１９９８年新年讲话，我们十分高兴。", "", "ＣＤＭＡ手机 and words", "中国人民 热爱和平"] * 30
    src.write_text("\n".join(lines) + "\n", encoding="gb18030")
    out = tmp_path / "out"
    assert main(["run", "segment", "--corpus", str(src), "--out", str(out), "--min-count", "2"]) == 0
    segmented = (out / "segmented.txt").read_text(encoding="utf-8").splitlines()
    assert len(segmented) == len(lines)
    for raw, seg in zip(lines, segmented):
        assert seg.replace(" ", "") == raw.replace(" ", "")  # every character kept, in order
        assert "  " not in seg
    lexicon = [line.split("\t") for line in (out / "lexicon.tsv").read_text(encoding="utf-8").splitlines()]
    assert lexicon[0] == ["word", "count", "candidates", "score", "class"]
    classes = {word: unit_class for word, _, _, _, unit_class in lexicon[1:]}
    assert classes["#年"] == "number" and classes["@手"] == "latin" and classes["中国"] == ""  # the notation
    assert all(c in ("", "number", "latin") for c in classes.values())
    assert not any("<" in word or any("\ue000" <= ch <= "\uf8ff" for ch in word) for word in classes)
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["corpus"]["encodings"] == {"raw.txt": "GB18030/GBK"}
    assert metrics["bits_per_char_after"] < metrics["bits_per_char_before"]
    assert (out / "sidecar.json").exists()


def test_cli_segment_scores_against_gold(tmp_path):
    from cli import main

    out = tmp_path / "pd"
    assert main(["run", "segment", "--corpus", "peoples-daily", "--gold", "peoples-daily", "--max-lines", "800",
                 "--out", str(out)]) == 0
    metrics = json.loads((out / "metrics.json").read_text())
    assert 0.65 < metrics["f1"] < 0.85
    assert {"precision", "recall", "oov_recall", "timings"} <= set(metrics)


def test_multiprocess_count_equals_single():
    import numpy as np

    one = run(count_corpus, "peoples-daily", "peoples-daily", max_lines=5000)
    two = run(count_corpus, "peoples-daily", "peoples-daily", max_lines=5000, workers=2)
    assert len(one.chunks) >= 3
    for n in range(one.table.max_n):
        assert np.array_equal(one.table.codes[n], two.table.codes[n])
        assert np.array_equal(one.table.counts[n], two.table.counts[n])
