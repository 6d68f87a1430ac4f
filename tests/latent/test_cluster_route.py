"""The latent panel's codes reach the clustering panel through the main window (no .npz in between)."""
import numpy as np
import pytest
from PySide6 import QtCore

TIMEOUT_MS = 90_000


@pytest.fixture
def window(qtbot, monkeypatch, tmp_path):
    import workbench.panels.cluster as cluster
    import workbench.panels.latent as latent
    from tests.fake_panel import shell_window
    from workbench.settings import Settings

    settings = Settings(QtCore.QSettings(str(tmp_path / "settings.ini"), QtCore.QSettings.Format.IniFormat))
    w = shell_window(qtbot, monkeypatch, settings, [latent, cluster])  # the latent panel in front: the bundled VAE
    yield w
    w.jobs.shutdown(10_000)


def test_cluster_these_encodings(qtbot, window, monkeypatch):
    from tasks.clustering import Vectors

    latent, clusters = window.panel("latent"), window.panel("cluster")
    qtbot.waitUntil(lambda: latent.ready, timeout=TIMEOUT_MS)
    assert latent.map_box.cluster_button.isEnabled()
    clusters.controls.method.setCurrentIndex(clusters.controls.method.findData("kmeans"))
    clusters.controls.embedding.setCurrentIndex(clusters.controls.embedding.findData("raw"))
    received = []
    take = clusters.receive
    monkeypatch.setattr(clusters, "receive", lambda kind, payload: (received.append((kind, payload)), take(kind, payload)))
    latent.map_box.cluster_button.click()
    assert window.current_panel() is clusters
    enc, name = latent.overview.encoded, f"codes of the {latent.overview.checkpoint.config.title}"
    [(kind, payload)] = received
    assert kind == "vectors" and isinstance(payload, Vectors) and payload.name == name
    np.testing.assert_array_equal(payload.x, enc.z)
    assert payload.images.shape == (1797, 8, 8)
    qtbot.waitUntil(lambda: clusters.result is not None and clusters.result.data_name == name, timeout=TIMEOUT_MS)
    result = clusters.result
    assert len(result.assignments) == result.metrics["points"] == len(enc.z) == 1797
    assert result.method == "kmeans"
    np.testing.assert_array_equal(result.labels, enc.labels)
    assert result.metrics["accuracy"] > 0.5  # the codes keep the digits apart
    assert len(result.images) == len(enc.z)
    assert clusters.controls.data.currentText() == f"{name} (1,797 × 16)"


def _kmeans_raw(clusters):
    clusters.controls.method.setCurrentIndex(clusters.controls.method.findData("kmeans"))
    clusters.controls.embedding.setCurrentIndex(clusters.controls.embedding.findData("raw"))


def test_the_map_is_coloured_by_the_clustering_panels_clusters_of_the_same_rows(qtbot, window):
    from tasks.clustering import Vectors

    latent, clusters = window.panel("latent"), window.panel("cluster")
    qtbot.waitUntil(lambda: latent.ready, timeout=TIMEOUT_MS)
    view, enc = latent.map_tab.map_view, latent.overview.encoded
    _kmeans_raw(clusters)
    clusters.controls.data.setCurrentIndex(0)  # the digits themselves (not the codes)
    clusters.run_cluster()
    qtbot.waitUntil(lambda: clusters.result is not None and clusters.result.method == "kmeans"
                    and clusters.result.embedding == "raw", timeout=TIMEOUT_MS)
    result = clusters.result
    latent.map_box.colour.setCurrentIndex(1)
    by_row = dict(zip(result.rows.tolist(), result.assignments.tolist()))
    np.testing.assert_array_equal(view.data()["cluster"], [by_row[r] for r in enc.data.all_rows.tolist()])
    assert "clusters from the Clustering panel:<br>k-means on digits, 10 clusters" in view.getPlotItem().titleLabel.text
    assert latent.parameters()["map_clusters"] == ("coloured by clusters from the Clustering panel: k-means on digits, "
                                                   "10 clusters")  # the export's sidecar says whose
    # a clustering of some of the digits' rows only: the map goes back to k-means on its codes, and says why
    some = np.arange(0, 1797, 2)
    clusters.receive("vectors", Vectors("half the digits", enc.z[some], rows=enc.data.all_rows[some], dataset="digits"))
    qtbot.waitUntil(lambda: "are of other rows" in view.getPlotItem().titleLabel.text
                    and "k-means (k = 10) on the codes" in view.getPlotItem().titleLabel.text, timeout=TIMEOUT_MS)
    assert clusters.result.data_name == "half the digits" and len(view.data()["cluster"]) == 1797
