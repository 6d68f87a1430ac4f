"""The basin-map, sweep and real-network modes: jobs run through the panel and draw their results."""
import numpy as np
import pytest

TIMEOUT_MS = 90_000


def test_basin_map_draws_one_basin_per_minimum(qtbot, started):
    from tasks.optimizer import SurfaceChoice

    panel = started
    panel.picker.set_choice(SurfaceChoice("himmelblau"))
    qtbot.waitUntil(lambda: panel.snapshot.minima.shape == (4, 2), timeout=TIMEOUT_MS)
    view = panel.basins
    view.spec.setCurrentText("adam:lr=0.05")
    view.n.setValue(24)
    view.steps.setValue(300)
    view.run()
    qtbot.waitUntil(lambda: view.snapshot is not None and view.snapshot.basins is not None
                    and view.snapshot.basins.steps_done == 300, timeout=TIMEOUT_MS)
    index = view.snapshot.basins.minimum_index
    assert index.shape == (24, 24) and set(np.unique(index)) >= {0, 1, 2, 3}
    np.testing.assert_array_equal(view.heatmap.data, index)
    assert "minimum 0" in view.status.text()
    assert [f.title for f in panel.figures()][2] == "Basin map"


def test_sweep_on_the_quadratic_marks_distills_optimum(qtbot, started):
    from engines.optim.quadratic import optimal_momentum
    from tasks.optimizer import SurfaceChoice

    panel = started
    panel.picker.set_choice(SurfaceChoice("quadratic", (("kappa", 50.0), ("angle", 30.0), ("scale", 1.0))))
    qtbot.waitUntil(lambda: panel.picker.choice().name == "quadratic" and panel.snapshot.z is not None
                    and not panel.run_job.running, timeout=TIMEOUT_MS)
    view = panel.sweep
    assert view.spec.currentText().startswith("momentum")
    assert view.x.param.currentText() == "lr" and view.y.param.currentText() == "momentum"
    assert (float(view.x.low.text()), float(view.x.high.text())) == (0.05, 5.0)  # the quadratic's rates
    view.x.count.setValue(12)
    view.y.count.setValue(10)
    view.steps.setValue(100)
    view.run()
    qtbot.waitUntil(lambda: view.outcome is not None and view.outcome.result.steps_done == 100, timeout=TIMEOUT_MS)
    alpha, beta = optimal_momentum(1 / 50, 1.0)
    assert view.outcome.optimal == pytest.approx((alpha, beta))
    assert 0.05 < alpha < 5.0  # the default range holds the optimum it marks
    x, y = view.optimum.getData()
    assert x[0] == pytest.approx(np.log10(alpha)) and y[0] == pytest.approx(beta)
    assert view.outcome.predicted.shape == (10, 12)
    assert "Distill" in view.status.text()


def test_network_mode_trains_and_projects_the_path(qtbot, started, tmp_path):
    from engines.errors import InputError

    panel = started
    view = panel.network
    view.steps.setValue(40)
    view.n.setValue(7)
    view.plane.setCurrentIndex(1)  # PCA
    view.run()
    qtbot.waitUntil(lambda: view.snapshot is not None and view.snapshot.stage == "done", timeout=TIMEOUT_MS)
    s = view.snapshot
    assert s.loss.shape == (7, 7) and np.isfinite(s.loss).all()
    assert s.path.shape == (5, 2)  # snapshots at steps 0, 10, ..., 40
    assert "unexplained" in view.status.text()
    assert view.plot.getPlotItem().getAxis("left").labelText == "PC 2 (path's second principal direction)"
    figures = {f.title: f for f in view.figures()}  # the plane and the training curve both export
    assert figures["Network loss landscape"].data()["loss"].shape == (7, 7)
    curve = figures["Network training loss"].data()
    np.testing.assert_array_equal(curve["minibatch_loss"], s.train_losses)
    assert curve["step"].tolist() == list(range(40))
    with pytest.raises(InputError):
        panel.open_path("checkpoint", tmp_path / "notes.txt")
    (tmp_path / "run").mkdir()
    with pytest.raises(InputError, match="no config.json"):
        panel.open_path("checkpoint", tmp_path / "run")
    # a file of a kind the view cannot open: the old run leaves the view at once, the job says why
    assert view.curve.getData()[0] is not None and len(view.curve.getData()[0]) == 40
    bad = tmp_path / "other.json"
    bad.write_text('{"format": "someone-else"}')
    panel.open_path("checkpoint", bad)
    assert view.snapshot is None and panel.network.figures() == []
    assert view.curve.getData()[0] is None or len(view.curve.getData()[0]) == 0
    assert view.heatmap.data is None and "Opening other.json" in view.status.text()
    qtbot.waitUntil(lambda: "Could not draw" in view.status.text(), timeout=TIMEOUT_MS)
    assert "someone-else" in view.status.text()


