"""The optimizer panel: first job draws the engine's trajectories, playback scrubs, clicks add starts,
bad formulas show a message, presets and forms edit the SPEC lines."""
import numpy as np
from PySide6 import QtCore

TIMEOUT_MS = 90_000

def joined(paths: np.ndarray) -> np.ndarray:
    s, t, _ = paths.shape
    out = np.full((s, t + 1, 2), np.nan)
    out[:, :t] = paths
    return out.reshape(-1, 2)


def test_import_does_not_load_engines():
    import subprocess
    import sys

    code = ("import sys, cli.run_optimizer; "
            "import workbench.panels.optimizer.panel; print('torch' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_first_job_draws_the_engines_trajectories(started):
    from engines.jobs import run
    from engines.optim.spec import parse_spec
    from engines.optim.surfaces import get_surface
    from engines.optim.trajectories import TrajectoryRequest, run_trajectories

    panel = started
    result = panel.snapshot.result
    assert result.positions.shape[:2] == (4, 4)  # four optimizers, the surface's four starts
    assert panel.picker.choice().name == "rosenbrock"
    import torch

    surface = get_surface("rosenbrock")
    request = TrajectoryRequest(surface, [parse_spec(s) for s in panel.configs.specs()], np.asarray(surface.starts),
                                500, dtype=torch.float64)
    expected = run(run_trajectories, request)
    np.testing.assert_allclose(result.positions, expected.positions)
    last = len(result.steps) - 1
    panel.playback.set_index(last)
    for c in range(4):
        x, y = panel.view.curve_data(c)
        np.testing.assert_array_equal(np.column_stack([x, y]), joined(expected.positions[c]))
    texts = [label.text for _, label in panel.view.legend.items]
    assert texts == [*panel.configs.specs(), "marks every 50 steps"]
    assert panel.view.heatmap.data is not None and panel.view.heatmap.data.shape == panel.snapshot.z.shape


def test_playback_starts_after_the_job_and_the_slider_scrubs(qtbot, panel):
    with qtbot.waitSignal(panel.first_job_done, timeout=TIMEOUT_MS):
        panel.start()
    assert panel.playback.is_playing()
    panel.playback.pause()
    positions = panel.snapshot.result.positions
    panel.playback.slider.setValue(10)
    for c in range(positions.shape[0]):
        x, y = panel.view.curve_data(c)
        np.testing.assert_array_equal(np.column_stack([x, y]), joined(positions[c, :, :11]))
    assert panel.loss_plot.line.value() == 10
    assert panel.playback.label.text() == "step 10 / 500"
    qtbot.keyClick(panel.view, QtCore.Qt.Key.Key_Right)
    assert panel.playback.index() == 11
    qtbot.keyClick(panel.view, QtCore.Qt.Key.Key_Left)
    qtbot.keyClick(panel.view, QtCore.Qt.Key.Key_Left)
    assert panel.playback.index() == 9
    qtbot.keyClick(panel.view, QtCore.Qt.Key.Key_Space)
    assert panel.playback.is_playing()
    qtbot.waitUntil(lambda: panel.playback.index() > 12, timeout=5000)
    qtbot.keyClick(panel.view, QtCore.Qt.Key.Key_Space)
    assert not panel.playback.is_playing()


def test_clicking_the_surface_adds_a_start(qtbot, started):
    panel = started
    vb = panel.view.getPlotItem().vb
    scene_point = vb.mapViewToScene(QtCore.QPointF(0.25, 2.0))
    widget_point = panel.view.mapFromScene(scene_point)
    qtbot.mouseClick(panel.view.viewport(), QtCore.Qt.MouseButton.LeftButton, pos=widget_point)
    assert panel._starts is not None and len(panel._starts) == 5
    np.testing.assert_allclose(panel._starts[-1], (0.25, 2.0), atol=0.05)
    qtbot.waitUntil(lambda: panel.snapshot.result is not None and panel.snapshot.result.positions.shape[1] == 5
                    and not panel.run_job.running, timeout=TIMEOUT_MS)
    np.testing.assert_allclose(panel.snapshot.result.positions[0, 4, 0], panel._starts[-1])


def test_hover_describes_the_point_and_its_optimizer_state(started):
    panel = started
    panel.playback.set_index(len(panel.snapshot.result.steps) - 1)
    r = panel.snapshot.result
    x, y = r.positions[2, 1, 50]  # Adam, second start, step 50
    hit = panel.view.nearest_point(x, y)
    assert hit is not None
    c, s, t = hit
    np.testing.assert_allclose(r.positions[c, s, t], (x, y), atol=0.05)
    text = panel.view.describe_point(2, 1, 50)
    assert "step 50" in text and "loss" in text and "step size" in text and "momentum" in text
    panel.view._show_glyphs(2, 1, 50)
    assert panel.view._ellipse.isVisible() and panel.view._arrow_line.isVisible()


def test_bad_expression_shows_the_message_and_keeps_running(qtbot, started):
    from workbench.panels.optimizer.surface_picker import EXPRESSION

    panel = started
    picker = panel.picker
    picker.combo.setCurrentText(EXPRESSION)
    picker.expression.setText("x**")
    qtbot.keyClick(picker.expression, QtCore.Qt.Key.Key_Return)
    assert picker.error.isVisible()
    assert "parse" in picker.error.text() or "syntax" in picker.error.text()
    picker.expression.setText("__import__('os').system('true')")
    assert not picker.apply_expression()
    assert picker.error.text()
    picker.expression.setText("(x - 1)**2 + 3*(y + 0.5)**2")
    assert picker.apply_expression()
    assert not picker.error.isVisible()
    qtbot.waitUntil(lambda: panel.snapshot.z.shape == (240, 240) and panel.picker.choice().expression != ""
                    and not panel.run_job.running, timeout=TIMEOUT_MS)
    assert np.isfinite(panel.snapshot.result.losses).any()


def test_presets_and_form_edit_the_spec_lines(qtbot, started):
    panel = started
    configs = panel.configs
    index = configs.presets.findText("Lookahead on/off")
    configs.presets.activated.emit(index)
    assert configs.specs()[1].startswith("adam:lr=0.05+lookahead")
    configs.list.setCurrentRow(0)
    lookahead = next(r for r in configs.wrappers if r.name == "lookahead")
    lookahead.check.setChecked(True)
    assert configs.specs()[0] == "adam:lr=0.05+lookahead:k=5,alpha=0.5"
    configs.spec_edit.setText("nonsense:lr=1")
    qtbot.keyClick(configs.spec_edit, QtCore.Qt.Key.Key_Return)
    assert configs.error.isVisible() and "unknown optimizer" in configs.error.text()
    configs.presets.activated.emit(configs.presets.findText("noise (Langevin)"))
    assert panel.controls.noise.value() == 20.0
    qtbot.waitUntil(lambda: panel.snapshot.result is not None and panel.snapshot.result.labels == configs.specs()
                    and not panel.run_job.running, timeout=TIMEOUT_MS)
    assert panel.snapshot.result.positions.shape[0] == 2


def test_figures_animation_and_parameters(started):
    panel = started
    figures = panel.figures()
    assert [f.title for f in figures[:2]] == ["Trajectories on the surface", "Loss against step"]
    data = figures[0].data()
    assert set(data) == {"optimizer", "start", "step", "x", "y", "loss", "status"}
    assert len(data["x"]) == 4 * 4 * 501
    anim = panel.animations()[0]
    frames = anim.frames()
    first = next(frames)
    assert first.ndim == 3 and first.shape[2] == 4 and first.dtype == np.uint8
    frames.close()
    assert anim.count() > 100
    params = panel.parameters()
    assert params["surface"]["name"] == "rosenbrock" and len(params["optimizers"]) == 4


def test_large_runs_go_to_a_job_process_and_stream_thinned_previews(qtbot, started):
    from tasks.optimizer import PREVIEW_POINTS, PROCESS_WORK

    panel = started
    previews = []
    steps = 3000
    for x in np.linspace(-1.5, 1.5, 200):
        panel._starts = np.vstack([panel._starts, [[x, 2.0]]]) if panel._starts is not None else np.array([[x, 2.0]])
    panel.controls.steps.setValue(steps)
    assert len(panel.configs.specs()) * len(panel._starts) * steps > PROCESS_WORK
    panel.run()
    handle = panel.run_job.current
    handle.partial.connect(lambda snap: previews.append(snap.result))
    qtbot.waitUntil(lambda: not panel.run_job.running, timeout=TIMEOUT_MS)
    r = panel.snapshot.result
    assert r.positions.shape[1] == 200 and r.steps[-1] == steps and r.states  # the full final result
    partial = [p for p in previews if p is not None]
    assert partial and all(p.losses.shape[1] * p.losses.shape[2] <= 2 * PREVIEW_POINTS for p in partial)


def test_loss_quantiles_match_numpy_with_diverged_starts():
    import warnings

    from workbench.panels.optimizer.loss_plot import column_quantiles

    rng = np.random.default_rng(0)
    values = rng.standard_normal((256, 80))
    values[rng.random(values.shape) < 0.3] = np.nan
    values[:, 5] = np.nan  # every start diverged
    values[:, 7] = np.inf
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        expected = np.nanquantile(np.where(np.isfinite(values), values, np.nan), (0.5, 0.1, 0.9), axis=0)
    np.testing.assert_allclose(column_quantiles(values, (0.5, 0.1, 0.9)), expected, equal_nan=True)


def test_a_new_run_silences_the_continuous_time_curves_of_the_old_one(qtbot, started):
    from tasks.optimizer import SurfaceChoice

    panel = started
    panel.controls.ode.setChecked(True)  # solves the ODEs of the run on screen
    old = panel.ode_job.current
    assert old is not None and old.running
    with qtbot.waitSignal(old.cancelled, timeout=TIMEOUT_MS):
        panel.picker.set_choice(SurfaceChoice("booth"))
        panel.run()  # another surface: the curves solved for the old one must never be drawn
    assert old.silenced and panel.ode_curves == []
    qtbot.waitUntil(lambda: not panel.run_job.running and bool(panel.ode_curves), timeout=TIMEOUT_MS)
    assert panel.picker.choice().name == "booth"  # the curves now shown were solved on the new surface


def test_a_trajectory_drawn_under_another_says_so_in_the_legend(qtbot, started):
    panel = started
    panel.configs.set_specs(["sgd:lr=0.001", "adam:lr=0.05", "sgd:lr=0.001@same sgd"])
    qtbot.waitUntil(lambda: panel.snapshot.result is not None and len(panel.snapshot.result.labels) == 3
                    and not panel.run_job.running, timeout=TIMEOUT_MS)
    texts = [label.text for _sample, label in panel.view.legend.items[:3]]
    assert "same path as same sgd" in texts[0]
    assert "same path" not in texts[1] and "same path" not in texts[2]
    # the form shows the optimizer and its hyperparameters in words, the SPEC line keeps torch's names
    panel.configs.list.setCurrentRow(1)
    assert panel.configs.optimizer.currentText() == "Adam" and panel.configs.optimizer.currentData() == "adam"
    form = panel.configs.hyper._layout
    assert form.itemAt(0, form.ItemRole.LabelRole).widget().text() == "learning rate"


def test_hidden_under_finds_the_last_coinciding_optimizer():
    from workbench.panels.optimizer.overlaps import hidden_under

    rng = np.random.default_rng(0)
    a = rng.normal(size=(3, 5, 2))
    b = a + 1.0
    nan_tail = a.copy()
    nan_tail[:, 3:] = np.nan
    positions = np.stack([a, b, a + 1e-4, nan_tail, nan_tail])
    assert hidden_under(positions, extent=1.0) == {0: 2, 3: 4}
