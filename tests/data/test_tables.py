"""Text tables as users write them: headers recognised, a label column kept apart, bad cells named; checked
against numpy's own reader on header-free files, and fuzzed."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engines.cluster.data import load_data
from engines.data.files import read_points
from engines.data.tables import read_table
from engines.errors import InputError


def test_a_plain_csv_reads_as_numpy_reads_it(tmp_path):
    path = tmp_path / "plain.csv"
    rng = np.random.default_rng(0)
    np.savetxt(path, rng.normal(size=(20, 3)), delimiter=",")
    table = read_table(path)
    np.testing.assert_array_equal(table.values, np.loadtxt(path, delimiter=",", ndmin=2))
    assert table.labels is None and table.columns is None


def test_a_header_and_a_label_column(tmp_path):
    path = tmp_path / "iris.csv"
    path.write_text('sepal,"petal width",label\n1.0,2.0,setosa\n1.5,2.5,virginica\n0.5,0.2,setosa\n')
    table = read_table(path)
    np.testing.assert_array_equal(table.values, [[1.0, 2.0], [1.5, 2.5], [0.5, 0.2]])
    assert table.labels.tolist() == [0, 1, 0] and table.columns == ["sepal", "petal width"]
    data = load_data(str(path))  # the clustering panel: the label is not a feature
    assert data.x.shape == (3, 2) and data.labels.tolist() == [0, 1, 0]


def test_tsv_whitespace_and_numeric_labels(tmp_path):
    tsv = tmp_path / "points.tsv"
    tsv.write_text("x\ty\tclass\n0\t1\t3\n2\t3\t7\n")
    table = read_table(tsv)
    assert table.values.shape == (2, 2) and table.labels.tolist() == [3, 7]
    txt = tmp_path / "points.txt"
    txt.write_text("0 1\n2   3\n")
    assert read_table(txt).values.tolist() == [[0, 1], [2, 3]]
    assert read_points(tsv).shape == (2, 2)


@pytest.mark.parametrize("text,message", [
    ("a,b\n1,2\n3,x\n", r"row 3, b: 'x' is not a number"),
    ("1,2\n3\n", "row 2: 1 columns where the first row has 2"),
    ("label\n1\n2\n", "no columns besides its labels"),
    ("a,b\n", "a header but no rows"),
    ("\n\n", "holds no rows"),
])
def test_bad_tables_are_sentences(tmp_path, text, message):
    path = tmp_path / "bad.csv"
    path.write_text(text)
    with pytest.raises(InputError, match=message):
        read_table(path)


def test_not_a_file(tmp_path):
    with pytest.raises(InputError, match="is a folder"):
        read_table(tmp_path)


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("0123456789.,-e \n\t\"abx")), max_size=80))
def test_any_text_reads_or_is_refused_with_a_sentence(tmp_path_factory, text):
    path = tmp_path_factory.mktemp("fuzz") / "t.csv"
    path.write_text(text)
    try:
        table = read_table(path)
    except InputError as exc:
        assert "t.csv" in str(exc)
    else:
        assert table.values.ndim == 2 and table.values.dtype == np.float64
