"""Fonts that render Chinese: the first installed of the usual CJK families, else the system's fallback."""
from __future__ import annotations

from PySide6 import QtGui

FONT_FAMILIES = ["Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Micro Hei",
                 "Microsoft YaHei", "PingFang SC", "SimHei", "sans-serif"]


def cjk_font(size: int = 12) -> QtGui.QFont:
    font = QtGui.QFont()
    font.setFamilies(FONT_FAMILIES)
    font.setPointSize(size)
    return font
