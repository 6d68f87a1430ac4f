import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import imageio.v3 as iio
import pyqtgraph as pg
import pytest
from PySide6 import QtWidgets

from workbench.export.figure import copy_figure_to_clipboard, export_png, export_svg, output_size

ROOT = Path(__file__).parents[2]


@pytest.mark.parametrize("scale", [1, 2, 1.5])
def test_png_has_logical_size_times_scale(tmp_path: Path, plot_widget, scale):
    path = tmp_path / "loss.png"
    expected = (round(321 * scale), round(243 * scale))
    assert output_size(plot_widget, scale) == expected
    assert export_png(plot_widget, path, scale) == expected
    image = iio.imread(path)
    assert image.shape[:2] == expected[::-1]
    assert image[..., :3].std() > 0  # something was drawn


def test_png_of_a_layout_exports_the_whole_scene(tmp_path: Path, qtbot):
    layout = pg.GraphicsLayoutWidget()
    layout.addPlot(row=0, col=0).plot([1, 3, 2])
    layout.addPlot(row=1, col=0).plot([2, 1, 3])
    layout.resize(300, 400)
    qtbot.addWidget(layout)
    layout.show()
    assert export_png(layout, tmp_path / "grid.png", 2) == (600, 800)
    assert export_svg(layout, tmp_path / "grid.svg") == (300, 400)


def test_svg_is_xml_with_the_widget_canvas(tmp_path: Path, plot_widget):
    path = tmp_path / "loss.svg"
    export_svg(plot_widget, path)
    root = ET.parse(path).getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert (root.get("width"), root.get("height")) == ("321", "243")
    assert root.get("viewBox") == "0 0 321 243"
    paths = root.iter("{http://www.w3.org/2000/svg}path")
    assert any(p.get("d", "").rstrip().endswith("Z") for p in paths)  # closed paths survive (pyqtgraph #3495)


def test_copy_figure_puts_a_png_on_the_clipboard(qapp, plot_widget):
    copy_figure_to_clipboard(plot_widget, 2)
    clipboard = QtWidgets.QApplication.clipboard()
    assert not clipboard.image().isNull()
    assert (clipboard.image().width(), clipboard.image().height()) == (642, 486)
    assert clipboard.mimeData().hasImage()


HIDPI_SCRIPT = """
import sys, imageio.v3 as iio, pyqtgraph as pg
from PySide6 import QtWidgets
from workbench.export.dialogs import FigureOptionsDialog
from workbench.export.figure import export_png
from workbench.panel import Figure
app = QtWidgets.QApplication([])
widget = pg.PlotWidget(); widget.plot([1, 2, 4]); widget.resize(200, 150); widget.show(); app.processEvents()
dialog = FigureOptionsDialog([Figure("f", widget)])
scale = dialog.scale.value()
size = export_png(widget, sys.argv[1], scale)
print(widget.devicePixelRatioF(), scale, size, iio.imread(sys.argv[1]).shape[:2])
"""


def test_png_on_a_high_dpi_screen_defaults_to_physical_pixels(tmp_path: Path):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", QT_SCALE_FACTOR="2")
    out = subprocess.run([sys.executable, "-c", HIDPI_SCRIPT, str(tmp_path / "hidpi.png")], env=env, cwd=ROOT,
                         capture_output=True, text=True, timeout=120, check=False)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split("\n")[0] == "2.0 2.0 (400, 300) (300, 400)"
