"""Results join back to the input as the user knows it: the ``index`` of assignments.csv and InfoMap's .clu
node ids are rows of ``load_digits()`` or of the file, and ``run latent --from/--to`` name such rows too."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.datasets import load_digits
from sklearn.metrics import normalized_mutual_info_score

import cli
from engines.errors import InputError


def read_assignments(path: Path) -> dict[str, np.ndarray]:
    table = np.genfromtxt(path, delimiter=",", names=True, dtype=np.int64)
    return {name: np.asarray(table[name]) for name in table.dtype.names}


def test_digits_assignments_join_back_to_load_digits_by_index(tmp_path):
    out = tmp_path / "km"
    assert cli.main(["run", "cluster", "--method", "kmeans", "--embedding", "raw", "--data", "digits",
                     "--out", str(out)]) == 0
    rows = read_assignments(out / "assignments.csv")
    target = load_digits().target
    assert sorted(rows["index"]) == list(range(len(target)))
    assert np.array_equal(rows["label"], target[rows["index"]])
    nmi = normalized_mutual_info_score(target[rows["index"]], rows["cluster"])
    assert nmi == pytest.approx(json.loads((out / "metrics.json").read_text())["nmi"], abs=1e-9)
    assert nmi > 0.6  # joined by index the clustering is as good as the metrics say, not chance (0.02)


def _blobs(tmp_path: Path, order: np.ndarray) -> tuple[Path, np.ndarray]:
    """Three far-apart blobs whose rows are shuffled by ``order``; saved with their labels as .npz."""
    rng = np.random.default_rng(1)
    labels = np.repeat(np.arange(3), 12)
    x = rng.normal(0, 0.05, (36, 2)) + np.array([[0, 0], [10, 0], [0, 10]])[labels]
    path = tmp_path / "blobs.npz"
    np.savez(path, x=x[order], labels=labels[order])
    return path, labels[order]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(order=st.permutations(range(36)).map(np.asarray))
def test_file_assignments_name_the_rows_of_the_file(tmp_path_factory, order):
    from tasks.clustering import PointsRequest, cluster_points_job, write_clusters
    from tasks.runner import run

    tmp = tmp_path_factory.mktemp("file")
    path, labels = _blobs(tmp, order)
    result = run(cluster_points_job, str(path), PointsRequest("kmeans", 3, "raw", seed=0), "cpu")
    write_clusters(result, tmp / "assignments.csv", tmp / "clusters")
    rows = read_assignments(tmp / "assignments.csv")
    assert np.array_equal(rows["label"], labels[rows["index"]])
    assert normalized_mutual_info_score(labels[rows["index"]], rows["cluster"]) == pytest.approx(1.0)


def test_infomap_node_ids_are_rows_of_the_file(tmp_path):
    path, labels = _blobs(tmp_path, np.random.default_rng(3).permutation(36))
    out = tmp_path / "im"
    assert cli.main(["run", "cluster", "--method", "infomap", "--embedding", "raw", "--neighbours", "5",
                     "--data", str(path), "--out", str(out)]) == 0
    lines = [line.split() for line in (out / "clusters.clu").read_text().splitlines() if not line.startswith("#")]
    nodes = np.array([int(node) for node, *_ in lines])
    modules = np.array([int(module) for _, module, *_ in lines])
    assert sorted(nodes) == list(range(36))
    nmi = json.loads((out / "metrics.json").read_text())["nmi"]
    assert normalized_mutual_info_score(labels[nodes], modules) == pytest.approx(nmi, abs=1e-9)
    rows = read_assignments(out / "assignments.csv")
    by_row = dict(zip(rows["index"], rows["cluster"]))
    assert normalized_mutual_info_score([by_row[n] for n in nodes], modules) == pytest.approx(1.0)


def _vae_code(rows: list[int]) -> np.ndarray:
    import torch

    from engines.latent.checkpoint import load_checkpoint
    from tasks.bundled import bundled

    model = load_checkpoint(bundled("latent")[0].path).model
    images = torch.as_tensor(load_digits().images[rows] / 16.0, dtype=torch.float32)[:, None]
    with torch.no_grad():
        return model.latent(images).double().numpy()


@pytest.mark.parametrize("source", ["digits", "file"])
def test_latent_walk_ends_are_rows_of_the_data(source, tmp_path):
    start, end = 0, 1500
    args = ["run", "latent", "--from", str(start), "--to", str(end), "--steps", "3", "--mode", "lerp",
            "--out", str(tmp_path / "walk")]
    if source == "file":
        np.save(tmp_path / "digits.npy", (load_digits().images / 16.0).astype(np.float32))
        args += ["--dataset", str(tmp_path / "digits.npy")]
    assert cli.main(args) == 0
    latents = np.load(tmp_path / "walk" / "path.npz")["latents"]
    assert np.allclose(latents[[0, -1]], _vae_code([start, end]), atol=1e-4)
    metrics = json.loads((tmp_path / "walk" / "metrics.json").read_text())
    assert metrics["items"] == [start, end] and metrics["endpoints"][0].startswith(f"row {start}")


def test_a_row_past_the_end_names_the_range(tmp_path, capsys):
    assert cli.main(["run", "latent", "--from", "0", "--to", "1797", "--out", str(tmp_path / "w")]) == 1
    assert "row 1797 is out of range: digits has 1797 items, rows 0 to 1796" in capsys.readouterr().err
    from engines.latent.data import DataSpec, load_data

    with pytest.raises(InputError):
        load_data(DataSpec("moons")).position_of(-1)


@settings(max_examples=25, deadline=None)
@given(ids=st.permutations(range(1000, 1012)).map(np.asarray))
def test_infomap_texts_name_nodes_by_their_ids(ids):
    from engines.cluster.graph import run_infomap

    src = np.array([0, 1, 2, 3, 4, 6, 7, 8, 9, 10, 0, 6])
    dst = np.array([1, 2, 0, 4, 5, 7, 8, 6, 10, 11, 3, 9])
    plain = run_infomap(12, src, dst, np.ones(12), seed=3)
    named = run_infomap(12, src, dst, np.ones(12), seed=3, ids=ids)
    assert np.array_equal(plain.modules, named.modules)  # the run itself does not depend on the ids
    clu = {int(f[0]): int(f[1]) for f in (line.split() for line in named.clu.splitlines() if not line.startswith("#"))}
    assert clu == {int(ids[i]): int(m) + 1 for i, m in enumerate(named.modules)}
    tree = [line.split() for line in named.tree.splitlines() if not line.startswith("#")]
    assert sorted(int(f[-1]) for f in tree) == sorted(ids.tolist())
    assert all(f[2] == f'"{f[-1]}"' for f in tree)
