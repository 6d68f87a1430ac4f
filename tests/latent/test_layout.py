"""Layout of the latent panel's plots on synthetic results (no model): the angle histogram's legend stays off the
curves, and the traversal rows' labels sit against the grid's images."""
import numpy as np
import pytest


def test_the_angle_legend_is_outside_the_curves(qtbot):
    from engines.latent.statistics import angle_fit, random_pair_angles
    from workbench.panels.latent.plots import AnglePlot

    plot = AnglePlot()
    qtbot.addWidget(plot)
    plot.resize(480, 380)
    plot.show()
    qtbot.waitExposed(plot)
    plot.set_fit(angle_fit(random_pair_angles(4, 2000), 4), random_pair_angles(4, 500, seed=1))
    qtbot.wait(50)
    legend, view = plot.getPlotItem().legend, plot.getPlotItem().vb
    assert len(legend.items) == 3
    assert not legend.sceneBoundingRect().intersects(view.sceneBoundingRect())


@pytest.mark.parametrize("width", [700, 1600])
def test_the_traversal_labels_sit_against_the_grid(qtbot, width):
    from PySide6 import QtCore

    from tasks.latent_directions import AttributeStrip, TraversalGrid
    from workbench.panels.latent.directions_view import LABEL_GAP, DirectionsView

    view = DirectionsView()
    qtbot.addWidget(view)
    view.resize(width, 700)
    view.show()
    qtbot.waitExposed(view)
    view.set_data(np.array([0, 1, 0, 1]), np.arange(4), 0, True)
    rows, steps = 4, 9
    strip = AttributeStrip((1, 0), 0, np.linspace(0, 2, steps), np.ones(3), np.zeros((steps, 3)),
                           np.full((steps, 28, 28, 1), 0.5))
    grid = TraversalGrid(0, np.array([0.5, 2.0, 1.0]), np.array([1, 2, 0, 1]), np.zeros((rows, steps)),
                         np.full((rows, steps, 28, 28, 1), 0.5))
    view.set_result((strip, grid))
    qtbot.wait(50)
    image_left = view.grid_box.mapViewToScene(QtCore.QPointF(0, 0)).x()
    for item in view.kl_items:
        right = item.sceneBoundingRect().right()
        assert image_left - LABEL_GAP - 2 <= right <= image_left  # against the image, not across the cell
        assert item.sceneBoundingRect().left() >= 0  # and whole
    assert view.row_labels()[0] == "z1  KL 2.00 nats"
