"""The panel on a small corpus: segmented text with gap statistics, lexicon table in the class notation,
live thresholds from the catalogue; the segmented words sent to the clustering panel."""
import re

import pytest
from PySide6 import QtCore

from engines.segment import catalogue as cat
from engines.segment.params import SegmentParams
from workbench.widgets.sort_header import SortHeader

TIMEOUT_MS = 90_000


@pytest.fixture
def panel(qtbot, make_panel):
    import workbench.panels.segment as segment

    return make_panel(segment)


@pytest.fixture
def small_gold(tmp_path):
    from engines.segment.corpus import builtin_paths

    lines = builtin_paths("peoples-daily")[0].read_text(encoding="utf-8").splitlines()[:400]
    path = tmp_path / "pd400.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_panel_segments_scores_and_rethresholds(qtbot, panel, small_gold):
    with qtbot.waitSignal(panel.first_job_done, timeout=TIMEOUT_MS):
        panel.discover(str(small_gold), str(small_gold))
    state = panel.state
    assert state.result.scores is not None and state.result.scores.f1 > 0.5
    html = panel.text.toHtml()
    assert "迈向" in html and "gap:0:0" in html
    tip = panel.text._gaps["gap:0:0"]
    assert "PMI" in tip and "threshold" in tip
    qtbot.waitUntil(lambda: panel.lexicon.model.rowCount() == len(state.rows) > 100, timeout=TIMEOUT_MS)
    assert "F1" in panel.metrics_label.text()
    assert len(panel.chart.data()["threshold"]) >= 1
    before = len(state.rows)
    with qtbot.waitSignal(panel.context.jobs.ended, timeout=TIMEOUT_MS):
        panel.controls.sliders["threshold_2"].setValue(3.5)
    qtbot.waitUntil(lambda: panel.state is not state, timeout=TIMEOUT_MS)
    assert panel.state.counted is state.counted  # from cached counts
    assert len(panel.state.rows) != before
    panel.lexicon.search.setText("^中")

    def filtered():  # the search runs as a job after a pause in typing
        model = panel.lexicon.model
        shown = [model.data(model.index(r, 0)) for r in range(model.rowCount())]
        assert 0 < len(shown) < len(panel.state.rows) and all(word.startswith("中") for word in shown)

    qtbot.waitUntil(filtered, timeout=TIMEOUT_MS)
    assert panel.parameters()["thresholds"][1] == pytest.approx(3.5)
    assert [f.title for f in panel.figures()][0].startswith("F1")
    state = panel.state
    with qtbot.waitSignal(panel.context.jobs.ended, timeout=TIMEOUT_MS):
        panel.controls.form.editors["numbers"].setChecked(False)
    qtbot.waitUntil(lambda: panel.state is not state, timeout=TIMEOUT_MS)
    assert panel.parameters()["numbers"] is False
    assert panel.state.result.scores.f1 != state.result.scores.f1


def test_controls_follow_the_catalogue(panel):
    controls = panel.controls
    assert panel.params() == SegmentParams()  # every control at its catalogue default
    for option in (*cat.THRESHOLDS, cat.WORD_BONUS):
        slider = controls.sliders[option.name]
        assert (slider.minimum(), slider.maximum(), slider.value()) == (option.minimum, option.maximum, option.default)
        assert option.help in slider.toolTip()
    assert [controls.method_box.itemData(i) for i in range(controls.method_box.count())] == list(cat.METHODS.names)
    assert controls.method_box.itemText(0) == cat.METHODS["ngram"].label
    assert [controls.corpus_box.itemData(i) for i in range(controls.corpus_box.count())] == [
        ("peoples-daily", "peoples-daily"), ("reviews", None)]
    controls.method_box.setCurrentIndex(controls.method_box.findData("pmi"))
    controls.form.set_values({"min_count": 5, "names": False})
    assert panel.params().method == "pmi" and panel.params().min_count == 5 and panel.params().names is False


