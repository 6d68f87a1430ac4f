"""The latent panel's codes reach the clustering panel through the main window (no .npz in between)."""
import numpy as np
import pytest
from PySide6 import QtCore

TIMEOUT_MS = 90_000


@pytest.fixture
def window(qtbot, monkeypatch, tmp_path):
    import workbench.main_window as main_window
    import workbench.panels.latent as latent
    import workbench.panels.segment as segment
    from workbench.settings import Settings

    monkeypatch.setattr(main_window, "panel_modules", lambda: [latent, segment])
    settings = Settings(QtCore.QSettings(str(tmp_path / "settings.ini"), QtCore.QSettings.Format.IniFormat))
    w = main_window.MainWindow(settings, device="cpu")
    qtbot.addWidget(w)
    w.show()
    w.build_panels()  # starts the latent panel in front: the bundled digits VAE
    yield w
    w.jobs.shutdown(10_000)


def test_cluster_these_encodings(qtbot, window):
    latent, clusters = window.panel("latent"), window.panel("segment")
    qtbot.waitUntil(lambda: latent.ready, timeout=TIMEOUT_MS)
    assert latent.cluster_button.isEnabled()
    clusters.cluster_method.setCurrentText("kmeans")
    clusters.cluster_embedding.setCurrentText("raw")
    latent.cluster_button.click()
    assert window.current_panel() is clusters and clusters.tabs.currentIndex() == 1
    qtbot.waitUntil(lambda: clusters.cluster_result is not None, timeout=TIMEOUT_MS)
    enc, result = latent.overview.encoded, clusters.cluster_result
    assert len(result.assignments) == result.metrics["points"] == len(enc.z) == 1797
    assert result.data_name == f"codes of {latent.overview.checkpoint.name}" and result.method == "kmeans"
    np.testing.assert_array_equal(result.labels, enc.labels)
    assert result.metrics["accuracy"] > 0.5  # the codes keep the digits apart
    assert len(result.images) == len(enc.z)
    assert clusters.cluster_data.currentText() == f"codes of {latent.overview.checkpoint.name} (1,797 × 16)"
