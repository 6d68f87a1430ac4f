"""Built-in data sets and the user's files: shapes, scaling, labels, clear errors for bad input."""
import imageio.v3 as iio
import numpy as np
import pytest

from engines.data import TOY_SETS, digits_split, make_toy, read_images, read_labels, read_points
from engines.errors import InputError


@pytest.mark.parametrize("name", sorted(TOY_SETS))
def test_toy_sets_are_reproducible_and_unit_scaled(name):
    x, y = make_toy(name, 2000, seed=3)
    again, _ = make_toy(name, 2000, seed=3)
    assert x.shape == (2000, 2) and x.dtype == np.float32 and len(y) == 2000
    np.testing.assert_array_equal(x, again)
    assert 0.5 < x.std() < 2.0 and np.abs(x.mean(0)).max() < 0.5


def test_digits_split_is_fixed_and_complete():
    a, b = digits_split(), digits_split()
    assert a.train_x.shape == (1437, 8, 8, 1) and a.test_x.shape == (360, 8, 8, 1)
    np.testing.assert_array_equal(a.test_y, b.test_y)
    assert a.all_x.min() == 0.0 and a.all_x.max() == 1.0
    assert np.bincount(a.test_y).min() >= 30  # stratified


def test_image_arrays_and_labels(tmp_path):
    images = (np.arange(5 * 4 * 4) % 256).reshape(5, 4, 4).astype(np.uint8)
    np.savez(tmp_path / "set.npz", images=images, labels=np.arange(5))
    x, y = read_images(tmp_path / "set.npz")
    assert x.shape == (5, 4, 4, 1) and x.max() <= 1.0
    np.testing.assert_allclose(x[..., 0], images / 255.0, rtol=1e-6)
    np.testing.assert_array_equal(y, np.arange(5))
    (tmp_path / "labels.txt").write_text("cat\ndog\ncat\nbird\ndog\n")
    np.testing.assert_array_equal(read_labels(tmp_path / "labels.txt", 5), [1, 2, 1, 0, 2])
    with pytest.raises(InputError, match="4 labels for 5"):
        (tmp_path / "short.txt").write_text("1\n2\n3\n4\n")
        read_labels(tmp_path / "short.txt", 5)


def test_image_folder_is_resized(tmp_path):
    for i in range(3):
        iio.imwrite(tmp_path / f"{i}.png", np.full((20, 10, 3), 60 * i, dtype=np.uint8))
    x, _ = read_images(tmp_path, size=(8, 8))
    assert x.shape == (3, 8, 8, 3)
    np.testing.assert_allclose(x[2], 120 / 255, atol=1e-3)


@pytest.mark.parametrize("content, message", [
    (b"", "does not start with numpy.s .npy header"),
    (b"\x93NUMPY garbage", "not a readable"),
])
def test_damaged_arrays_raise_input_error(tmp_path, content, message):
    path = tmp_path / "bad.npy"
    path.write_bytes(content)
    with pytest.raises(InputError, match=message):
        read_images(path)


def test_object_arrays_are_refused_without_unpickling(tmp_path):
    path = tmp_path / "objects.npy"
    np.save(path, np.array([{"a": 1}], dtype=object), allow_pickle=True)
    with pytest.raises(InputError, match="holds Python objects .* Workbench does not load objects") as caught:
        read_images(path)
    assert "pickle" not in str(caught.value)


def test_wrong_shapes_and_vanished_files(tmp_path):
    np.save(tmp_path / "vec.npy", np.zeros(10))
    with pytest.raises(InputError, match=r"expected images shaped"):
        read_images(tmp_path / "vec.npy")
    with pytest.raises(InputError, match="does not exist"):
        read_images(tmp_path / "gone.npy")
    np.save(tmp_path / "pts.npy", np.array([[0.0, np.nan]]))
    with pytest.raises(InputError, match="NaN"):
        read_points(tmp_path / "pts.npy")
