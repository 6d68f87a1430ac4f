"""scikit-learn's 8x8 handwritten digits (1,797 images with labels) with a fixed train/test split."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

TEST_FRACTION = 0.2
SPLIT_SEED = 0


@dataclass(frozen=True)
class ImageSplit:
    """Images (N, H, W, C) float32 in [0, 1] and integer labels, split into train and test; ``*_rows`` are
    the items' rows in ``load_digits()`` order, so that results join back to the data as users know it."""

    train_x: np.ndarray
    train_y: np.ndarray
    test_x: np.ndarray
    test_y: np.ndarray
    train_rows: np.ndarray
    test_rows: np.ndarray

    @property
    def all_x(self) -> np.ndarray:
        return np.concatenate([self.train_x, self.test_x])

    @property
    def all_y(self) -> np.ndarray:
        return np.concatenate([self.train_y, self.test_y])

    @property
    def all_rows(self) -> np.ndarray:
        return np.concatenate([self.train_rows, self.test_rows])


def digits_split() -> ImageSplit:
    """The digits as (N, 8, 8, 1) images in [0, 1]; the same 80/20 stratified split every time."""
    from sklearn.datasets import load_digits  # here: a job that never needs the digits never waits for sklearn
    from sklearn.model_selection import train_test_split

    bunch = load_digits()
    images = (bunch.images / 16.0).astype(np.float32)[..., None]
    rows = np.arange(len(images))
    train_rows, test_rows = train_test_split(rows, test_size=TEST_FRACTION, random_state=SPLIT_SEED,
                                             stratify=bunch.target)
    y = bunch.target.astype(np.int64)
    return ImageSplit(images[train_rows], y[train_rows], images[test_rows], y[test_rows], train_rows, test_rows)
