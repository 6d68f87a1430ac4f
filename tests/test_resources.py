"""The resources package (icon, theme) and the packaging files that refer to it."""
import configparser
import xml.etree.ElementTree as ET
from pathlib import Path

import imageio.v3 as iio
from PySide6 import QtWidgets

import resources

ROOT = Path(__file__).parents[1]


def test_path_finds_the_shipped_files():
    for parts in [("icons", "workbench.svg"), ("icons", "workbench.png"), ("themes", "workbench.qss")]:
        assert resources.path(*parts).is_file(), parts


def test_icon_svg_and_png():
    root = ET.parse(resources.path("icons", "workbench.svg")).getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg" and root.get("viewBox") == "0 0 256 256"
    png = iio.imread(resources.path("icons", "workbench.png"))
    assert png.shape == (256, 256, 4)
    assert png[0, 0, 3] == 0 and png[128, 128, 3] == 255  # transparent corners, opaque body


def test_theme_parses(qapp, qtbot, qtlog):
    qapp.setStyleSheet(resources.path("themes", "workbench.qss").read_text(encoding="utf-8"))
    try:
        widget = QtWidgets.QGroupBox("Parameters")  # styling a widget makes Qt parse the sheet
        qtbot.addWidget(widget)
        widget.show()
        widget.ensurePolished()
    finally:
        qapp.setStyleSheet("")
    assert not [r.message for r in qtlog.records if "style" in r.message.lower()]


def test_desktop_entry():
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str
    entry.read(ROOT / "packaging" / "workbench.desktop")
    desktop = entry["Desktop Entry"]
    assert desktop["Type"] == "Application" and desktop["Exec"] == "workbench %F"
    assert desktop["Icon"] == "workbench" and desktop["Categories"] == "Science;Education;"
