"""Showing decoded images: arrays in [0, 1] as pyqtgraph image items, and a view box holding one image."""
from __future__ import annotations

from typing import Optional

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore


def as_rgb(image: np.ndarray) -> np.ndarray:
    """(H, W, C) or (H, W) in [0, 1] to something ImageItem shows in row-major order."""
    image = np.asarray(image, dtype=np.float32)
    if image.ndim == 3 and image.shape[-1] == 1:
        image = image[..., 0]
    return np.clip(image, 0.0, 1.0)


def image_item() -> pg.ImageItem:
    item = pg.ImageItem(axisOrder="row-major")
    item.setLevels((0.0, 1.0))
    return item


class ImageBox(pg.ViewBox):
    """A locked-aspect view showing one image with y pointing down."""

    def __init__(self) -> None:
        super().__init__(lockAspect=True, invertY=True, enableMouse=False, enableMenu=False)
        self.item = image_item()
        self.addItem(self.item)

    def set_image(self, image: Optional[np.ndarray]) -> None:
        if image is None or np.asarray(image).size == 0:
            self.item.clear()
            return
        self.item.setImage(as_rgb(image), levels=(0.0, 1.0), autoLevels=False)
        h, w = image.shape[:2]
        self.setRange(QtCore.QRectF(0, 0, w, h), padding=0.02)
