"""The panel on a small corpus: segmented text with gap statistics, lexicon table, live thresholds;
clusters of points, exported as CSV and in InfoMap's formats."""
import csv

import numpy as np
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
    state = panel.state
    with qtbot.waitSignal(panel.context.jobs.ended, timeout=TIMEOUT_MS):
        panel.numbers_box.setChecked(False)
    qtbot.waitUntil(lambda: panel.state is not state, timeout=TIMEOUT_MS)
    assert panel.parameters()["numbers"] is False
    assert panel.state.result.scores.f1 != state.result.scores.f1


def test_panel_clusters_digits(qtbot, panel):
    panel.cluster_method.setCurrentText("kmeans")
    panel.cluster_embedding.setCurrentText("raw")
    panel.run_cluster()
    qtbot.waitUntil(lambda: panel.cluster_result is not None, timeout=TIMEOUT_MS)
    assert panel.cluster_result.metrics["accuracy"] > 0.7
    assert "accuracy" in panel.cluster_metrics.text()


def read_csv(path):
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


def test_export_button_waits_for_a_result_and_kmeans_exports_csv_only(qtbot, panel, tmp_path):
    assert not panel.export_button.isEnabled() and panel.export_button.toolTip()
    panel.cluster_method.setCurrentText("kmeans")
    panel.cluster_embedding.setCurrentText("raw")
    panel.run_cluster()
    qtbot.waitUntil(lambda: panel.cluster_result is not None, timeout=TIMEOUT_MS)
    assert panel.export_button.isEnabled()
    written = panel.export_clusters(tmp_path / "km.csv")
    assert [p.name for p in written] == ["km.csv"] and not (tmp_path / "km.clu").exists()
    rows = read_csv(tmp_path / "km.csv")
    assert rows[0] == ["index", "cluster", "label"] and len(rows) - 1 == 1797
    assert [int(r[1]) for r in rows[1:]] == panel.cluster_result.assignments.tolist()
    assert (tmp_path / "km.csv.json").exists()


def test_infomap_result_exports_clu_and_tree(qtbot, panel, tmp_path, monkeypatch):
    from PySide6 import QtWidgets

    rng = np.random.default_rng(0)
    labels = np.repeat(np.arange(3), 40)
    points = np.array([[0.0, 0.0], [10.0, 0.0], [0.0, 10.0]])[labels] + rng.normal(size=(120, 2))
    np.savez(tmp_path / "blobs.npz", x=points, labels=labels)
    panel.cluster_method.setCurrentText("infomap")
    panel.cluster_embedding.setCurrentText("raw")
    panel.cluster_k.setValue(3)
    panel.open_path("dataset", tmp_path / "blobs.npz")
    qtbot.waitUntil(lambda: panel.cluster_result is not None, timeout=TIMEOUT_MS)
    assignments = panel.cluster_result.assignments
    assert panel.cluster_result.method == "infomap" and panel.cluster_result.metrics["points"] == 120

    chosen = tmp_path / "blobs_modules.tree"  # any of the three suffixes names all three files
    monkeypatch.setattr(QtWidgets.QFileDialog, "getSaveFileName", lambda *a, **k: (str(chosen), "InfoMap tree (*.tree)"))
    panel.export_button.click()
    assert panel.messages[-1].startswith("Wrote blobs_modules.csv, blobs_modules.clu, blobs_modules.tree")

    rows = read_csv(tmp_path / "blobs_modules.csv")
    assert len(rows) - 1 == 120 and [int(r[1]) for r in rows[1:]] == assignments.tolist()
    clu = [line.split() for line in (tmp_path / "blobs_modules.clu").read_text().splitlines()
           if line and not line.startswith("#")]
    modules = {int(node): int(module) for node, module, _flow in clu}
    assert sorted(modules) == list(range(120))
    assert all(modules[node] - 1 == assignments[node] for node in modules)  # InfoMap counts modules from 1
    tree = [line.split() for line in (tmp_path / "blobs_modules.tree").read_text().splitlines()
            if line and not line.startswith("#")]
    assert sorted(int(row[-1]) for row in tree) == list(range(120))
    assert all(int(row[0].split(":")[0]) == modules[int(row[-1])] for row in tree)
    for name in ("blobs_modules.csv", "blobs_modules.clu", "blobs_modules.tree"):
        assert (tmp_path / (name + ".json")).exists()


def test_word_modules_export_words_and_infomap_files(qtbot, panel, small_gold, tmp_path):
    with qtbot.waitSignal(panel.first_job_done, timeout=TIMEOUT_MS):
        panel.discover(str(small_gold), str(small_gold))
    panel.cluster_data.setCurrentIndex(panel.cluster_data.findData("words"))
    panel.run_cluster()
    qtbot.waitUntil(lambda: panel.word_modules is not None, timeout=TIMEOUT_MS)
    assert panel.export_button.isEnabled()
    modules = panel.word_modules
    written = panel.export_clusters(tmp_path / "words.csv")
    assert [p.name for p in written] == ["words.csv", "words.clu", "words.tree"]
    rows = read_csv(tmp_path / "words.csv")
    assert rows[0] == ["index", "word", "cluster"] and len(rows) - 1 == len(modules.words)
    biggest = {w for w, _ in modules.modules[0]}
    assert {r[1] for r in rows[1:] if r[2] == "0"} == biggest
    clu = [line for line in (tmp_path / "words.clu").read_text().splitlines() if line and not line.startswith("#")]
    assert len(clu) == len(modules.words)
