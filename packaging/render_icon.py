"""Render resources/icons/workbench.svg to the 256×256 workbench.png beside it (run after editing the SVG):

    QT_QPA_PLATFORM=offscreen python packaging/render_icon.py
"""
from PySide6 import QtCore, QtGui, QtSvg

import resources

SIZE = 256


def main() -> None:
    app = QtGui.QGuiApplication([])  # noqa: F841 (QPainter needs the application)
    renderer = QtSvg.QSvgRenderer(str(resources.path("icons", "workbench.svg")))
    if not renderer.isValid():
        raise SystemExit("workbench.svg does not parse")
    image = QtGui.QImage(SIZE, SIZE, QtGui.QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(QtCore.Qt.GlobalColor.transparent)
    painter = QtGui.QPainter(image)
    painter.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    if not image.save(str(resources.path("icons", "workbench.png"))):
        raise SystemExit("could not write workbench.png")


if __name__ == "__main__":
    main()
