"""Odd but plausible input gets a sentence, never ``workbench: error: SomeError: ...``: screenshot paths that
are folders, files or too long, output paths that cannot be made, data whose points coincide."""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
import torch
from hypothesis import example, given, settings
from hypothesis import strategies as st

import cli
from engines.cluster.mixture import gmm, kmeans
from engines.errors import InputError

RAW = re.compile(r"error: [A-Z]\w*(Error|Exception|Interrupt|Exit)\b")


def error_line(capsys, *argv: str) -> str:
    """The command's exit status must be 1 and its error a sentence; returns the error line."""
    capsys.readouterr()
    assert cli.main(list(argv)) == 1
    lines = [line for line in capsys.readouterr().err.splitlines() if line.startswith("workbench: error:")]
    assert len(lines) == 1 and not RAW.search(lines[0]), lines
    return lines[0]


def test_screenshot_paths_that_cannot_be_written(tmp_path, capsys):
    blocker = tmp_path / "a_file"
    blocker.write_text("")
    assert f"{blocker} is a file, not a folder" in error_line(capsys, "--screenshot", str(blocker / "shot.png"))
    assert "is a folder; give a file name such as" in error_line(capsys, "--screenshot", str(tmp_path))
    assert "is a folder" in error_line(capsys, "--screenshot", ".")
    assert "File name too long" in error_line(capsys, "--screenshot", str(tmp_path / ("a" * 300 + ".png")))


def test_output_folders_that_cannot_be_made(tmp_path, capsys):
    blocker = tmp_path / "a_file"
    blocker.write_text("")
    line = error_line(capsys, "run", "optimizer", "--steps", "3", "--out", str(blocker / "sub"))
    assert line.endswith(f"cannot create the output folder {blocker / 'sub'}: {blocker} is a file, not a folder")
    line = error_line(capsys, "train", "diffusion", "--dataset", "moons", "--steps", "1", "--out", str(blocker / "m"))
    assert f"cannot create the checkpoint folder {blocker}: {blocker} is a file, not a folder" in line
    with pytest.raises(SystemExit):
        cli.main(["run", "optimizer", "--out", ""])
    assert "--out: expected a folder or file name, got an empty one" in capsys.readouterr().err


def test_a_failed_write_names_the_output_not_a_temporary_file(tmp_path, capsys):
    name = "m" * 245  # fits as a name, but not with the temporary file's suffix
    line = error_line(capsys, "train", "diffusion", "--dataset", "moons", "--steps", "1", "--out", str(tmp_path / name))
    assert f"could not write {tmp_path / (name + '.safetensors')}: File name too long" in line
    assert ".tmp" not in line and list(tmp_path.iterdir()) == []


@settings(max_examples=30, deadline=None)
@given(distinct=st.integers(1, 4), k=st.integers(2, 6), copies=st.integers(1, 5), gaussian=st.booleans())
def test_clusters_of_coinciding_points(distinct, k, copies, gaussian):
    """k-means and the GMM (k-means++ starts) on points with fewer distinct positions than k refuse with the
    count; otherwise they cluster."""
    x = np.repeat(np.arange(distinct, dtype=float)[:, None] * [1.0, 2.0], copies + 1, axis=0)
    if len(x) < k:
        return
    fit = gmm if gaussian else kmeans
    if distinct < k:
        with pytest.raises(InputError, match=f"take only {distinct} distinct position.*too few for {k} clusters"):
            fit(x, k, seed=0, device=torch.device("cpu"))
    else:
        assignments = fit(x, k, seed=0, device=torch.device("cpu"))[0]
        assert len(np.unique(np.asarray(assignments))) <= k


def test_run_cluster_on_identical_points_says_so(tmp_path, capsys):
    path = tmp_path / "same.npy"
    np.save(path, np.zeros((20, 3)))
    line = error_line(capsys, "run", "cluster", "--method", "kmeans", "--embedding", "raw", "--k", "2",
                      "--data", str(path), "--out", str(tmp_path / "out"))
    assert line.endswith("the 20 points take only 1 distinct position, too few for 2 clusters; "
                         "ask for at most 1 or give more varied data")
    assert not (tmp_path / "out" / "assignments.csv").exists()


ODD = [
    ["run", "optimizer", "--expr", "sin(x, y)", "--out", "{tmp}/o"],
    ["run", "optimizer", "--optimizer", "adam:lr", "--out", "{tmp}/o"],
    ["run", "cluster", "--data", "{tmp}/missing.npy", "--out", "{tmp}/o"],
    ["run", "latent", "--from", "0", "--to", "99999", "--out", "{tmp}/o"],
    ["run", "diffusion", "--sampler", "ddim:foo=1", "--out", "{tmp}/o"],
    ["run", "segment", "--corpus", "{tmp}/missing.txt", "--out", "{tmp}/o"],
    ["train", "latent", "--model", "conv-vae", "--dataset", "moons", "--out", "{tmp}/m"],
]


@pytest.mark.parametrize("argv", ODD, ids=lambda argv: " ".join(argv[:2]))
def test_no_command_error_line_names_an_exception_class(argv, tmp_path, capsys):
    error_line(capsys, *(a.format(tmp=tmp_path) for a in argv))
    assert not Path(tmp_path / "o" / "sidecar.json").exists()


@settings(max_examples=30, deadline=None)
@given(values=st.one_of(
    st.lists(st.sampled_from(["cat", "dog", "bird"]), min_size=4, max_size=4).map(np.array),
    st.lists(st.integers(-5, 5), min_size=4, max_size=4).map(lambda v: np.array(v, float)),
    st.lists(st.floats(allow_nan=True, allow_infinity=True), min_size=4, max_size=4).map(np.array)))
@example(values=np.array([0.0, 0.0, 9.223372036854776e18, 9.223372036854778e18]))  # whole, but past int64
def test_labels_files_give_class_numbers_or_a_sentence(values, tmp_path_factory):
    from engines.data.files import read_labels

    path = tmp_path_factory.mktemp("labels") / "labels.npy"
    np.save(path, values)
    whole = values.dtype.kind != "f" or bool(np.isfinite(values).all() and (np.abs(values) < 2.0 ** 53).all()
                                             and (values == np.round(values)).all())
    if whole:
        labels = read_labels(path, 4)
        assert labels.dtype == np.int64 and len(np.unique(labels)) == len(np.unique(values))
    else:
        with pytest.raises(InputError, match=r"labels.npy: labels must be whole numbers \(below 2\*\*53 when stored as "
                                             r"floats\) or class names, not "):
            read_labels(path, 4)


@pytest.mark.parametrize("labels", [np.arange(3), np.zeros((20, 2))], ids=["short", "two columns"])
def test_cluster_labels_that_do_not_fit_the_points_are_refused(labels, tmp_path, capsys):
    """Labels not one per point were dropped without a word (and the scores with them)."""
    path = tmp_path / "points.npz"
    np.savez(path, x=np.random.default_rng(0).random((20, 2)), labels=labels)
    line = error_line(capsys, "run", "cluster", "--method", "kmeans", "--embedding", "raw", "--k", "2",
                      "--data", str(path), "--out", str(tmp_path / "out"))
    assert line.endswith(f"points.npz: labels of shape {labels.shape} for 20 points; give one label per point")
