import csv
from pathlib import Path

import numpy as np
import pytest

from engines.export import is_tabular, write_csv, write_npz


def test_csv_round_trips_plotted_data(tmp_path: Path, plot_widget):
    x, y = plot_widget.getPlotItem().listDataItems()[0].getData()
    path = tmp_path / "loss.csv"
    write_csv(path, {"x": x, "y": y, "step": np.arange(len(x))})
    with open(path, newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["x", "y", "step"]
    table = np.array(rows[1:], dtype=float)
    np.testing.assert_array_equal(table[:, 0], x)
    np.testing.assert_array_equal(table[:, 1], y)
    assert rows[1][2] == "0" and rows[-1][2] == str(len(x) - 1)


def test_csv_refuses_ragged_or_nd_columns(tmp_path: Path):
    assert not is_tabular({"a": np.zeros(3), "b": np.zeros(4)})
    assert not is_tabular({"image": np.zeros((2, 2))})
    assert not is_tabular({})
    with pytest.raises(ValueError):
        write_csv(tmp_path / "bad.csv", {"a": np.zeros(3), "b": np.zeros(4)})
    assert list(tmp_path.iterdir()) == []


def test_npz_round_trip(tmp_path: Path):
    arrays = {"image": np.random.default_rng(0).random((5, 7, 3)).astype(np.float32), "labels": np.arange(9)}
    path = tmp_path / "data.npz"
    write_npz(path, arrays)
    with np.load(path) as loaded:
        assert sorted(loaded.files) == ["image", "labels"]
        for name, value in arrays.items():
            np.testing.assert_array_equal(loaded[name], value)
            assert loaded[name].dtype == value.dtype
