import hashlib
import json
from pathlib import Path

from tests.export.export_samples import PARAMETERS

from engines.export import build_sidecar, library_versions, sidecar_path
from tasks.outputs import APPLICATION, write_sidecar

KEYS = {"files", "parameters", "seed", "checkpoint_sha256", "versions", "timestamp"}


def test_sidecar_beside_a_file(tmp_path: Path):
    target = tmp_path / "figure.png"
    target.write_bytes(b"\x89PNG fake")
    written = write_sidecar(target, PARAMETERS)
    assert written == sidecar_path(target) == tmp_path / "figure.png.json"
    sidecar = json.loads(written.read_text())
    assert set(sidecar) == KEYS
    assert sidecar["files"] == [{"name": "figure.png", "sha256": hashlib.sha256(b"\x89PNG fake").hexdigest()}]
    assert sidecar["seed"] == 7 and sidecar["checkpoint_sha256"] == "ab" * 32
    assert sidecar["parameters"]["lr"] == float(PARAMETERS["lr"])  # numpy scalar written as a number
    assert sidecar["parameters"]["betas"] == [0.9, 0.999]
    assert {"workbench", "python", "numpy", "PySide6", "pyqtgraph", "platform"} <= set(sidecar["versions"])


def test_sidecar_without_seed_or_checkpoint(tmp_path: Path):
    (tmp_path / "a.csv").write_text("x\n1\n")
    sidecar = build_sidecar(tmp_path / "a.csv", {"n": 3}, APPLICATION)
    assert sidecar["seed"] is None and sidecar["checkpoint_sha256"] is None


def test_directory_sidecar_lists_every_file(tmp_path: Path):
    (tmp_path / "figures").mkdir()
    (tmp_path / "figures" / "loss.png").write_bytes(b"png")
    (tmp_path / "data.npz").write_bytes(b"npz")
    written = write_sidecar(tmp_path, {"seed": 1})
    assert written == tmp_path / "sidecar.json"
    files = json.loads(written.read_text())["files"]
    assert files == [{"name": "data.npz", "sha256": hashlib.sha256(b"npz").hexdigest()},
                     {"name": "figures/loss.png", "sha256": hashlib.sha256(b"png").hexdigest()}]
    rewritten = json.loads(write_sidecar(tmp_path, {"seed": 1}).read_text())["files"]
    assert rewritten == files  # the old sidecar is not listed as an output


def test_versions_do_not_import_torch():
    import sys

    had_torch = "torch" in sys.modules
    versions = library_versions(APPLICATION)
    assert ("torch" in sys.modules) == had_torch
    assert "torch" in versions  # installed in the test environment


def test_versions_of_libraries_not_imported_come_from_their_installed_distributions(monkeypatch):
    """A headless run has not imported PySide6: its version is read from PySide6-Essentials' metadata."""
    import sys

    import PySide6

    from engines.export import sidecar

    monkeypatch.delitem(sys.modules, "PySide6")
    sidecar._versions.cache_clear()  # looked up once per process: again here, without PySide6 imported
    try:
        assert library_versions({})["PySide6"] == PySide6.__version__
    finally:
        sidecar._versions.cache_clear()
