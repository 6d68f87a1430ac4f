"""Render a pyqtgraph view (PlotWidget, GraphicsLayoutWidget, ...) to PNG bytes, PNG/SVG files, the clipboard.

The whole scene of the view is exported, exactly as the widget shows it, so multi-plot layouts, colour
bars and titles come along. Sizes are logical widget size × scale, in physical pixels.
"""
from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable, Iterable, Iterator

import numpy as np

import pyqtgraph as pg
import pyqtgraph.exporters
from PySide6 import QtCore, QtGui, QtWidgets

from engines.export.atomic import atomic_write_bytes


def output_size(widget: QtWidgets.QWidget, scale: float) -> tuple[int, int]:
    """The PNG size for ``scale``: the widget's logical size times ``scale``, rounded."""
    return max(1, round(widget.width() * scale)), max(1, round(widget.height() * scale))


def render_image(widget: pg.GraphicsView, scale: float = 1.0) -> QtGui.QImage:
    """The view's scene rendered at ``scale`` into a QImage of :func:`output_size`."""
    width, height = output_size(widget, scale)
    exporter = pg.exporters.ImageExporter(widget.scene())
    exporter.parameters()["width"] = width
    # Setting "width" makes the exporter derive the height as int(width * aspect), which can be one
    # pixel short; set the height without letting it re-derive the width.
    exporter.parameters().param("height").setValue(height, blockSignal=exporter.heightChanged)
    return exporter.export(toBytes=True)


def widget_frames(widget: QtWidgets.QWidget, indices: Iterable[int], show: Callable[[int], None],
                  restore: int) -> Iterator[np.ndarray]:
    """Animation frames: for each index, ``show(index)`` then the widget as an RGBA uint8 array (a pyqtgraph
    view through its exporter, any other widget grabbed); ``show(restore)`` at the end, even when stopped."""
    try:
        for index in indices:
            show(int(index))
            image = render_image(widget) if isinstance(widget, pg.GraphicsView) else widget.grab().toImage()
            image = image.convertToFormat(QtGui.QImage.Format.Format_RGBA8888)
            yield pg.functions.ndarray_from_qimage(image).copy()
    finally:
        show(restore)


def png_bytes(image: QtGui.QImage) -> bytes:
    data = QtCore.QByteArray()
    buffer = QtCore.QBuffer(data)
    buffer.open(QtCore.QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buffer, "PNG"):
        raise OSError("could not encode the figure as PNG")
    return bytes(data.data())


def export_png(widget: pg.GraphicsView, path: str | os.PathLike[str], scale: float = 1.0) -> tuple[int, int]:
    """Write the view as a PNG at ``scale`` (atomically); return its size in pixels."""
    image = render_image(widget, scale)
    atomic_write_bytes(path, png_bytes(image))
    return image.width(), image.height()


def _close_path_safe(correct_coordinates):
    """Workaround for pyqtgraph issue #3495 (0.14.0): SVGExporter's coordinate correction cannot parse the
    closepath command ``Z`` that Qt 6's SVG generator writes (e.g. a ViewBox's clip rectangle) and raises
    ValueError. Take the ``Z`` tokens out, let pyqtgraph rewrite the coordinates (one token out for each
    token in), then put them back where they were."""

    def correct(node, defs, item, options):
        closes = {}
        for path in node.getElementsByTagName("path"):
            tokens = path.getAttribute("d").split()
            if "Z" in tokens:
                closes[path] = [i for i, t in enumerate(tokens) if t == "Z"]
                path.setAttribute("d", " ".join(t for t in tokens if t != "Z"))
        correct_coordinates(node, defs, item, options)
        for path, indices in closes.items():
            tokens = path.getAttribute("d").split()
            for i in indices:
                tokens.insert(i, "Z")
            path.setAttribute("d", " ".join(tokens))

    correct.wrapped = correct_coordinates
    return correct


_svg_module = sys.modules["pyqtgraph.exporters.SVGExporter"]
if not hasattr(_svg_module.correctCoordinates, "wrapped"):
    _svg_module.correctCoordinates = _close_path_safe(_svg_module.correctCoordinates)


def svg_bytes(widget: pg.GraphicsView) -> bytes:
    """The view as an SVG document whose canvas is the widget's logical size."""
    width, height = widget.width(), widget.height()
    exporter = pg.exporters.SVGExporter(widget.scene())
    exporter.parameters()["width"] = width
    exporter.parameters().param("height").setValue(height, blockSignal=exporter.heightChanged)
    text = exporter.export(toBytes=True).decode("utf-8")
    # SVGExporter writes only a viewBox on <svg>, so viewers pick an arbitrary canvas size: add it. Its
    # background is a rect sized "100%", which Qt's SVG renderer (SVG Tiny) reads as 100 px: size it too.
    text = re.sub(r"<svg\b", f'<svg width="{width}" height="{height}"', text, count=1)
    text = text.replace('<rect width="100%" height="100%"', f'<rect width="{width}" height="{height}"', 1)
    return text.encode("utf-8")


def export_svg(widget: pg.GraphicsView, path: str | os.PathLike[str]) -> tuple[int, int]:
    """Write the view as an SVG (atomically); return its canvas size."""
    atomic_write_bytes(path, svg_bytes(widget))
    return widget.width(), widget.height()


def copy_figure_to_clipboard(widget: pg.GraphicsView, scale: float = 1.0) -> None:
    """Put the view on the clipboard as an image (Qt offers it to other programs as ``image/png``).

    ``setImage`` rather than ``setMimeData``: with PySide6 a QMimeData handed to the clipboard is freed
    twice when the application quits (a segfault at exit)."""
    QtWidgets.QApplication.clipboard().setImage(render_image(widget, scale))