def test_basin_map_and_sweep_go_stale_with_the_surface_and_recompute_in_view(qtbot, started):
    from tasks.optimizer import SurfaceChoice

    panel = started
    panel.basins.n.setValue(16)
    panel.basins.steps.setValue(50)
    panel.modes.setCurrentWidget(panel.basins)  # a first view is computed, not left empty
    qtbot.waitUntil(lambda: panel.basins.snapshot is not None and panel.basins.snapshot.basins is not None
                    and not panel.basins._job.running, timeout=TIMEOUT_MS)
    drawn = panel.basins.snapshot
    assert drawn.request.surface.name == panel.picker.choice().name
    assert "Basin map" in [f.title for f in panel.figures()]
    panel.modes.setCurrentWidget(panel.sweep)
    qtbot.waitUntil(lambda: panel.sweep.outcome is not None and not panel.sweep._job.running, timeout=TIMEOUT_MS)

    panel.modes.setCurrentIndex(0)  # the trajectories in front: nothing recomputes behind them
    panel.picker.set_choice(SurfaceChoice("himmelblau"))
    for view in (panel.basins, panel.sweep):
        assert view.staleness.stale and view.status.text().startswith("Out of date")
        assert "himmelblau" in view.status.text()
    titles = [f.title for f in panel.figures()]
    assert "Basin map" not in titles and "Hyperparameter sweep" not in titles  # nothing stale to export
    assert panel.basins.snapshot is drawn

    panel.modes.setCurrentWidget(panel.basins)
    qtbot.waitUntil(lambda: panel.basins.snapshot is not drawn and not panel.basins.staleness.stale, timeout=TIMEOUT_MS)
    assert panel.basins.snapshot.request.surface.name == "himmelblau"
    assert "Basin map" in [f.title for f in panel.figures()]
    assert panel.sweep.staleness.stale  # not in view: still marked, not recomputed


def test_the_formula_surface_waits_for_a_formula(qtbot, started):
    from engines.errors import InputError
    from tasks.optimizer import EXPRESSION, SurfaceChoice
    from workbench.panels.optimizer.surface_picker import EXPRESSION as FORMULA_ITEM

    with pytest.raises(InputError, match="no formula yet"):
        SurfaceChoice(EXPRESSION).build()
    panel = started
    panel.picker.combo.setCurrentText(FORMULA_ITEM)
    assert not panel.picker.choice().ready
    panel.modes.setCurrentWidget(panel.basins)  # nothing to map yet: no job starts
    assert not panel.basins._job.running and panel.basins.snapshot is None
    panel.picker.expression.setText("x**2 + y**2")
    assert panel.picker.apply_expression() and panel.picker.choice().ready
    qtbot.waitUntil(lambda: panel.basins.snapshot is not None and panel.basins.snapshot.basins is not None,
                    timeout=TIMEOUT_MS)
    assert "x**2" in panel.basins.snapshot.request.surface.describe()


def test_the_real_network_view_starts_drawing_when_first_shown(qtbot, started):
    panel = started
    view = panel.network
    view.steps.setValue(20)
    view.n.setValue(5)
    with qtbot.waitSignal(panel.context.jobs.started, timeout=5000) as job:
        panel.modes.setCurrentWidget(view)
    assert job.args[0].title == "Network loss landscape"
    qtbot.waitUntil(lambda: view.snapshot is not None and view.snapshot.stage == "done", timeout=TIMEOUT_MS)
    assert view.snapshot.loss.shape == (5, 5) and view.snapshot.request.spec == view.spec.text()


def test_surfaces_keep_their_aspect_ratio_by_default(qtbot, started):
    panel = started
    box = panel.view.getPlotItem().getViewBox()
    assert panel.controls.equal_axes.isChecked() and box.state["aspectLocked"] == 1.0  # rosenbrock: 4 × 4
    (x0, x1), (y0, y1) = box.viewRange()
    assert (x1 - x0) / (y1 - y0) == pytest.approx(box.width() / box.height(), rel=1e-3)  # one unit, one length
    panel.controls.equal_axes.setChecked(False)
    assert box.state["aspectLocked"] is False


def test_the_basin_map_is_categorical(qtbot, started):
    from workbench.panels.optimizer.basin_view import BASIN_COLORS
    from workbench.panels.optimizer.style import PALETTE

    panel = started
    assert not {c.lower() for c in BASIN_COLORS} & {c.lower() for c in PALETTE}  # not an optimizer's colour
    view = panel.basins
    view.n.setValue(12)
    view.steps.setValue(30)
    view.run()
    qtbot.waitUntil(lambda: view.snapshot is not None and view.snapshot.basins is not None
                    and not view._job.running, timeout=TIMEOUT_MS)
    ticks = view.heatmap.bar.axis._tickLevels[0]
    assert ticks[0] == (-1.0, "none") and len(ticks) == len(view.snapshot.minima) + 1
    view.show_what.setCurrentIndex(1)  # steps: a continuous scale, automatic ticks
    assert view.heatmap.bar.axis._tickLevels is None


def test_the_legend_goes_where_it_hides_the_fewest_points(qtbot, started):
    import numpy as np

    view = started.view
    (x0, x1), (y0, y1) = view.getPlotItem().vb.viewRange()
    # trajectories crowding the top-left corner, nothing at the bottom-right
    corner = np.array([x0 + 0.05 * (x1 - x0), y1 - 0.05 * (y1 - y0)])
    positions = np.broadcast_to(corner, (1, 1, 50, 2)).copy()
    view.set_trajectories(positions, np.zeros((1, 1, 50)), np.arange(50), ["crowded"])
    assert view.place_legend() != (0, 0)
    view.set_starts(np.zeros((0, 2)))
    positions[..., 0] = x1 - 0.05 * (x1 - x0)
    positions[..., 1] = y0 + 0.05 * (y1 - y0)  # now the bottom-right is crowded, the top-left free
    view.set_trajectories(positions, np.zeros((1, 1, 50)), np.arange(50), ["crowded"])
    assert view.place_legend() == (0, 0)
