"""Training objectives as a job: the loss falls, partials carry the curve and a preview, cancel works."""

import numpy as np
import pytest

from engines.diffusion.data import load_data
from engines.diffusion.training import train_job
from engines.errors import InputError
from engines.jobs import run
from tests.cancelling import cancelled_at_first


@pytest.fixture(scope="module")
def moons():
    return load_data("moons")


@pytest.mark.parametrize("objective", ["ddpm", "edm", "flow"])
def test_loss_falls_and_partials_stream(moons, objective):
    partials = []
    result = run(train_job, moons, objective, 240, batch=256, preview_every=80, preview_n=64,
                 on_partial=partials.append)
    assert [p.step for p in partials] == [80, 160, 240]
    assert partials[-1].preview.shape == (64, 2) and np.isfinite(partials[-1].preview).all()
    losses = result.losses
    assert losses[-50:].mean() < 0.92 * losses[:20].mean()  # flow matching keeps a large irreducible loss
    assert result.body["objective"] == objective


def test_digits_conv_step_and_cancel():
    data = load_data("digits")
    seen = cancelled_at_first(train_job, data, "ddpm", 100, batch=32, preview_every=5, preview_n=8)
    assert seen and seen[0].preview.shape == (8, 1, 8, 8)


def test_bad_arguments(moons):
    with pytest.raises(InputError):
        run(train_job, moons, "gan", 10)
    with pytest.raises(InputError):
        run(train_job, moons, "ddpm", 0)
    with pytest.raises(InputError):
        load_data("no_such_set")


def test_user_files(tmp_path):
    import imageio.v3 as iio

    points = np.random.default_rng(0).standard_normal((200, 2)).astype(np.float32)
    np.save(tmp_path / "p.npy", points)
    d = load_data(str(tmp_path / "p.npy"))
    assert d.kind == "points" and len(d.train) + len(d.heldout) == 200
    images = (np.random.default_rng(1).uniform(0, 255, (30, 8, 8))).astype(np.uint8)
    np.savez(tmp_path / "imgs.npz", images=images)
    d = load_data(str(tmp_path / "imgs.npz"))
    assert d.kind == "images" and d.shape == (1, 8, 8) and d.train.min() >= -1 and d.train.max() <= 1
    folder = tmp_path / "folder"
    folder.mkdir()
    for i in range(12):
        iio.imwrite(folder / f"{i}.png", images[i])
    assert load_data(str(folder)).shape == (1, 8, 8)
    (tmp_path / "bad.npy").write_bytes(b"nope")
    with pytest.raises(InputError):
        load_data(str(tmp_path / "bad.npy"))
