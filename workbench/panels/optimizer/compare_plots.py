"""The comparison view's figures: one or two loss landscapes (without and with BatchNorm) side by side on a
common colour scale with every run's path in its colour, and rows of line plots over training."""
from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any, Optional, Sequence

import numpy as np
import pyqtgraph as pg

from workbench.panels.optimizer.heatmap import Heatmap
from workbench.panels.optimizer.line_plots import curve, label_plot, line_axes, positive
from workbench.panels.optimizer.style import finite_or_nan
from workbench.widgets.axes import show_values

LOSS_FLOOR = 1e-12  # log₁₀ of a loss at or below zero would be −∞
LEGEND_CHARACTERS = 110  # of names in one row of a legend under a row of plots (a 1280 px window's view)
PAIR_LEGEND_CHARACTERS = 48  # of one line of a landscape's legend when two landscapes share the row


def legend() -> pg.LegendItem:
    """A legend laid out beside its plots (a cell of their layout), so it never covers a curve or a path."""
    return pg.LegendItem(labelTextColor="w", labelTextSize="8pt", verSpacing=-4)


def log_loss(loss: np.ndarray) -> np.ndarray:
    """log₁₀ of a landscape's loss (NaN where not evaluated yet stays NaN)."""
    return np.log10(np.maximum(np.asarray(loss, dtype=float), LOSS_FLOOR))


def common_levels(losses: Sequence[np.ndarray]) -> Optional[tuple[float, float]]:
    """One colour range over every landscape's finite log₁₀ loss, so equal colours mean equal losses in each;
    None while nothing is evaluated."""
    finite = np.concatenate([v[np.isfinite(v)] for v in (log_loss(loss).ravel() for loss in losses)] or [[]])
    return (float(finite.min()), float(finite.max())) if finite.size else None


def off_plane_text(off_plane: Optional[np.ndarray]) -> str:
    """A run's share of ‖θ_t − centre‖² off the plane: its mean over the path and at the last snapshot."""
    if off_plane is None or not np.isfinite(off_plane).any():
        return ""
    share = np.asarray(off_plane, dtype=float)
    return f"off-plane {100 * np.nanmean(share):.0f}% mean, {100 * share[np.isfinite(share)][-1]:.0f}% last"


def path_legend(label: str, off_plane: Optional[np.ndarray], width: int) -> str:
    """A run's legend entry (rich text): its label and off-plane share on one line, or on two when longer
    than ``width`` characters (two landscapes side by side each have half the row)."""
    share = off_plane_text(off_plane)
    if not share:
        return html.escape(label)
    joint = "<br>&nbsp;&nbsp;" if len(label) + 3 + len(share) > width else " — "
    return html.escape(label) + joint + share


def rect_of(a: np.ndarray, b: np.ndarray) -> tuple[float, float, float, float]:
    """The image rectangle whose pixel centres are the grid points ``a`` × ``b``."""
    da = (a[-1] - a[0]) / max(len(a) - 1, 1)
    db = (b[-1] - b[0]) / max(len(b) - 1, 1)
    return a[0] - da / 2, b[0] - db / 2, a[-1] - a[0] + da, b[-1] - b[0] + db


@dataclass
class RunPath:
    """A run's path on a landscape, as drawn."""

    label: str
    colour: str
    coords: Optional[np.ndarray]
    off_plane: Optional[np.ndarray]


