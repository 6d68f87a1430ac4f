"""The clustering panel: the digits on first launch, datasets it opens, vectors and words other panels send
(bad payloads refused), controls generated from the catalogue, exports as CSV and InfoMap's formats."""
import csv
import json

import numpy as np
import pytest

from engines.errors import InputError
from tasks.clustering import Vectors, Words

TIMEOUT_MS = 300_000  # t-SNE of the digits on a loaded 2-core machine
LINES = ([["北京", "上海", "天津", "广州"], ["苹果", "香蕉", "橘子", "葡萄"], ["跑步", "游泳", "滑雪", "登山"]] * 25
         + [["北京", "苹果"], ["香蕉", "游泳"]])


@pytest.fixture
def panel(qtbot, make_panel):
    import workbench.panels.cluster as cluster

    return make_panel(cluster)


def blobs(n_per=40, seed=0):
    rng = np.random.default_rng(seed)
    labels = np.repeat(np.arange(3), n_per)
    points = np.array([[0.0, 0.0], [10.0, 0.0], [0.0, 10.0]])[labels] + rng.normal(size=(3 * n_per, 2))
    return points, labels


def read_csv(path):
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


def choose(panel, method, embedding, k=None):
    panel.controls.method.setCurrentIndex(panel.controls.method.findData(method))
    panel.controls.embedding.setCurrentIndex(panel.controls.embedding.findData(embedding))
    if k is not None:
        panel.controls.options.set_values({"k": k})


def test_registered_after_segmentation():
    from workbench.panels import panel_infos

    names = [info.name for info in panel_infos()]
    assert names.index("cluster") == names.index("segment") + 1


def test_first_launch_clusters_the_digits_with_the_best_method(qtbot, panel):
    assert not panel.ready
    with qtbot.waitSignal(panel.first_job_done, timeout=TIMEOUT_MS):
        panel.start()
        # before the result: the method and embedding in words, no made-up values on the empty size axes
        assert panel.scatter.scatter_plot.titleLabel.text.startswith("k-means on t-SNE of digits")
        assert not panel.scatter.sizes_plot.getAxis("left").style["showValues"]
    assert panel.scatter.sizes_plot.getAxis("left").style["showValues"]
    result = panel.result
    assert (result.method, result.embedding, result.data_name) == ("kmeans", "tsne", "digits")
    assert result.metrics["accuracy"] >= 0.9 and result.metrics["refine_neighbours"] == 10
    assert "accuracy" in panel.summary.text()
    assert len(panel.scatter.data()["x"]) == 1797
    assert panel.views.currentWidget() is panel.scatter
    assert panel.parameters()["panel"] == "cluster" and panel.parameters()["embedding"] == "tsne"


def test_panel_clusters_digits(qtbot, panel):
    choose(panel, "kmeans", "raw")
    panel.run_cluster()
    qtbot.waitUntil(lambda: panel.result is not None, timeout=TIMEOUT_MS)
    assert panel.result.metrics["accuracy"] > 0.7
    assert "accuracy" in panel.summary.text()
    assert [f.title for f in panel.figures()] == ["Clusters"]


def test_controls_follow_the_catalogue(panel):
    from engines.cluster.catalogue import EMBEDDINGS, METHODS

    controls = panel.controls
    assert [controls.method.itemData(i) for i in range(controls.method.count())] == list(METHODS.names)
    assert [controls.embedding.itemData(i) for i in range(controls.embedding.count())] == list(EMBEDDINGS.names)
    markov = controls.options.editors["markov_time"]
    assert (controls.method.currentData(), controls.embedding.currentData()) == ("kmeans", "tsne")  # first launch
    for name in reversed(METHODS.names):  # each a change
        controls.method.setCurrentIndex(controls.method.findData(name))
        assert controls.embedding.currentData() == METHODS[name].embedding
        assert controls.options.layout_.isRowVisible(markov) == (name == "infomap")
        assert controls.embedding.isEnabled() == METHODS[name].uses_embedding
    request = controls.request()
    assert request.method == "kmeans" and request.embedding == "raw" and request.k == 10 and request.markov_time is None  # "auto"
    controls.options.set_values({"markov_time": 2.5, "k": 7})
    assert controls.request().markov_time == 2.5 and controls.request().k == 7
    levels = controls.options.editors["levels"]  # InfoMap's code by its name, read back as the catalogue's value
    assert levels.currentText() == "two-level" and controls.request().levels == "two"
    levels.setCurrentText("multilevel")
    assert controls.request().levels == "multi"


