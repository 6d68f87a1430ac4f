"""run cluster reads a CSV as a CSV: header, numeric columns, labels named with --labels COLUMN|FILE; rows
of assignments.csv are the file's rows."""
import csv
import json

import numpy as np
import pytest

from cli import main
from engines.cluster.data import load_data


@pytest.fixture
def blobs(tmp_path):
    rng = np.random.default_rng(0)
    y = np.repeat([0, 1, 2], 30)
    x = rng.normal(size=(90, 2)) * 0.2 + 4 * y[:, None]
    path = tmp_path / "blobs.csv"
    with open(path, "w") as handle:
        handle.write("x1,x2,species\n")
        np.savetxt(handle, np.column_stack([x, y]), delimiter=",", fmt="%.6g")
    return path, x, y


def test_labels_by_column_or_file(blobs, tmp_path):
    path, x, y = blobs
    with pytest.raises(Exception, match="looks like labels"):
        load_data(str(path))
    by_column = load_data(str(path), "species")
    np.testing.assert_allclose(by_column.x, x, rtol=1e-5)
    assert by_column.labels.tolist() == y.tolist()
    np.save(tmp_path / "y.npy", y[::-1])
    by_file = load_data(str(path), str(tmp_path / "y.npy"))  # a file wins over a column; every column a feature
    assert by_file.x.shape == (90, 3) and by_file.labels.tolist() == y[::-1].tolist()
    np.save(tmp_path / "x.npy", x)
    assert load_data(str(tmp_path / "x.npy"), str(tmp_path / "y.npy")).labels.tolist() == y[::-1].tolist()


def test_run_cluster_scores_against_the_named_column_and_joins_back_by_row(blobs, tmp_path, capsys):
    path, _, y = blobs
    out = tmp_path / "out"
    assert main(["run", "cluster", "--method", "kmeans", "--embedding", "raw", "--k", "3", "--data", str(path),
                 "--labels", "species", "--out", str(out)]) == 0
    assert json.loads((out / "metrics.json").read_text())["accuracy"] == 1.0
    with open(out / "assignments.csv") as handle:
        rows = list(csv.DictReader(handle))
    assert [int(r["index"]) for r in rows] == list(range(90)) and [int(r["label"]) for r in rows] == y.tolist()
    assert json.loads((out / "sidecar.json").read_text())["parameters"]["labels"] == "species"
