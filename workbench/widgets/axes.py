"""Empty plots before their first data: no made-up tick values (pyqtgraph's default 0–1 range, "×0.001"
prefixes, log decades of nothing) and a line saying what will appear."""
from __future__ import annotations

import pyqtgraph as pg


def show_values(plot: pg.PlotItem, shown: bool) -> None:
    """Show or hide the tick values of ``plot``'s left and bottom axes (the axis labels stay)."""
    for side in ("left", "bottom"):
        plot.getAxis(side).setStyle(showValues=shown)
