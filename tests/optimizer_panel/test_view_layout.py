"""Layout of the optimizer panel's views as a user sees them: the surface fills its frame, the sweep's
controls sit close and show the optimizer's name in full."""
import numpy as np
import pytest


def _surface(qtbot, size):
    from engines.optim.contours import surface_layers
    from workbench.panels.optimizer.surface_view import SurfaceView

    x, y = np.linspace(-2, 2, 41), np.linspace(-1, 3, 41)
    z = (1 - x[None, :]) ** 2 + 100 * (y[:, None] - x[None, :] ** 2) ** 2  # Rosenbrock on a square domain
    view = SurfaceView()
    qtbot.addWidget(view)
    view.resize(*size)
    view.show()
    qtbot.waitExposed(view)
    view.set_surface(x, y, surface_layers(z), [(1.0, 1.0)])
    return view


def _image_rect_in_pixels(view):
    vb = view.getPlotItem().getViewBox()
    return vb.mapViewToScene(view.heatmap.image.mapRectToView(view.heatmap.image.boundingRect())).boundingRect(), \
        vb.sceneBoundingRect()


@pytest.mark.parametrize("size", [(1200, 500), (500, 900)])
@pytest.mark.parametrize("equal", [True, False])
def test_the_surface_fills_the_plot_frame_without_empty_bands(qtbot, size, equal):
    view = _surface(qtbot, size)
    view.set_equal_axes(equal)
    view.resize(size[0] + 40, size[1])  # and again after the widget changes size
    qtbot.wait(20)
    image, frame = _image_rect_in_pixels(view)
    for a, b in ((image.left(), frame.left()), (image.right(), frame.right()),
                 (image.top(), frame.top()), (image.bottom(), frame.bottom())):
        assert a == pytest.approx(b, abs=frame.width() / 40 + 2)  # at most half a grid cell beyond the frame
    if equal:  # one unit on x is as long as one on y
        px, py = view.getPlotItem().getViewBox().viewPixelSize()
        assert px == pytest.approx(py, rel=1e-3)
        assert frame.width() == pytest.approx(frame.height(), rel=0.05)


def test_the_sweep_rows_sit_close_and_name_the_optimizer_in_full(qtbot, panel):
    panel.resize(1280, 800)
    panel.show()
    panel.modes.setCurrentWidget(panel.sweep)
    qtbot.waitExposed(panel)
    sweep = panel.sweep
    text = sweep.spec.currentText()
    assert text.startswith("momentum:")
    shown = sweep.spec.style().subControlRect(
        sweep.spec.style().ComplexControl.CC_ComboBox, _combo_option(sweep.spec),
        sweep.spec.style().SubControl.SC_ComboBoxEditField, sweep.spec)
    assert shown.width() >= sweep.spec.fontMetrics().horizontalAdvance(text)
    gap = sweep.y.geometry().top() - sweep.x.geometry().bottom()
    assert 0 <= gap <= 8


def _combo_option(combo):
    from PySide6 import QtWidgets

    option = QtWidgets.QStyleOptionComboBox()
    combo.initStyleOption(option)
    return option
