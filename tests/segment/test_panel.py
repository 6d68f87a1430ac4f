"""The panel on a small corpus: segmented text with gap statistics, lexicon table, live thresholds."""
import pytest

TIMEOUT_MS = 90_000


@pytest.fixture
def panel(qtbot, make_panel):
    import workbench.panels.segment as segment

    return make_panel(segment)


@pytest.fixture
def small_gold(tmp_path):
    from engines.segment.corpus import peoples_daily_path

    lines = peoples_daily_path().read_text(encoding="utf-8").splitlines()[:400]
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
    assert panel.lexicon.model.rowCount() == len(state.rows) > 100
    assert "F1" in panel.metrics_label.text()
    assert len(panel.chart.data()["threshold"]) >= 1
    before = len(state.rows)
    with qtbot.waitSignal(panel.context.jobs.ended, timeout=TIMEOUT_MS):
        panel.t2.setValue(3.5)
    qtbot.waitUntil(lambda: panel.state is not state, timeout=TIMEOUT_MS)
    assert panel.state.counted is state.counted  # from cached counts
    assert len(panel.state.rows) != before
    panel.lexicon.search.setText("^中")
    assert 0 < panel.lexicon.proxy.rowCount() < panel.lexicon.model.rowCount()
    assert panel.parameters()["thresholds"][1] == pytest.approx(3.5)
    assert [f.title for f in panel.figures()][0].startswith("F1")


def test_panel_clusters_digits(qtbot, panel):
    panel.cluster_method.setCurrentText("kmeans")
    panel.cluster_embedding.setCurrentText("raw")
    panel.run_cluster()
    qtbot.waitUntil(lambda: panel.cluster_result is not None, timeout=TIMEOUT_MS)
    assert panel.cluster_result.metrics["accuracy"] > 0.7
    assert "accuracy" in panel.cluster_metrics.text()
