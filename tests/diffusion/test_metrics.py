"""Quality measures: sliced Wasserstein, MMD, Fréchet distance in the project's digit-classifier features."""
import numpy as np
import pytest

from engines.diffusion.metrics import digits_classifier, frechet_digits, mmd, sliced_wasserstein


def test_sliced_wasserstein_and_mmd():
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((2000, 2)), rng.standard_normal((1500, 2))
    shifted = y + [1.0, 0.0]
    assert sliced_wasserstein(x, x) == pytest.approx(0.0, abs=1e-12)
    assert sliced_wasserstein(x, y) < 0.08 < 0.5 < sliced_wasserstein(x, shifted)
    assert abs(mmd(x, y)) < 0.01 < mmd(x, shifted)


def test_frechet_distance_in_digit_features():
    from engines.data import digits_split

    split = digits_split()
    net = digits_classifier()
    import torch

    with torch.no_grad():
        acc = (net(torch.as_tensor(split.test_x).permute(0, 3, 1, 2)).argmax(1).numpy() == split.test_y).mean()
    assert acc > 0.9
    noise = np.random.default_rng(0).uniform(0, 1, split.test_x.shape).astype(np.float32)
    real = frechet_digits(split.test_x, split.train_x[:400])
    assert real < 0.2 * frechet_digits(noise, split.train_x[:400])
