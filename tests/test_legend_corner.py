"""A legend goes to the corner of the plot where it hides the fewest points."""
import numpy as np
import pyqtgraph as pg
import pytest

from workbench.widgets.legend_corner import CORNERS, place_legend


@pytest.mark.parametrize("crowded", CORNERS)
def test_the_legend_leaves_the_crowded_corner(qtbot, crowded):
    widget = pg.PlotWidget()
    qtbot.addWidget(widget)
    widget.resize(400, 300)
    widget.show()
    qtbot.waitExposed(widget)
    view = widget.getPlotItem().getViewBox()
    view.setRange(xRange=(0, 10), yRange=(0, 10), padding=0)
    legend = pg.LegendItem()
    legend.setParentItem(view)
    legend.addItem(pg.PlotDataItem([0, 1], [0, 1]), "a curve with a long name")
    x = 0.5 if crowded[0] == 0 else 9.5
    y = 9.5 if crowded[1] == 0 else 0.5
    points = np.full((50, 2), [x, y])
    chosen = place_legend(legend, view, points)
    assert chosen != crowded
    if crowded != (0, 0):
        assert chosen == (0, 0)  # ties go to the top-left
    anchored = legend.mapRectToItem(view, legend.boundingRect())
    assert (anchored.center().x() < view.width() / 2) == (chosen[0] == 0)


def test_a_legend_below_the_plot_leaves_the_data_and_its_row_follows_it(qtbot):
    from workbench.widgets.legend_corner import legend_below

    widget = pg.PlotWidget()
    qtbot.addWidget(widget)
    widget.resize(400, 300)
    item = widget.getPlotItem()
    legend = legend_below(item, labelTextSize="8pt")
    widget.show()
    qtbot.waitExposed(widget)
    view = item.getViewBox()
    empty = view.sceneBoundingRect().height()
    for k in range(6):  # curves across the whole plot: no corner is free
        item.plot(np.linspace(0, 10, 50), np.full(50, k), name=f"curve {k} with a long name")
    legend.setColumnCount(2)
    qtbot.waitUntil(lambda: view.sceneBoundingRect().height() < empty - legend.height() + 1)
    assert [label.text for _, label in legend.items] == [f"curve {k} with a long name" for k in range(6)]
    shown = legend.sceneBoundingRect()
    assert shown.height() > 20 and not shown.intersects(view.sceneBoundingRect())
    assert shown.top() >= item.getAxis("bottom").sceneBoundingRect().bottom() - 1  # under the axis and its label
    item.clear()  # no entries: the row takes no room
    qtbot.waitUntil(lambda: abs(view.sceneBoundingRect().height() - empty) < 1)