def test_lexicon_table_shows_class_units_in_their_notation(qtbot, panel, small_gold):
    from PySide6 import QtCore

    with qtbot.waitSignal(panel.first_job_done, timeout=TIMEOUT_MS):
        panel.discover(str(small_gold), str(small_gold))
    model = panel.lexicon.model
    header = panel.lexicon.view.horizontalHeader()  # most frequent first, under a ▼ (tests/test_sort_header.py)
    assert isinstance(header, SortHeader) and header.sortIndicatorSection() == 2
    assert header.sortIndicatorOrder() == QtCore.Qt.SortOrder.DescendingOrder
    qtbot.waitUntil(lambda: model.rowCount() == len(panel.state.rows), timeout=TIMEOUT_MS)
    headers = [model.headerData(c, QtCore.Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    assert headers == ["word", "class", "count", "cand.", "score", "length", "new", "in base"]
    assert panel.lexicon.view.isColumnHidden(7)  # no base corpus: its column is not shown
    shown = [[model.data(model.index(r, c)) for c in range(model.columnCount())] for r in range(model.rowCount())]
    assert ["#年", "number"] in [row[:2] for row in shown]
    assert all(int(row[5]) == len(row[0]) for row in shown)  # the length counts what is written
    # the table says what lexicon.tsv says: the count in the segmented text, then the candidate count
    assert [(row[0], int(row[2]), int(row[3])) for row in shown] == [
        (r.word, r.count, r.candidates) for r in panel.state.rows]
    assert not any("<" in row[0] or any("\ue000" <= ch <= "\uf8ff" for ch in row[0]) for row in shown)
    number = next(r for r, row in enumerate(shown) if row[1] == "number")
    assert model.data(model.index(number, 0), QtCore.Qt.ItemDataRole.ToolTipRole).startswith("#: ")
    tip = model.headerData(0, QtCore.Qt.Orientation.Horizontal, QtCore.Qt.ItemDataRole.ToolTipRole)
    assert tip == cat.CLASS_NOTATION
    view = panel.lexicon.view  # every column shown as wide as its header (sort arrow included) and the cells on screen
    for column in range(model.columnCount() - 1):  # the last, "in base", is hidden
        assert view.columnWidth(column) >= max(header.sectionSizeHint(column), view.sizeHintForColumn(column))
    last = model.columnCount() - 2  # the last column shown fills the rest of the view, and no more than its content
    rest = view.viewport().width() - sum(view.columnWidth(c) for c in range(last))
    assert view.columnWidth(last) == max(rest, header.sectionSizeHint(last), view.sizeHintForColumn(last))


def test_the_corpus_boxes_show_their_whole_labels(qtbot, panel):
    panel.resize(980, 760)  # the panel's share of a 1280 px window
    for box in (panel.controls.corpus_box, panel.controls.base_box):
        box.setCurrentIndex(box.findText(next(iter(cat.CORPORA)).label))
        assert box.width() >= box.sizeHint().width(), box.currentText()


def test_segmented_words_go_to_the_clustering_panel(qtbot, panel, small_gold):
    from tasks.clustering import Words
    from tasks.segmentation import SAMPLE_LINES

    sent = []
    panel.context.send_to = lambda name, kind, payload: sent.append((name, kind, payload)) or True
    assert not panel.words_button.isEnabled()
    with qtbot.waitSignal(panel.first_job_done, timeout=TIMEOUT_MS):
        panel.discover(str(small_gold), str(small_gold))
    assert panel.words_button.isEnabled()
    panel.words_button.click()
    [(name, kind, words)] = sent
    assert (name, kind) == ("cluster", "words") and isinstance(words, Words)
    assert words.name == small_gold.name and len(words.lines) == min(400, SAMPLE_LINES)
    raw = [line for chunk in panel.state.counted.chunks for line in chunk.raw]
    assert ["".join(line) for line in words.lines] == raw[: len(words.lines)]  # every character, in order
    shown = panel.state.result.lines
    assert words.lines[: len(shown)] == [line.words for line in shown]  # the segmentation on screen


def test_the_panel_opens_corpora_only(qtbot, panel, tmp_path):
    from engines.errors import InputError

    with pytest.raises(InputError, match="does not open dataset files"):
        panel.open_path("dataset", tmp_path / "x.npz")
    with pytest.raises(InputError, match="does not exist"):
        panel.open_path("corpus", tmp_path / "missing.txt")
    with pytest.raises(InputError, match="does not take vectors"):
        panel.receive("vectors", None)
    assert [f.title for f in panel.figures()] == ["F1 and lexicon size against the threshold"]


def test_settings_moved_while_counting_are_applied_once_counted(qtbot, panel, small_gold):
    panel.discover(str(small_gold), str(small_gold))
    panel.controls.sliders["threshold_3"].setValue(6.0)  # while the corpus is being counted
    qtbot.waitUntil(lambda: panel.state is not None and panel.state.params.threshold(3) == 6.0, timeout=TIMEOUT_MS)
    assert panel.state.params == panel.params() and panel.parameters()["thresholds"][2] == 6.0


def test_long_text_arrives_a_few_lines_per_event_loop_turn(qtbot):
    from engines.segment.display import DisplayLine
    from workbench.panels.segment.text_view import SegmentedText

    view = SegmentedText()
    qtbot.addWidget(view)
    lines = [DisplayLine(["第", f"{i}行", "文字"], ["第", f"{i}", "行", "文字"], [1.5, None]) for i in range(35)]
    view.set_lines(lines, threshold=0.8, bonus=3.5)
    assert not view.complete and view.toPlainText().count("\n") < SegmentedText.LINES_PER_TURN
    qtbot.waitUntil(lambda: view.complete, timeout=TIMEOUT_MS)
    text = view.toPlainText().splitlines()
    assert len(text) == 35 and text[34].startswith("第│34行")
    assert "[1 merged, 0 split pieces]" in text[0] and "PMI" in view._gaps["gap:34:0"]
    view.set_lines(lines[:2], threshold=0.8, bonus=3.5)  # a new result replaces the old one at once
    assert view.complete and len(view.toPlainText().splitlines()) == 2


def test_the_threshold_chart_never_shows_another_corpus_or_setting(qtbot, panel, small_gold):
    with qtbot.waitSignal(panel.first_job_done, timeout=TIMEOUT_MS):
        panel.discover(str(small_gold), str(small_gold))
    qtbot.waitUntil(lambda: len(panel.chart.data()["f1"]) == 6 and not panel._sweep_job.running, timeout=TIMEOUT_MS)
    assert panel.chart.f1_curve.getData()[0] is not None and len(panel.chart.f1_curve.getData()[0]) == 6
    assert all(panel.chart.getAxis(side).style["showValues"] for side in ("left", "bottom", "right"))
    assert panel.chart.marker.isVisible()
    scored = panel.chart.data()["f1"].copy()

    panel.controls.sliders["word_bonus"].setValue(1.0)  # a setting the sweep holds fixed: it is swept again
    qtbot.waitUntil(lambda: len(panel.chart.data()["f1"]) == 6 and not panel.chart.data()["f1"].tolist() == scored.tolist()
                    and not panel._sweep_job.running and not panel._resegment_job.running, timeout=TIMEOUT_MS)

    plain = small_gold.with_name("plain.txt")  # the same text, unsegmented: no gold
    plain.write_text(re.sub(r"/[a-zA-Z]+|[ \t]+", "", small_gold.read_text(encoding="utf-8")), encoding="utf-8")
    panel.discover(str(plain), None)  # no F1 curve of the old corpus survives
    assert len(panel.chart.data()["threshold"]) == 0
    x, _ = panel.chart.f1_curve.getData()
    assert x is None or len(x) == 0
    qtbot.waitUntil(lambda: len(panel.chart.data()["threshold"]) == 6 and not panel._sweep_job.running,
                    timeout=TIMEOUT_MS)
    x, _ = panel.chart.f1_curve.getData()
    assert x is None or len(x) == 0
    assert "no gold" in panel.chart.getAxis("left").labelText
    assert not panel.chart.getAxis("left").style["showValues"]  # no F1 values without gold; the sizes have theirs
    assert panel.chart.getAxis("bottom").style["showValues"] and panel.chart.getAxis("right").style["showValues"]


def test_before_the_first_lexicon_nothing_pretends_to_be_one(qtbot, panel):
    assert panel.lexicon.model.rowCount() == 0 and panel.lexicon.summary.text() == ""
    assert not any(panel.chart.getAxis(side).style["showValues"] for side in ("left", "bottom", "right"))
    assert not panel.chart.marker.isVisible()  # no threshold marked on an axis that is not there yet
    assert not panel.lexicon._slot.running  # no job arranges an empty table
    panel.discover("peoples-daily", "peoples-daily")
    assert "People's Daily" in panel.metrics_label.text() and "peoples-daily" not in panel.metrics_label.text()
    assert panel.chart.getAxis("bottom").autoSIPrefix is False


def test_a_wrong_scheduler_address_is_said_in_the_sidebar(qtbot, panel, small_gold):
    """The scheduler field goes through the same job: a malformed address fails it with one sentence."""
    panel.controls.add_corpus(small_gold.name, str(small_gold))
    panel.controls.scheduler_edit.setText("local:0")
    with qtbot.waitSignal(panel.context.jobs.ended, timeout=TIMEOUT_MS):
        panel.controls.scheduler_edit.returnPressed.emit()
    qtbot.waitUntil(lambda: "local:N" in panel.metrics_label.text(), timeout=TIMEOUT_MS)
    assert "tcp://HOST:PORT" in panel.metrics_label.text()
    panel.controls.scheduler_edit.clear()
    assert panel.controls.scheduler is None


def test_the_boundary_statistic_switches_live_from_the_cached_counts(qtbot, panel, small_gold):
    import numpy as np

    with qtbot.waitSignal(panel.first_job_done, timeout=TIMEOUT_MS):
        panel.discover(str(small_gold), str(small_gold))
    counted, f1 = panel.state.counted, panel.state.result.scores.f1
    tips = [t for t in panel.text._gaps.values() if "PMI =" in t]
    assert tips and all("branching entropy: H_R(" in t and "H_L(" in t for t in tips)  # the hover has both
    n = len(cat.STATISTICS.names) * 6
    qtbot.waitUntil(lambda: panel._last_sweep is not None and len(panel._last_sweep.f1) == n
                    and not panel._sweep_job.running, timeout=TIMEOUT_MS)
    box = panel.controls.statistic_box
    box.setCurrentIndex(box.findData("both"))
    qtbot.waitUntil(lambda: panel.state.params.statistic == "both" and not panel._resegment_job.running,
                    timeout=TIMEOUT_MS)
    assert panel.state.counted is counted and panel.state.result.scores.f1 != f1  # no recount, a new lexicon
    assert not panel._sweep_job.running  # the sweep already holds every statistic: only the bold curve moves
    assert panel.chart.f1_curve is panel.chart.curves["both"] and panel.chart.f1_curve.opts["pen"].width() == 3
    data = panel.chart.data()
    assert all(np.isfinite(data[f"f1_{s}"]).all() for s in cat.STATISTICS.names)
    at = int(np.flatnonzero(data["threshold"] == panel.state.params.threshold(2))[0])
    assert data["f1"][at] == pytest.approx(panel.state.result.scores.f1)


def test_a_base_corpus_joins_the_counts_and_marks_the_words_new_in_the_text(qtbot, panel, tmp_path):
    text = tmp_path / "short.txt"
    text.write_text("\n".join(["小熵今天说最小熵原理很有意思", "小熵觉得今天的天气不错"] * 8) + "\n", encoding="utf-8")
    controls = panel.controls
    assert not controls.base_weight.isEnabled()
    controls.base_box.setCurrentIndex(controls.base_box.findData("peoples-daily"))
    controls._base_changed()  # what choosing it in the box does
    assert controls.base_weight.isEnabled() and controls.base == ("peoples-daily", 1.0)
    panel.discover(str(text), None)
    qtbot.waitUntil(lambda: panel.state is not None and panel.state.counted.pooled is not None, timeout=TIMEOUT_MS)
    rows = {r.word: r for r in panel.state.rows}
    assert rows["小熵"].in_base == 0 and rows["今天"].in_base > 100  # new in the text / known to the base
    assert "base corpus" in panel.metrics_label.text() and panel.parameters()["base_corpus"] == "peoples-daily"
    model = panel.lexicon.model
    qtbot.waitUntil(lambda: model.rowCount() == len(panel.state.rows), timeout=TIMEOUT_MS)
    column = [model.headerData(i, QtCore.Qt.Orientation.Horizontal) for i in range(model.columnCount())].index("in base")
    shown = {model.data(model.index(r, 0)): model.data(model.index(r, column)) for r in range(model.rowCount())}
    assert shown["小熵"] == "0 (new)"
    assert not panel.lexicon.view.isColumnHidden(column)
