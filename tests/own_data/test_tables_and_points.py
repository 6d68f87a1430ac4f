"""Own data read as it is written: text tables as tables (labels named, never guessed), points wherever a
model of points can use them, and no message that steers toward unpickling."""
import numpy as np
import pytest

from engines.cluster.data import load_data as cluster_data
from engines.data.files import read_images, read_labels
from engines.data.tables import read_table
from engines.errors import InputError
from engines.latent.data import DataSpec, load_data


@pytest.fixture
def labelled(tmp_path):
    """300 points in 3 blobs, 3 float features and a last column of class numbers 0-2."""
    rng = np.random.default_rng(0)
    y = rng.integers(3, size=300)
    x = rng.normal(size=(300, 3)) + 3 * y[:, None]
    path = tmp_path / "blobs.csv"
    np.savetxt(path, np.column_stack([x, y]), delimiter=",", fmt="%.6g")
    return path, x, y


def test_a_last_column_of_class_numbers_is_not_guessed(labelled):
    path, x, y = labelled
    with pytest.raises(InputError, match=r"last column holds only the whole numbers 0 to 2 \(3 values\) and looks "
                                         r"like labels.*--labels 4 takes it as the labels, --labels none keeps it"):
        read_table(path)
    table = read_table(path, "4")  # named by number (from 1) ...
    np.testing.assert_allclose(table.values, x, rtol=1e-5)
    assert table.labels.tolist() == y.tolist()
    assert read_table(path, "none").values.shape == (300, 4)  # ... or kept as a feature on purpose


def test_labels_by_header_name_and_unknown_names(tmp_path):
    path = tmp_path / "h.csv"
    path.write_text("a,b,kind\n0.5,1.5,2\n0.25,3.5,1\n1.5,0.5,2\n")
    assert read_table(path, "KIND").labels.tolist() == [2, 1, 2]
    with pytest.raises(InputError, match=r"no column 'colour'.*columns are a, b, kind \(or 1 to 3\)"):
        read_table(path, "colour")


def test_points_headed_x_y_keep_both_coordinates(tmp_path):
    path = tmp_path / "pts.csv"
    path.write_text("x,y\n0.5,1.5\n-0.25,3.5\n1.5,-0.5\n")
    table = read_table(path)
    assert table.values.shape == (3, 2) and table.labels is None


def test_integer_point_clouds_are_not_mistaken_for_labels(tmp_path):
    path = tmp_path / "grid.csv"
    np.savetxt(path, np.random.default_rng(1).integers(0, 3, size=(50, 2)), delimiter=",", fmt="%d")
    assert read_table(path).values.shape == (50, 2)  # every column whole: no column stands out as labels


def test_text_and_object_files_never_mention_pickles(tmp_path):
    text = tmp_path / "table.npy"
    text.write_text("1,2\n3,4\n")
    objects = tmp_path / "objects.npy"
    np.save(objects, np.array([{"a": 1}], dtype=object), allow_pickle=True)
    for call in (lambda: read_images(text), lambda: read_images(objects), lambda: read_labels(objects, 1),
                 lambda: cluster_data(str(objects))):
        with pytest.raises(InputError) as caught:
            call()
        assert "pickle" not in str(caught.value).lower()
    with pytest.raises(InputError, match="holds Python objects .* Workbench does not load objects"):
        read_labels(objects, 1)
    with pytest.raises(InputError, match=r"table\.npy does not start with numpy's \.npy header.*named \.csv"):
        read_images(text)


def test_latent_models_take_points_from_tables_and_arrays(labelled, tmp_path):
    path, x, y = labelled
    data = load_data(DataSpec(path.name, path=str(path), labels="4"))
    assert data.data_shape == (3,) and not data.is_image and data.levels == 0
    np.testing.assert_allclose(data.all_x, x[data.all_rows], rtol=1e-5)  # rows join back to the file
    assert data.all_y.tolist() == y[data.all_rows].tolist()
    np.save(tmp_path / "pts.npy", x.astype(np.float32))
    array = load_data(DataSpec("pts.npy", path=str(tmp_path / "pts.npy")))
    assert array.data_shape == (3,) and not array.has_labels
    with pytest.raises(InputError, match="holds points .*--size and --channels apply to images"):
        load_data(DataSpec("pts.npy", path=str(tmp_path / "pts.npy"), size=(8, 8)))


def test_the_conv_vae_refuses_points_with_a_sentence(tmp_path, capsys):
    from cli import main

    np.save(tmp_path / "pts.npy", np.random.default_rng(0).normal(size=(40, 3)).astype(np.float32))
    assert main(["train", "latent", "--model", "conv-vae", "--dataset", str(tmp_path / "pts.npy"), "--epochs", "1",
                 "--out", str(tmp_path / "c")]) == 1
    assert "the convolutional VAE needs images, and these items are points of 3 numbers" in capsys.readouterr().err
