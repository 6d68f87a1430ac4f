"""Empty plots before their first data: no made-up tick values (pyqtgraph's default 0–1 range, "×0.001"
prefixes, log decades of nothing) and a line saying what will appear."""
from __future__ import annotations

import pyqtgraph as pg


def show_values(plot: pg.PlotItem, shown: bool, sides: tuple[str, ...] = ("left", "bottom")) -> None:
    """Show or hide the tick values of ``plot``'s axes on ``sides`` (the axis labels stay)."""
    for side in sides:
        plot.getAxis(side).setStyle(showValues=shown)


def setup_chart(widget: pg.PlotWidget, title: str, bottom: str, left: str = "", log_x: bool = False,
                log_y: bool = False) -> None:
    """Black background, grid, axis labels in real units (no SI prefix rescaling: "×0.001" of a unitless
    value misleads) and no tick values until data arrive."""
    widget.setBackground("k")
    item = widget.plotItem
    item.setLogMode(x=log_x, y=log_y)
    item.showGrid(x=True, y=True, alpha=0.2)
    for side in ("left", "bottom"):
        item.getAxis(side).enableAutoSIPrefix(False)
    item.setLabel("bottom", bottom)
    if left:
        item.setLabel("left", left)
    item.setTitle(title, size="10pt")
    show_values(item, False)
