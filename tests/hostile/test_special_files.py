"""Special files named as inputs: a FIFO (or a link to one, as /dev/stdin is to a pipe), /dev/zero and a
folder where a file is expected are refused up front with a sentence naming the path and what it is, by
every loader and command that takes a file path; none blocks, reads forever or fills memory.

A helper thread keeps opening each FIFO for writing, so a loader that wrongly opens one reads an empty
file and fails the assertions instead of hanging the suite."""
from __future__ import annotations

import os
import re
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from engines.errors import InputError

DEV_ZERO = Path("/dev/zero")
needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes on this platform")


def _unblock(fifo: Path, stop: threading.Event) -> None:
    while not stop.wait(0.05):
        try:
            os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))  # a blocked reader sees end-of-file
        except OSError:
            pass  # no reader yet (ENXIO) or the pipe is gone


@pytest.fixture
def fifo(tmp_path) -> Iterator[Callable[[str], Path]]:
    """``fifo(name)``: a named pipe in tmp_path whose readers never block for long."""
    stop = threading.Event()
    threads = []

    def make(name: str) -> Path:
        path = tmp_path / name
        os.mkfifo(path)
        thread = threading.Thread(target=_unblock, args=(path, stop), daemon=True)
        thread.start()
        threads.append(thread)
        return path

    yield make
    stop.set()
    for thread in threads:
        thread.join()


def _read_table(p):
    from engines.data.tables import read_table
    return read_table(p)


def _read_array(p):
    from engines.data.files import read_array
    return read_array(p)


def _read_labels(p):
    from engines.data.files import read_labels
    return read_labels(p, 3)


def _read_points(p):
    from engines.data.files import read_points
    return read_points(p)


def _cluster_data(p):
    from engines.cluster.data import load_data
    return load_data(str(p))


def _latent_data(p):
    from engines.latent.data import DataSpec, load_data
    return load_data(DataSpec(p.name, path=str(p)))


def _diffusion_data(p):
    from engines.diffusion.data import load_data
    return load_data(str(p))


def _read_tensors(p):
    from engines.checkpoints import read_tensors
    return read_tensors(p)


def _read_header(p):
    from engines.checkpoints import read_header
    return read_header(p)


def _read_json_config(p):
    from engines.checkpoints import read_json_config
    return read_json_config(p)


def _read_checkpoint(p):
    from engines.checkpoints import read_checkpoint
    return read_checkpoint(p)


def _latent_checkpoint(p):
    from engines.latent.checkpoint import load_checkpoint
    return load_checkpoint(p)


def _diffusion_checkpoint(p):
    from engines.diffusion.checkpoint import load
    return load(p)


def _network(p):
    from engines.landscape.formats import open_network
    from tasks.landscape import registry
    return open_network(registry(), p)


def _corpus(p):
    from engines.segment.corpus import resolve
    return resolve(p)


def _screenshot_target(p):
    from engines.files import output_file
    return output_file(p, "PNG file")


# (loader, file name it is given, whether a folder is a legitimate input to it)
LOADERS = {
    "table": (_read_table, "x.csv", False),
    "array": (_read_array, "x.npy", False),
    "labels": (_read_labels, "labels.txt", False),
    "points": (_read_points, "p.npz", False),
    "cluster data": (_cluster_data, "x.npy", False),
    "latent data": (_latent_data, "x.npz", True),
    "diffusion data": (_diffusion_data, "x.npy", True),
    "tensors": (_read_tensors, "w.pt", False),
    "safetensors header": (_read_header, "w.safetensors", False),
    "checkpoint config": (_read_json_config, "c.json", False),
    "checkpoint": (_read_checkpoint, "w.safetensors", False),
    "latent checkpoint": (_latent_checkpoint, "w.safetensors", False),
    "diffusion checkpoint": (_diffusion_checkpoint, "w.pt", False),
    "landscape network": (_network, "w.pt", True),
    "corpus": (_corpus, "c.txt", True),
    "screenshot target": (_screenshot_target, "s.png", False),
}


def _refused(load: Callable[[Path], object], path: Path, *words: str) -> str:
    with pytest.raises(InputError) as info:
        load(path)
    message = str(info.value)
    assert str(path) in message or path.name in message, message
    assert any(w in message for w in words), message
    return message


@needs_fifo
@pytest.mark.parametrize("name", LOADERS)
def test_a_fifo_is_refused_not_read(name, fifo):
    load, file_name, _ = LOADERS[name]
    _refused(load, fifo(file_name), "named pipe (FIFO)")


@needs_fifo
@pytest.mark.parametrize("name", ["table", "tensors", "corpus", "checkpoint config"])
def test_a_link_to_a_fifo_is_refused_like_dev_stdin_on_a_pipe(name, fifo, tmp_path):
    load, file_name, _ = LOADERS[name]
    link = tmp_path / ("link" + Path(file_name).suffix)
    link.symlink_to(fifo("pipe" + Path(file_name).suffix))
    _refused(load, link, "named pipe (FIFO)")


@pytest.mark.skipif(not DEV_ZERO.exists(), reason="no /dev/zero here")
@pytest.mark.parametrize("name", LOADERS)
def test_dev_zero_is_refused_before_any_read(name):
    load, _, _ = LOADERS[name]
    _refused(load, DEV_ZERO, "character device")