def test_export_button_waits_for_a_result_and_kmeans_exports_csv_only(qtbot, panel, tmp_path):
    assert not panel.controls.export_button.isEnabled() and panel.controls.export_button.toolTip()
    with pytest.raises(InputError, match="no clustering"):
        panel.export_clusters(tmp_path / "none.csv")
    choose(panel, "kmeans", "raw")
    panel.run_cluster()
    qtbot.waitUntil(lambda: panel.result is not None, timeout=TIMEOUT_MS)
    assert panel.controls.export_button.isEnabled()
    written = panel.export_clusters(tmp_path / "km.csv")
    assert [p.name for p in written] == ["km.csv"] and not (tmp_path / "km.clu").exists()
    rows = read_csv(tmp_path / "km.csv")
    assert rows[0] == ["index", "cluster", "label"] and len(rows) - 1 == 1797
    assert [int(r[0]) for r in rows[1:]] == list(range(1797))  # rows of load_digits(), in that order
    assert [int(r[1]) for r in rows[1:]] == panel.result.assignments[np.argsort(panel.result.rows)].tolist()
    sidecar = json.loads((tmp_path / "km.csv.json").read_text())["parameters"]
    assert sidecar["panel"] == "cluster" and sidecar["method"] == "kmeans" and sidecar["data"] == "digits"


def test_infomap_result_exports_clu_and_tree(qtbot, panel, tmp_path, monkeypatch):
    from PySide6 import QtWidgets

    points, labels = blobs()
    np.savez(tmp_path / "blobs.npz", x=points, labels=labels)
    choose(panel, "infomap", "raw", k=3)
    panel.open_path("dataset", tmp_path / "blobs.npz")
    assert panel.controls.source_label() == "blobs.npz"
    qtbot.waitUntil(lambda: panel.result is not None, timeout=TIMEOUT_MS)
    assignments = panel.result.assignments
    assert panel.result.method == "infomap" and panel.result.metrics["points"] == 120

    chosen = tmp_path / "blobs_modules.tree"  # any of the three suffixes names all three files
    monkeypatch.setattr(QtWidgets.QFileDialog, "getSaveFileName", lambda *a, **k: (str(chosen), "InfoMap tree (*.tree)"))
    panel.controls.export_button.click()
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


def test_opening_a_missing_or_unusable_file(qtbot, panel, tmp_path):
    with pytest.raises(InputError, match="does not exist"):
        panel.open_path("dataset", tmp_path / "gone.npy")
    with pytest.raises(InputError, match="does not open checkpoint"):
        panel.open_path("checkpoint", tmp_path / "model.safetensors")
    picture = tmp_path / "picture.png"
    picture.write_bytes(b"\x89PNG")
    with qtbot.waitSignal(panel.first_job_done, timeout=TIMEOUT_MS):
        panel.open_path("dataset", picture)
    assert panel.result is None and "expected .npy, .npz, .csv, .tsv or .txt" in panel.summary.text()


def test_received_vectors_are_clustered_before_the_first_launch(qtbot, panel):
    points, labels = blobs(30, seed=1)
    images = np.zeros((90, 4, 4))
    images[np.arange(90), labels, labels] = 1.0
    choose(panel, "kmeans", "raw", k=3)
    with qtbot.waitSignal(panel.first_job_done, timeout=TIMEOUT_MS):
        panel.receive("vectors", Vectors("codes of blobs", points, labels, images))
        panel.start()  # the shell starts a panel when it is first shown, right after handing it data
    result = panel.result
    assert result.data_name == "codes of blobs" and result.metrics["accuracy"] == 1.0
    assert panel.controls.source_label() == "codes of blobs (90 × 2)"
    assert result.images is not None and "samples per cluster" in panel.scatter.samples_plot.titleLabel.text
    assert panel.parameters()["data"] == "codes of blobs"


@pytest.mark.parametrize("kind, payload, words", [
    ("points", Vectors("x", np.zeros((5, 2))), "does not take points"),
    ("vectors", {"name": "codes", "x": np.zeros((5, 2))}, "expected clustering vectors"),
    ("vectors", Vectors("codes", np.full((5, 2), np.nan)), "NaN"),
    ("vectors", Vectors("codes", np.zeros(5)), "expected an \\(N, D\\) numeric array"),
    ("words", Vectors("codes", np.zeros((5, 2))), "expected segmented text"),
    ("words", Words("corpus", [["a", 3]]), "lists of strings"),
    ("words", Words("corpus", [[], []]), "no words"),
])
def test_bad_payloads_are_refused(panel, kind, payload, words):
    with pytest.raises(InputError, match=words):
        panel.receive(kind, payload)
    assert not panel.cluster_job.running and panel.controls.data.count() == 1


