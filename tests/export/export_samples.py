"""Sample data shared by the export tests (a module with a unique name, so tests can import it)."""
from __future__ import annotations

import numpy as np

X = np.linspace(-1.0, 2.0, 50)
Y = np.sin(3.0 * X) / 3.0  # long decimal expansions: checks that CSV round-trips exactly
PARAMETERS = {"optimizer": "adam", "lr": np.float32(0.01), "betas": (0.9, 0.999), "seed": 7,
              "checkpoint_sha256": "ab" * 32}


def frame(i: int, size: tuple[int, int] = (24, 33)) -> np.ndarray:
    """A distinct RGB frame per index (Pillow would merge identical consecutive GIF frames)."""
    image = np.zeros((*size, 3), np.uint8)
    image[..., 0] = 20 * i
    image[: i + 1, :, 1] = 255
    return image