@pytest.mark.parametrize("name", [n for n, (_, _, folder_ok) in LOADERS.items() if not folder_ok])
def test_a_folder_where_a_file_is_expected_is_refused(name, tmp_path):
    load, file_name, _ = LOADERS[name]
    folder = tmp_path / file_name
    folder.mkdir()
    _refused(load, folder, "is a folder")


def test_a_fifo_inside_an_image_folder_is_skipped_not_read(fifo, tmp_path):
    import imageio.v3 as iio
    import numpy as np

    from engines.data.files import read_image_folder

    fifo("a.png")
    iio.imwrite(tmp_path / "b.png", np.full((4, 4), 200, np.uint8))
    assert read_image_folder(tmp_path).shape == (1, 4, 4, 1)


def test_regular_files_still_load(tmp_path):
    import numpy as np

    (tmp_path / "t.csv").write_text("1,2\n3,4\n5,6\n", encoding="utf-8")
    assert _read_table(tmp_path / "t.csv").values.shape == (3, 2)
    np.save(tmp_path / "a.npy", np.zeros((3, 2)))
    assert _read_array(tmp_path / "a.npy")[0].shape == (3, 2)
    (tmp_path / "labels.txt").write_text("0\n1\n0\n", encoding="utf-8")
    assert list(_read_labels(tmp_path / "labels.txt")) == [0, 1, 0]
    assert _screenshot_target(tmp_path / "new.png") == tmp_path / "new.png"


def _cli(argv: list[str], capsys) -> tuple[int, str]:
    import cli

    code = cli.main(argv)
    return code, capsys.readouterr().err


@needs_fifo
@pytest.mark.parametrize("argv", [
    ["run", "cluster", "--method", "kmeans", "--data", "{fifo}.csv"],
    ["run", "cluster", "--method", "kmeans", "--data", "{fifo}.npy"],
    ["run", "latent", "--checkpoint", "{fifo}.safetensors"],
    ["run", "latent", "--checkpoint", "{fifo}.json"],
    ["run", "latent", "--dataset", "{fifo}.npz"],
    ["run", "diffusion", "--checkpoint", "{fifo}.pt"],
    ["train", "latent", "--dataset", "{fifo}.npy", "--epochs", "1"],
    ["train", "diffusion", "--dataset", "{fifo}.npy"],
    ["run", "segment", "--corpus", "{fifo}.txt"],
    ["run", "segment", "--corpus", "peoples-daily", "--gold", "{fifo}.txt"],
])
def test_every_command_refuses_a_fifo_in_one_sentence(argv, fifo, tmp_path, capsys):
    pipe = next(a for a in argv if a.startswith("{fifo}"))
    suffix = pipe.rsplit(".", 1)[-1]
    path = fifo(f"input.{suffix}")
    out = tmp_path / "out"
    code, err = _cli([str(path) if a == pipe else a for a in argv] + ["--out", str(out)], capsys)
    assert code == 1
    assert err.startswith(f"workbench: error: {path} is a named pipe (FIFO), not a "), err
    assert "Error:" not in err


def test_screenshot_into_a_folder_is_refused_before_the_window_is_built(tmp_path, capsys):
    code, err = _cli(["--screenshot", str(tmp_path)], capsys)
    assert code == 1
    assert f"--screenshot {tmp_path} is a folder; give a file name such as" in err


@needs_fifo
def test_the_window_refuses_a_fifo_before_routing_it(qtbot, monkeypatch, tmp_path, fifo):
    from PySide6 import QtCore

    from tests import fake_panel
    from workbench.settings import Settings

    settings = Settings(QtCore.QSettings(str(tmp_path / "s.ini"), QtCore.QSettings.Format.IniFormat))
    window = fake_panel.shell_window(qtbot, monkeypatch, settings, [fake_panel.module])
    shown = []
    monkeypatch.setattr(window, "show_error", lambda title, error: shown.append((title, error.message)))
    path = fifo("points.npy")
    assert not window.open_path(path)
    assert shown == [("Cannot open points.npy", f"{path} is a named pipe (FIFO), not a file; name a regular file on disk")]
    assert not window.open_path(path, "dataset")
    assert shown[-1][1].endswith("not a dataset file; name a regular file on disk")
    assert window.panels["fake"].opened == []
    window.jobs.shutdown(5000)



@needs_fifo
@pytest.mark.parametrize("name", ["config.json", "snapshot_0000.safetensors"])
def test_a_fifo_in_a_training_run_folder_is_refused(name, fifo, tmp_path):
    from tests.hostile.lying_configs import write_run

    run = write_run(tmp_path, {"inputs": 64, "hidden": [4], "classes": 10, "activation": "relu"})
    (run / name).unlink()
    fifo(f"run/{name}")
    with pytest.raises(InputError, match=rf"run/{re.escape(name)} is a named pipe \(FIFO\)"):
        _network(run)


@needs_fifo
def test_a_fifo_where_the_config_beside_the_weights_belongs_is_refused(fifo, tmp_path):
    import torch

    from engines.checkpoints import save_checkpoint

    save_checkpoint(tmp_path / "w", {"x": torch.zeros(2)}, {"format": "latent"})
    (tmp_path / "w.json").unlink()
    fifo("w.json")
    for load in (_read_checkpoint, _network):
        with pytest.raises(InputError, match=r"w\.json is a named pipe \(FIFO\), not a checkpoint config"):
            load(tmp_path / "w.safetensors")
