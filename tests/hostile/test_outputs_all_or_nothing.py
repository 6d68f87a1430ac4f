"""Outputs are replaced as a set or not at all: every ``run`` command, the checkpoints of ``train`` and the
GUI exports write into a staging folder; when their last write fails the old files stay byte-identical
and no staging or backup folder is left behind."""
from __future__ import annotations

import contextlib
import errno
import os
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cli
from engines.errors import InputError
from engines.export import staging
from engines.export.staging import BACKUP_PREFIX, STAGING_PREFIX, staged_outputs

NAMES = st.sampled_from(["a.csv", "b.json", "c.png", "sub/d.txt", "e.npz"])


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` by relative path, with its bytes."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def litter(folder: Path) -> list[str]:
    return [p.name for p in folder.rglob("*") if p.name.startswith((STAGING_PREFIX, BACKUP_PREFIX, "."))]


def no_space(path: Path):
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))


# ---------------------------------------------------------------- the staging helper itself

@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(old=st.dictionaries(NAMES, st.binary(max_size=20), max_size=4),
       new=st.dictionaries(NAMES, st.binary(max_size=20), min_size=1, max_size=5),
       fail_at=st.integers(0, 6))
def test_a_failed_commit_restores_every_old_file(tmp_path_factory, old, new, fail_at):
    """A rename that fails part-way through the commit puts back what was already replaced."""
    folder = tmp_path_factory.mktemp("out")
    for name, data in old.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
    before = snapshot(folder)
    real_replace = os.replace
    calls = {"n": 0}

    def flaky_replace(src, dst):
        if STAGING_PREFIX in str(src):
            calls["n"] += 1
            if calls["n"] > fail_at:
                raise OSError(errno.EIO, os.strerror(errno.EIO), str(dst))
        return real_replace(src, dst)

    staging.os.replace = flaky_replace
    try:
        with pytest.raises(InputError) if fail_at < len(new) else contextlib.nullcontext():
            with staged_outputs(folder) as stage:
                for name, data in new.items():
                    (stage / name).parent.mkdir(parents=True, exist_ok=True)
                    (stage / name).write_bytes(data)
    finally:
        staging.os.replace = real_replace
    expected = before if fail_at < len(new) else {**before, **new}
    assert snapshot(folder) == expected
    assert litter(folder) == []


def test_an_error_while_writing_leaves_the_folder_as_it_was(tmp_path):
    (tmp_path / "metrics.json").write_text("old")
    with pytest.raises(InputError, match=r"could not write .*sidecar\.json: No space left on device; nothing in"):
        with staged_outputs(tmp_path) as stage:
            (stage / "metrics.json").write_text("new")
            no_space(stage / "sidecar.json")
    assert snapshot(tmp_path) == {"metrics.json": b"old"}


def test_a_target_that_is_a_folder_is_refused_before_anything_moves(tmp_path):
    (tmp_path / "a.csv").write_text("old")
    (tmp_path / "figure.png").mkdir()
    with pytest.raises(InputError, match=r"figure\.png: it is a folder; remove or rename it"):
        with staged_outputs(tmp_path) as stage:
            (stage / "a.csv").write_text("new")
            (stage / "figure.png").write_bytes(b"png")
    assert (tmp_path / "a.csv").read_text() == "old" and (tmp_path / "figure.png").is_dir()
    assert litter(tmp_path) == []


def test_obsolete_files_go_with_a_successful_commit_only(tmp_path):
    (tmp_path / "clusters.clu").write_text("old clu")
    with pytest.raises(RuntimeError):
        with staged_outputs(tmp_path, obsolete=["clusters.clu"]) as stage:
            (stage / "assignments.csv").write_text("new")
            raise RuntimeError("boom")
    assert snapshot(tmp_path) == {"clusters.clu": b"old clu"}
    with staged_outputs(tmp_path, obsolete=["clusters.clu"]) as stage:
        (stage / "assignments.csv").write_text("new")
    assert snapshot(tmp_path) == {"assignments.csv": b"new"}


# ---------------------------------------------------------------- every run command

def _corpus(tmp_path: Path) -> str:
    path = tmp_path / "corpus.txt"
    path.write_text("我们今天去学校上课\n学校里有很多学生\n我们喜欢学校\n" * 20, encoding="utf-8")
    return str(path)


def _points(tmp_path: Path) -> str:
    path = tmp_path / "points.npy"
    rng = np.random.default_rng(0)
    np.save(path, np.concatenate([rng.normal(c, 0.1, (20, 3)) for c in (0, 3, 6)]))
    return str(path)


COMMANDS = {
    "optimizer": lambda tmp, n: ["run", "optimizer", "--steps", str(10 + n)],
    "cluster": lambda tmp, n: ["run", "cluster", "--method", "kmeans", "--embedding", "raw", "--data", _points(tmp),
                               "--k", str(3 + n)],
    "segment": lambda tmp, n: ["run", "segment", "--corpus", _corpus(tmp), "--min-count", str(2 + n)],
    "diffusion": lambda tmp, n: ["run", "diffusion", "--mixture", "eight_gaussians", "--sampler", "ddim", "--nfe", "4",
                                 "--samples", str(40 + n)],
    "latent": lambda tmp, n: ["run", "latent", "--from", "0", "--to", str(1 + n), "--steps", "3"],
}


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_run_whose_last_write_fails_keeps_the_previous_outputs(command, tmp_path, monkeypatch, capsys):
    out = tmp_path / "out"
    assert cli.main([*COMMANDS[command](tmp_path, 0), "--out", str(out)]) == 0
    before = snapshot(out)
    assert "sidecar.json" in before and len(before) >= 3

    monkeypatch.setattr("tasks.outputs.write_sidecar", lambda target, parameters: no_space(Path(target) / "sidecar.json"))
    capsys.readouterr()
    assert cli.main([*COMMANDS[command](tmp_path, 1), "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert f"workbench: error: could not write {out / 'sidecar.json'}: No space left on device" in err
    assert snapshot(out) == before
    assert litter(out) == []


# ---------------------------------------------------------------- checkpoints and GUI exports

def test_a_checkpoint_whose_json_cannot_be_written_keeps_the_old_pair(tmp_path, monkeypatch):
    import torch

    from engines.checkpoints.files import save_checkpoint

    path = tmp_path / "model.safetensors"
    save_checkpoint(path, {"w": torch.zeros(3)}, {"format": "test"})
    before = snapshot(tmp_path)
    monkeypatch.setattr("engines.export.atomic.atomic_write_text", lambda target, text: no_space(Path(target)))
    with pytest.raises(InputError, match=r"could not write .*model\.json: No space left on device"):
        save_checkpoint(path, {"w": torch.ones(3)}, {"format": "test"})
    assert snapshot(tmp_path) == before and litter(tmp_path) == []


def test_a_figure_export_whose_sidecar_fails_keeps_the_old_png(tmp_path, monkeypatch, qtbot):
    """File > Export figure: the PNG is staged with its sidecar, so a sidecar that cannot be written leaves
    the old PNG in place and the failure is said once."""
    from types import SimpleNamespace

    import pyqtgraph as pg
    from PySide6 import QtCore, QtWidgets

    from workbench.export import dialogs
    from workbench.panel import Figure
    from workbench.settings import Settings

    widget = pg.PlotWidget()
    widget.plot([0, 1, 2], [2, 0, 1])
    qtbot.addWidget(widget)
    panel = SimpleNamespace(figures=lambda: [Figure("Loss", widget)], parameters=lambda: {"seed": 1})
    settings = Settings(QtCore.QSettings(str(tmp_path / "settings.ini"), QtCore.QSettings.Format.IniFormat))
    out = tmp_path / "out"
    out.mkdir()
    path = out / "figure.png"
    path.write_bytes(b"old png")
    (out / "figure.png.json").write_text("old sidecar")
    boxes: list[str] = []
    monkeypatch.setattr(QtWidgets.QFileDialog, "getSaveFileName", staticmethod(lambda *a: (str(path), dialogs.PNG)))
    monkeypatch.setattr(dialogs.FigureOptionsDialog, "exec", lambda self: QtWidgets.QDialog.DialogCode.Accepted)
    monkeypatch.setattr(QtWidgets.QMessageBox, "critical", staticmethod(lambda parent, title, text: boxes.append(text)))
    monkeypatch.setattr(dialogs, "write_sidecar", lambda target, parameters: no_space(Path(str(target) + ".json")))

    assert dialogs.export_figure(None, panel, settings) is None
    assert len(boxes) == 1 and "figure.png.json: No space left on device" in boxes[0]
    assert snapshot(out) == {"figure.png": b"old png", "figure.png.json": b"old sidecar"}
    assert litter(out) == []
    monkeypatch.undo()
    monkeypatch.setattr(QtWidgets.QFileDialog, "getSaveFileName", staticmethod(lambda *a: (str(path), dialogs.PNG)))
    monkeypatch.setattr(dialogs.FigureOptionsDialog, "exec", lambda self: QtWidgets.QDialog.DialogCode.Accepted)
    assert dialogs.export_figure(None, panel, settings) == path
    assert path.read_bytes().startswith(b"\x89PNG") and (out / "figure.png.json").read_text() != "old sidecar"


def test_a_training_run_replaces_the_old_one_whole(tmp_path, monkeypatch):
    """A training-run folder (config.json, curves, snapshots): a failed snapshot write keeps the old run;
    a new run with fewer snapshots leaves none of the old ones behind."""
    from engines.jobs import run
    from engines.landscape import digits, runs
    from engines.landscape.registry import Registry
    from engines.landscape.training import train_run

    registry = Registry()
    digits.register(registry)
    many = run(train_run, registry, "sgd:lr=0.05", steps=20, batch_size=16, seed=1, save_every=5,
               arch_config={"hidden": [8]})
    few = run(train_run, registry, "adam:lr=0.01", steps=20, batch_size=16, seed=2, save_every=10,
              arch_config={"hidden": [8]})
    folder = runs.save_run(many, tmp_path / "run")
    before = snapshot(folder)
    real, calls = runs.save_file, []

    def second_fails(tensors, path):
        calls.append(path)
        if len(calls) == 2:
            no_space(Path(path))
        real(tensors, path)

    monkeypatch.setattr(runs, "save_file", second_fails)
    with pytest.raises(InputError, match=r"could not write .*snapshot_0000\.safetensors: No space left on device"):
        runs.save_run(few, folder)
    assert snapshot(folder) == before and litter(folder) == []
    monkeypatch.setattr(runs, "save_file", real)
    runs.save_run(few, folder)
    assert sorted(snapshot(folder)) == ["config.json", "curves.safetensors", *(f"snapshot_{i:04d}.safetensors"
                                                                                for i in range(len(few.snapshots)))]
    assert runs.load_run(registry, folder).optimizer == "adam:lr=0.01"


@pytest.mark.parametrize("kind", ["a symbolic link", "not a regular file"])
def test_targets_that_are_links_or_special_files_are_refused(kind, tmp_path):
    (tmp_path / "real.csv").write_text("old")
    if kind == "a symbolic link":
        (tmp_path / "a.csv").symlink_to(tmp_path / "real.csv")
    else:
        os.mkfifo(tmp_path / "a.csv")
    with pytest.raises(InputError, match=f"a.csv: it is {kind}; remove or rename it"):
        with staged_outputs(tmp_path) as stage:
            (stage / "a.csv").write_text("new")
    assert (tmp_path / "real.csv").read_text() == "old" and litter(tmp_path) == []
