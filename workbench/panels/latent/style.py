"""The latent panel's colours: labels and clusters, the two path modes, the prior's shell."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Optional

from PySide6 import QtGui

PALETTE = ("#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f",
           "#bab0ac", "#17becf", "#bcbd22")
LERP_COLOR = "#ff7f0e"
SLERP_COLOR = "#1fd0ff"
MODE_COLORS = (("lerp", LERP_COLOR), ("slerp", SLERP_COLOR))
SHELL_COLOR = "#bbbbbb"


def label_color(k: int) -> QtGui.QColor:
    return QtGui.QColor(PALETTE[int(k) % len(PALETTE)]) if k >= 0 else QtGui.QColor("#999999")


def colored_modes(values: Optional[Mapping[str, str]] = None) -> str:
    """"lerp, slerp", each in its colour, with ``values[mode]`` after each name when given."""
    return ", ".join(f"<span style='color:{c}'>{m}{' ' + values[m] if values else ''}</span>" for m, c in MODE_COLORS)
