"""The comparison mode against the contract of tasks.landscape_compare (docs: the landscape contract): snapshots
built here in its shapes, partial (NaN loss, no paths yet) and final, are drawn with one colour range over
both BatchNorm landscapes, each run's path on its own landscape with its off-plane share in the legend, and
a replaced or cancelled job delivers nothing."""
import sys
import threading
import types
from dataclasses import dataclass
from typing import Optional

import numpy as np
import pytest

TIMEOUT_MS = 60_000
SPECS = ("sgd:lr=0.1", "adam:lr=0.001")
GRID = np.linspace(-1.0, 1.0, 5)


@dataclass(frozen=True)
class CompareRequest:  # the contract's request, as a stand-in
    specs: tuple
    bn: str = "off"
    plane: str = "pca"
    steps: int = 200
    n: int = 31
    batch_size: int = 64
    seed: int = 0
    checkpoint: Optional[str] = None
    curvature_every: int = 0
    device: str = "cpu"


def _run(spec, bn, projected, final):
    steps = np.array([0, 10, 20, 30])
    run = types.SimpleNamespace(label=f"{spec}{' · BN' if bn else ''}", spec=spec, bn=bn, lr=0.1 if "sgd" in spec else 1e-3,
                                losses=np.linspace(2.3, 0.2 if bn else 0.5, 30), steps=steps, path=None, path_loss=None,
                                off_plane=None, smoothness=None, curvature=None)
    if projected:
        run.path = np.column_stack([np.linspace(-0.8, 0.1, 4), np.linspace(0.6, 0.0, 4)]) * (0.5 if bn else 1.0)
        run.off_plane = np.array([0.0, 0.1, 0.2, 0.3])
    if final:
        run.smoothness = types.SimpleNamespace(steps=steps, loss_range=np.full(4, 0.5 if bn else 2.0),
                                               gradient_change=np.full(4, 0.1 if bn else 1.0),
                                               beta_smoothness=np.full(4, 3.0 if bn else 30.0))
        run.curvature = (steps, np.array([5.0, 8.0, 12.0, 15.0]))
    return run


def _landscape(bn, evaluated):
    a, b = np.meshgrid(GRID, GRID)
    loss = (0.5 if bn else 1.0) * (1.0 + a ** 2 + b ** 2)  # lowest 0.5 (with BN), highest 3 (without)
    if evaluated < 1.0:
        loss = loss.copy()
        loss.ravel()[int(evaluated * loss.size):] = np.nan
    return types.SimpleNamespace(bn=bn, plane="pca", a=GRID, b=GRID, loss=loss, explained=np.array([0.7, 0.2]))


def snapshot(stage="done", evaluated=1.0, projected=True, final=True):
    runs = [_run(spec, bn, projected, final) for bn in (False, True) for spec in SPECS]
    lines = []
    if final:
        t = np.linspace(-0.5, 1.5, 9)
        lines = [types.SimpleNamespace(run_a=runs[0].label, run_b=runs[1].label, t=t, train_loss=1 + t ** 2,
                                       test_loss=1.1 + t ** 2, test_accuracy=np.full(9, 0.9))]
    scapes = [] if stage == "training" else [_landscape(False, evaluated), _landscape(True, evaluated)]
    return types.SimpleNamespace(request=CompareRequest(SPECS, bn="both", steps=30), stage=stage, runs=runs,
                                 landscapes=scapes, interpolation=lines)


def _legend(view, i):
    return [label.text for _, label in view.landscapes.legends[i].items]


