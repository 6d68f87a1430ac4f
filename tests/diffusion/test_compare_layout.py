"""The Compare tab's layout: the σ-grid plot's legend hides no sampler's grid (grids that stay high cross the
top-right corner a fixed legend took, a steep one the bottom left: it stands under the plot); a sampler view's
title fits its width."""
import types

import numpy as np


def test_the_schedule_legend_leaves_the_grids(qtbot):
    from workbench.panels.diffusion.charts import SchedulePlot

    plot = SchedulePlot()
    qtbot.addWidget(plot)
    plot.resize(420, 300)
    plot.show()
    qtbot.waitExposed(plot)
    grids = [np.linspace(100.0, 0.1 * (k + 1), 20) for k in range(3)] + [np.geomspace(80.0, 0.002, 20)]
    runs = [types.SimpleNamespace(label=f"sampler number {k}", name=f"s{k}", grid=g, frames=[])
            for k, g in enumerate(grids)]  # three stay high to the right, through the top-right corner
    plot.set_runs(runs)
    view = plot.plotItem.getViewBox()
    qtbot.waitUntil(lambda: plot.legend.sceneBoundingRect().top() >= view.sceneBoundingRect().bottom())
    legend = view.mapSceneToView(plot.legend.sceneBoundingRect()).boundingRect()  # in data coordinates: log10 σ
    points = np.concatenate([np.column_stack([np.arange(20), np.log10(r.grid)]) for r in runs])
    inside = ((points[:, 0] >= legend.left()) & (points[:, 0] <= legend.right())
              & (points[:, 1] >= legend.top()) & (points[:, 1] <= legend.bottom()))
    assert len(plot.legend.items) == 4 and not inside.any()


def test_a_long_samples_title_breaks_after_the_name_only_where_it_would_be_clipped(qtbot):
    from workbench.panels.diffusion.frame_view import FrameView

    text = "<b>Euler–Maruyama SDE</b> samples, NFE 20<br>SW 0.143, MMD² 0.0167"
    view = FrameView(compact=True)
    qtbot.addWidget(view)
    view.resize(600, 400)
    view.show()
    qtbot.waitExposed(view)
    view._set_title(text)
    assert view.title.text == text  # room enough: as written
    view.resize(240, 300)  # a quarter of the Compare tab in a 1280 px window, or less
    qtbot.waitUntil(lambda: view.title.text != text)
    assert view.title.text.startswith("<b>Euler–Maruyama SDE</b><br>samples, NFE 20")
    assert view.title.item.boundingRect().width() <= view.width()