class LandscapePair(pg.GraphicsLayoutWidget):
    """Up to two landscapes side by side on one colour range (the bar beside the last), each with a legend of its
    runs underneath."""

    def __init__(self) -> None:
        super().__init__()
        self.ci.setContentsMargins(4, 4, 24, 4)  # room for the last colour bar's tick labels
        self.items = [self.addPlot(row=0, col=0), self.addPlot(row=0, col=1)]
        self.heatmaps = [Heatmap(item, label="log₁₀ training loss") for item in self.items]
        self.legends = [legend(), legend()]
        for col, item in enumerate(self.items):
            item.setMenuEnabled(False)
            self.addItem(self.legends[col], row=1, col=col)
        self._drawn: list[list[pg.GraphicsObject]] = [[], []]
        self.levels: Optional[tuple[float, float]] = None
        self.shown = 2
        self.show_count(1)

    def show_count(self, count: int) -> None:
        """Lay out ``count`` (1 or 2) landscapes; the second plot leaves the layout when not needed."""
        if count == self.shown:
            return
        for row, item in enumerate((self.items[1], self.legends[1])):
            if count == 1:
                self.ci.removeItem(item)
                item.hide()
            else:
                self.ci.addItem(item, row=row, col=1)
                item.show()
        bar, layout = self.heatmaps[0].bar, self.items[0].layout  # one colour bar serves both: the right one
        if count == 1:
            layout.addItem(bar, 2, 5)  # where ColorBarItem(insert_in=plot) puts it
            bar.show()
        else:
            layout.removeItem(bar)
            bar.hide()
        self.shown = count

    def clear_all(self) -> None:
        for i in range(2):
            self.heatmaps[i].clear()
            self._clear_paths(i)
        self.levels = None

    def _clear_paths(self, i: int) -> None:
        for drawn in self._drawn[i]:
            self.items[i].removeItem(drawn)
        self._drawn[i] = []
        self.legends[i].clear()

    def draw(self, landscapes: Sequence[Any], paths: Sequence[Sequence[RunPath]], titles: Sequence[str],
             axis_labels: Sequence[tuple[str, str]]) -> None:
        """Draw landscape ``i`` (a, b, loss) with ``paths[i]`` on it, every colour bar on one range."""
        self.show_count(max(1, len(landscapes)))
        self.levels = common_levels([s.loss for s in landscapes])
        for i, scape in enumerate(landscapes):
            item = self.items[i]
            item.setTitle(titles[i], size="10pt")
            item.setLabel("bottom", axis_labels[i][0])
            item.setLabel("left", axis_labels[i][1])
            self.heatmaps[i].set(log_loss(scape.loss), rect_of(np.asarray(scape.a), np.asarray(scape.b)), self.levels)
            self._clear_paths(i)
            for path in paths[i]:
                line = pg.PlotDataItem(pen=pg.mkPen(path.colour, width=2), symbol="o", symbolSize=4,
                                       symbolBrush=path.colour, symbolPen=None, connect="finite")
                if path.coords is not None and len(path.coords):
                    coords = finite_or_nan(path.coords)
                    line.setData(coords[:, 0], coords[:, 1])
                    end = pg.ScatterPlotItem(pos=coords[-1:], size=11, brush=pg.mkBrush(path.colour),
                                             pen=pg.mkPen("k"), symbol="star")
                    end.setZValue(11)
                    item.addItem(end)
                    self._drawn[i].append(end)
                line.setZValue(10)
                item.addItem(line)
                self._drawn[i].append(line)
                width = PAIR_LEGEND_CHARACTERS if self.shown == 2 else LEGEND_CHARACTERS
                self.legends[i].addItem(line, path_legend(path.label, path.off_plane, width))


@dataclass
class Series:
    """One curve of a :class:`CurveRow`: in plot ``plot``, ``y`` against ``x``."""

    plot: int
    x: np.ndarray
    y: np.ndarray
    colour: str
    name: Optional[str]  # None: not in the legend
    dashed: bool = False
    symbol: Optional[str] = None


class CurveRow(pg.GraphicsLayoutWidget):
    """Line plots side by side (one figure), each with named axes, and one legend of them all underneath."""

    def __init__(self, axes: Sequence[tuple[str, str]], titles: Sequence[str] = (),
                 log: Sequence[bool] = ()) -> None:
        super().__init__()
        self.items = []
        for col, (bottom, left) in enumerate(axes):
            item = label_plot(self.addPlot(row=0, col=col, axisItems=line_axes()), bottom, left)
            if col < len(titles):
                item.setTitle(titles[col], size="9pt")
            show_values(item, False)  # until its first curve
            self.items.append(item)
        self.log = tuple(log) or (True,) * len(axes)  # which plots go logarithmic when their values allow
        self.legend = legend()
        self.addItem(self.legend, row=1, col=0, colspan=len(axes))
        self._levels = 0

    def draw(self, series: Sequence[Series]) -> None:
        """Replace every curve; a plot's y axis is logarithmic where asked and all its values are positive."""
        for item in self.items:
            item.clear()
        self.legend.clear()
        self._levels = 0
        names = [s.name for s in series if s.name is not None]
        self.legend.setColumnCount(max(1, min(3, LEGEND_CHARACTERS // max(map(len, names), default=1))))
        named: set[str] = set()
        for i, item in enumerate(self.items):
            mine = [s for s in series if s.plot == i]
            show_values(item, bool(mine))
            item.setLogMode(y=self.log[i] and bool(mine) and positive(np.concatenate([s.y for s in mine])))
            for s in mine:
                drawn = curve(item, s.x, s.y, s.colour, None, s.dashed, s.symbol)
                if s.name is not None and s.name not in named:  # each name once, from the first plot it is in
                    named.add(s.name)
                    self.legend.addItem(drawn, s.name)

    def add_level(self, plot: int, y: float, colour: str, label: str) -> None:
        """A dashed horizontal line at ``y`` (e.g. 2/lr), labelled, in plot ``plot``; the labels of several
        lines stand at different places along them."""
        item = self.items[plot]
        value = np.log10(y) if item.ctrl.logYCheck.isChecked() and y > 0 else y
        position = 0.05 + 0.3 * (self._levels % 3)
        self._levels += 1
        item.addItem(pg.InfiniteLine(value, angle=0, pen=pg.mkPen(colour, width=1, style=pg.QtCore.Qt.PenStyle.DashLine),
                                     label=label, labelOpts={"position": position, "color": colour,
                                                             "anchors": [(0, 0), (0, 0)]}))
