"""scikit-learn's 8x8 handwritten digits (1,797 images with labels) with a fixed train/test split."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

TEST_FRACTION = 0.2
SPLIT_SEED = 0


@dataclass(frozen=True)
class ImageSplit:
    """Images (N, H, W, C) float32 in [0, 1] and integer labels, split into train and test."""

    train_x: np.ndarray
    train_y: np.ndarray
    test_x: np.ndarray
    test_y: np.ndarray

    @property
    def all_x(self) -> np.ndarray:
        return np.concatenate([self.train_x, self.test_x])

    @property
    def all_y(self) -> np.ndarray:
        return np.concatenate([self.train_y, self.test_y])


def digits_split() -> ImageSplit:
    """The digits as (N, 8, 8, 1) images in [0, 1]; the same 80/20 stratified split every time."""
    bunch = load_digits()
    images = (bunch.images / 16.0).astype(np.float32)[..., None]
    train_x, test_x, train_y, test_y = train_test_split(
        images, bunch.target.astype(np.int64), test_size=TEST_FRACTION, random_state=SPLIT_SEED, stratify=bunch.target)
    return ImageSplit(train_x, train_y, test_x, test_y)