def test_received_words_show_their_modules_and_export(qtbot, panel, tmp_path):
    with qtbot.waitSignal(panel.first_job_done, timeout=TIMEOUT_MS):
        panel.receive("words", Words("a tiny corpus", LINES))
    assert panel.controls.source_label() == "words of a tiny corpus"
    assert not panel.controls.method.isEnabled()
    modules = panel.result
    groups = [{w for w, _ in g} for g in modules.modules]
    assert {"北京", "上海", "天津", "广州"} in groups and {"跑步", "游泳", "滑雪", "登山"} in groups
    assert panel.views.currentWidget() is panel.modules_view
    assert "北京" in panel.modules_view.toPlainText() and "modules" in panel.summary.text()
    assert panel.controls.export_button.isEnabled()
    written = panel.export_clusters(tmp_path / "words.csv")
    assert [p.name for p in written] == ["words.csv", "words.clu", "words.tree", "words.levels.csv"]
    rows = read_csv(tmp_path / "words.csv")
    assert rows[0] == ["index", "word", "cluster"] and len(rows) - 1 == len(modules.words)
    biggest = {w for w, _ in modules.modules[0]}
    assert {r[1] for r in rows[1:] if r[2] == "0"} == biggest
    clu = [line for line in (tmp_path / "words.clu").read_text().splitlines() if line and not line.startswith("#")]
    assert len(clu) == len(modules.words)
    sidecar = json.loads((tmp_path / "words.csv.json").read_text())["parameters"]
    assert sidecar["panel"] == "cluster" and sidecar["data"] == "a tiny corpus" and sidecar["top"] == 1500


def test_k_is_shown_only_where_it_acts(panel):
    """InfoMap finds its own number of modules: k shows (as a bound) only while its Markov time is automatic."""
    controls = panel.controls
    form = controls.options.layout_
    k, markov = controls.options.editors["k"], controls.options.editors["markov_time"]
    controls.method.setCurrentIndex(controls.method.findData("kmeans"))
    assert form.isRowVisible(k) and form.labelForField(k).text() == "Clusters k"
    controls.method.setCurrentIndex(controls.method.findData("infomap"))
    assert form.isRowVisible(k) and "1.5" in form.labelForField(k).text()  # automatic Markov time: k bounds the modules
    markov.setValue(2.5)  # a fixed Markov time: InfoMap's modules are its own, k does nothing
    assert not form.isRowVisible(k)
    controls.method.setCurrentIndex(controls.method.findData("gmm"))
    assert form.isRowVisible(k) and not form.isRowVisible(markov)
    controls.method.setCurrentIndex(controls.method.findData("infomap"))
    assert not form.isRowVisible(k)
    markov.setValue(markov.minimum())  # back to "auto"
    assert form.isRowVisible(k) and controls.request().markov_time is None


def test_multi_level_infomap_shows_its_module_tree_as_exported(qtbot, panel, tmp_path):
    controls = panel.controls
    controls.method.setCurrentIndex(controls.method.findData("infomap"))
    controls.embedding.setCurrentIndex(controls.embedding.findData("raw"))
    controls.options.set_values({"markov_time": 1.0, "levels": "multi"})
    panel.run_cluster()
    qtbot.waitUntil(lambda: panel.result is not None and panel.result.paths is not None, timeout=TIMEOUT_MS)
    result, tree = panel.result, panel.module_tree.tree
    assert panel.module_tree.isVisibleTo(panel) and len(result.levels) >= 3
    assert tree.topLevelItemCount() == result.levels[1].modules
    assert "codelength" in panel.module_tree.levels.text() and "L2:" in panel.module_tree.levels.text()
    # follow the first modules down to a point: its path is the one the exported .tree gives it
    item, path = tree.topLevelItem(0), []
    while item.childCount():
        if item.text(0).startswith("module "):
            path = item.text(0).split(" ")[1]
        item = item.child(0)
    point = item.text(0).split(" ")[1].rstrip(",")  # "point 158, class 8"
    written = panel.export_clusters(tmp_path / "digits.csv")
    assert [p.name for p in written][-1] == "digits.levels.csv"
    lines = [line.split(" ") for line in (tmp_path / "digits.tree").read_text().splitlines() if not line.startswith("#")]
    node_path = next(fields[0] for fields in lines if fields[-1] == point)
    assert node_path.rsplit(":", 1)[0] == path and path.count(":") >= 1


def test_the_samples_caption_fits_its_narrow_column(qtbot):
    import types

    from workbench.panels.cluster.scatter import ClusterScatter

    points, labels = blobs(30, seed=1)
    images = np.random.default_rng(0).random((90, 8, 8))
    result = types.SimpleNamespace(assignments=labels, projection=points, images=images, method="kmeans",
                                   embedding="raw", data_name="digits", metrics={"clusters": 3})
    scatter = ClusterScatter()
    qtbot.addWidget(scatter)
    scatter.resize(560, 640)  # the figure's width beside the module tree in a 1280 px window
    scatter.show()
    qtbot.waitExposed(scatter)
    scatter.set_result(result)
    label = scatter.samples_plot.titleLabel
    qtbot.waitUntil(lambda: label.item.boundingRect().width() > 0)
    assert "samples per cluster" in label.text
    assert label.item.boundingRect().width() <= scatter.samples_plot.width()  # not clipped at either side