def test_partial_then_final_snapshots_share_one_colour_range(qtbot, panel, tmp_path):
    view = panel.compare
    panel.modes.setCurrentWidget(view)
    assert view.controls.isVisible() and panel.configs.isVisible() and not panel.picker.isVisible()

    def values_shown(item):
        return item.getAxis("left").style["showValues"] and item.getAxis("bottom").style["showValues"]

    assert view.tabs.currentIndex() == 0  # every tab off before a comparison: the first in view, not the last
    view._draw(snapshot("training", projected=False, final=False))  # no landscape yet
    assert view.landscapes.levels is None and view.figures()[0].data() == {}
    assert not values_shown(view.landscapes.items[0]) and not view.landscapes.heatmaps[0].bar.axis.style["showValues"]
    assert values_shown(view.training.items[0]) and not any(values_shown(i) for i in view.smoothness.items)
    assert not view.tabs.isTabEnabled(1) and not view.tabs.isTabEnabled(3)
    assert "training the runs" in view.status.text()

    view._draw(snapshot("landscape", evaluated=0.4, projected=False, final=False))  # NaN beyond the first 40%
    drawn = [h.data for h in view.landscapes.heatmaps]
    low = np.log10(0.5 * (1 + 0.25))  # the first 10 points of the BN grid, rows b = -1, -0.5: lowest at (0, -0.5)
    assert view.landscapes.levels[0] == pytest.approx(low) and np.isnan(drawn[1][-1, -1])
    assert _legend(view, 0) == list(SPECS)  # paths not projected yet: names only

    final = snapshot()
    view._draw(final)
    expected = (np.log10(0.5), np.log10(3.0))  # the lowest loss is the BN landscape's, the highest the other's
    assert view.landscapes.levels == pytest.approx(expected)
    assert values_shown(view.landscapes.items[0]) and all(values_shown(i) for i in view.smoothness.items)
    for heatmap in view.landscapes.heatmaps:  # both colour bars on the one range
        assert tuple(heatmap.bar.levels()) == pytest.approx(expected)
    assert view.landscapes.shown == 2
    assert _legend(view, 0) == [f"{s} — off-plane 15% mean, 30% last" for s in SPECS]
    assert _legend(view, 1)[0].startswith("sgd:lr=0.1 — off-plane")  # the plot's title says BN
    assert view.landscapes.items[1].titleLabel.text.startswith("with BatchNorm")
    assert not view.landscapes.heatmaps[0].bar.isVisible()  # one bar for the common range, beside the second
    import pyqtgraph as pg

    paths = [d.getData()[0] for d in view.landscapes.items[1].listDataItems() if isinstance(d, pg.PlotDataItem)]
    np.testing.assert_allclose(paths[0], final.runs[2].path[:, 0])  # the BN runs on the BN landscape
    assert len(paths) == 2
    assert all(view.tabs.isTabEnabled(i) for i in range(4))
    assert "mean effective β-smoothness 3 with BatchNorm vs 30 without" in view.status.text()
    titles = [f.title for f in panel.figures()]
    for title in ("Optimizers on one landscape", "Compared training loss", "Smoothness over training (Santurkar et al.)",
                  "Compared curvature", "Interpolation between end points"):
        assert title in titles
    from workbench.export.figure import export_png

    for i, figure in enumerate(view.figures()):  # each figure (one or several plots) exports as an image
        width, height = export_png(figure.widget, tmp_path / f"{i}.png")
        assert width > 100 and height > 100 and (tmp_path / f"{i}.png").stat().st_size > 1000
    data = view.figures()[0].data()
    assert data["bn_loss"].shape == (5, 5) and data["run3_off_plane"].tolist() == [0.0, 0.1, 0.2, 0.3]
    assert panel.parameters()["compare"]["bn"] == "both"

    one = snapshot()
    one.landscapes = one.landscapes[:1]
    one.runs = [r for r in one.runs if not r.bn]
    view._draw(one)  # BN off: one landscape, the second plot leaves the layout
    assert view.landscapes.shown == 1 and view.landscapes.levels == pytest.approx((0.0, np.log10(3.0)))
    assert view.landscapes.heatmaps[0].bar.isVisible()


