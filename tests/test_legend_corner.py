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