@pytest.fixture
def stand_in(monkeypatch):
    """tasks.landscape_compare replaced by a module whose job streams a marked snapshot, and whose first
    jobs ignore cancellation until released, then try to deliver."""
    release = threading.Event()
    calls = []

    def compare_job(reporter, request):
        calls.append(request)
        marked = snapshot()
        marked.label = f"job {len(calls)}"
        if len(calls) < 3:
            reporter.partial(marked)
            release.wait(30)  # a job that never checks for cancellation
            marked = snapshot()
            marked.label = f"job {len(calls)} late"
            reporter.partial(marked)
        return marked

    module = types.ModuleType("tasks.landscape_compare")
    module.CompareRequest, module.compare_job = CompareRequest, compare_job
    monkeypatch.setitem(sys.modules, "tasks.landscape_compare", module)
    return release, calls


def test_a_replaced_or_cancelled_job_does_not_deliver(qtbot, panel, stand_in):
    release, calls = stand_in
    view = panel.compare
    view.in_process = False
    panel.configs.set_specs(list(SPECS), emit=False)
    view.form.set_values({"bn": "both"})
    view.run()
    qtbot.waitUntil(lambda: view.snapshot is not None and view.snapshot.label == "job 1", timeout=TIMEOUT_MS)
    assert calls[0].specs == SPECS and calls[0].bn == "both"
    first = view._job.current
    view.run()  # replaces job 1 (still running, deaf to cancellation)
    second = view._job.current
    assert view.snapshot is None  # the old comparison left the view at once
    qtbot.waitUntil(lambda: view.snapshot is not None and view.snapshot.label == "job 2", timeout=TIMEOUT_MS)
    view._job.cancel()  # job 2 is cancelled
    release.set()
    qtbot.waitUntil(lambda: not first.running and not second.running, timeout=TIMEOUT_MS)
    qtbot.wait(200)
    assert view.snapshot.label == "job 2" and view.status.text().startswith("4 run(s)")
    view.run()  # job 3 finishes
    qtbot.waitUntil(lambda: not view._job.running and view.snapshot is not None
                    and view.snapshot.label == "job 3", timeout=TIMEOUT_MS)


def test_the_form_shows_readable_choices_and_requests_their_values(panel):
    from engines.landscape import catalogue as cat

    form = panel.compare.form
    for option in (cat.PLANE, cat.BN):  # every choice of the catalogue, none shown by its raw name
        combo = form.editors[option.name]
        shown = [combo.itemText(i) for i in range(combo.count())]
        assert len(shown) == len(option.choices) and not set(shown) & set(option.choices)
    assert form.editors["plane"].currentText() == "PCA of all runs' weights"
    assert form.editors["bn"].currentText() == "without BatchNorm"
    assert form.values(["plane", "bn"]) == {"plane": "pca", "bn": "off"}  # the catalogue's defaults
    form.editors["plane"].setCurrentText("random directions")  # as the user picks it
    form.editors["bn"].setCurrentText("both, side by side")
    assert form.values(["plane", "bn"]) == {"plane": "random", "bn": "both"}


def test_long_legend_entries_wrap_when_two_landscapes_share_the_row():
    from workbench.panels.optimizer.compare_plots import LEGEND_CHARACTERS, PAIR_LEGEND_CHARACTERS, path_legend

    share = np.array([0.0, 0.5])
    long = "momentum:lr=0.0005,momentum=0.9"
    assert path_legend(long, share, PAIR_LEGEND_CHARACTERS) == f"{long}<br>&nbsp;&nbsp;off-plane 25% mean, 50% last"
    assert path_legend(long, share, LEGEND_CHARACTERS) == f"{long} — off-plane 25% mean, 50% last"
    assert path_legend("lion:lr=1e-4", share, PAIR_LEGEND_CHARACTERS) == "lion:lr=1e-4 — off-plane 25% mean, 50% last"
    assert path_legend("a<b", None, PAIR_LEGEND_CHARACTERS) == "a&lt;b"  # a label is text, not markup
