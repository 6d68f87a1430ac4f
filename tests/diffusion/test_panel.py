"""The diffusion panel: no torch at import, first launch draws frames and the quality chart, the timeline
scrubs, sources switch, exports have data."""
import subprocess
import sys

import numpy as np

TIMEOUT_MS = 180_000  # whole tests took up to 47 s on a 2-core machine at load 9-10: each wait is 3x that and more


def test_import_does_not_load_engines():
    code = ("import sys, cli.run_diffusion; import workbench.panels.diffusion.panel; "
            "print('torch' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_sampler_menus_come_from_the_catalogue(qtbot):
    from engines.diffusion.catalogue import OBJECTIVES, SAMPLERS, TRAINING_SETS
    from workbench.panels.diffusion.controls import Controls

    controls = Controls()
    qtbot.addWidget(controls)
    combo = controls.slots[0][1]
    assert {combo.itemData(i): combo.itemText(i) for i in range(combo.count())} == {s.name: s.label for s in SAMPLERS}
    assert [controls.dataset.itemData(i) for i in range(controls.dataset.count())] == list(TRAINING_SETS.names)
    assert [controls.objective.itemData(i) for i in range(controls.objective.count())] == list(OBJECTIVES.names)


def test_settings_form_shows_what_the_checked_samplers_take(qtbot):
    from workbench.panels.diffusion.controls import Controls

    controls = Controls()
    qtbot.addWidget(controls)
    controls.show()
    visible = lambda: {n for n, e in controls.settings.editors.items() if e.isVisible()}  # noqa: E731
    # the defaults: ddim, heun, dpmpp_2m, euler_maruyama
    assert visible() == {"eta", "spacing", "sigma_min", "sigma_max", "rho"}
    for check, _ in controls.slots[1:]:
        check.setChecked(False)
    assert visible() == {"eta", "spacing"}
    combo = controls.slots[0][1]
    combo.setCurrentIndex(combo.findData("langevin"))
    assert visible() == {"sigma_min", "sigma_max", "steps_per_level", "step"}
    combo.setCurrentIndex(combo.findData("flow_euler"))
    assert not controls.settings_box.isVisible()
    # values reach the samplers that take them; "model's" (None) is left out
    combo.setCurrentIndex(combo.findData("ddim"))
    controls.slots[1][0].setChecked(True)  # heun
    controls.settings.set_values({"eta": 0.3, "rho": 5.0, "sigma_max": 40.0})
    assert controls.samplers() == [("ddim", {"eta": 0.3, "spacing": "trailing"}),
                                   ("heun", {"sigma_max": 40.0, "rho": 5.0})]
    controls.objective.setCurrentIndex(controls.objective.findData("ddpm"))
    assert controls.train_settings() == {"prediction": "eps", "schedule": "linear"}
    controls.objective.setCurrentIndex(controls.objective.findData("flow"))
    assert controls.train_settings() == {}


def test_first_launch_and_timeline(qtbot, panel):
    with qtbot.waitSignal(panel.first_job_done, timeout=TIMEOUT_MS):
        panel.start()
    panel.timeline.pause()
    result = panel.outcome.result
    assert [r.name for r in result.runs] == ["ddim", "heun", "dpmpp_2m", "euler_maruyama"]
    assert panel.timeline.count() == 21  # 20 model calls, then the samples
    assert panel.quality is not None and "sliced_wasserstein" in panel.quality_chart.metrics()
    panel.timeline.set_index(4)
    view = panel.compare_views[0]
    x, _ = view.points_item.getData()
    assert np.allclose(x, result.runs[0].frames.x[4][:, 0])
    assert "call 5/20" in view.title.text
    assert "samples: SW " in view.title.text  # the measures are of the samples, not of this call's x_t
    panel.timeline.set_index(20)  # after the last call: the returned samples, not the last x_t
    x, y = view.points_item.getData()
    np.testing.assert_array_equal(np.column_stack([x, y]), result.runs[0].samples)
    assert not np.allclose(result.runs[0].samples, result.runs[0].frames.x[-1])  # DDIM stops at σ ≈ 0.17
    assert view.title.text.startswith("<b>DDIM</b> samples, NFE 20<br>SW ")
    assert panel.timeline.label.text() == "samples, after call 20"
    data = panel.figures()[0].data()
    assert data["ddim_x"].shape == (20, 200, 2)
    assert panel.parameters()["nfe"] == 20
    assert panel.animations()[0].count() == 21
    frame = next(iter(panel.animations()[0].frames()))
    assert frame.ndim == 3 and frame.shape[2] == 4


def test_switch_to_digits_and_mixture(qtbot, panel):
    import resources

    with qtbot.waitSignal(panel.first_job_done, timeout=TIMEOUT_MS):
        panel.start()
    if resources.path("checkpoints", "diffusion_digits.safetensors").exists():
        panel.controls.nfe.setValue(6)
        with qtbot.waitSignal(panel.context.jobs.started, timeout=5000):
            panel.controls.source.setCurrentIndex(panel.controls.source.findData("bundled:digits"))
        qtbot.waitUntil(lambda: panel.outcome.result.kind == "images", timeout=TIMEOUT_MS)
        assert panel.compare_views[0]._mode == "images"
    with qtbot.waitSignal(panel.context.jobs.started, timeout=5000):
        panel.controls.source.setCurrentIndex(panel.controls.source.findData("mixture:eight_gaussians"))
    qtbot.waitUntil(lambda: panel.outcome.result.description.get("mixture") == "eight_gaussians", timeout=TIMEOUT_MS)
    assert panel.compare_views[0]._mode == "points"


def test_open_bad_checkpoint_shows_error(qtbot, panel, tmp_path):
    bad = tmp_path / "bad.safetensors"
    bad.write_bytes(b"garbage")
    failures = []
    panel.context.jobs.started.connect(lambda h: h.failed.connect(failures.append))
    panel.open_path("checkpoint", bad)
    qtbot.waitUntil(lambda: bool(failures), timeout=TIMEOUT_MS)
    assert "bad.safetensors" in failures[0].message


def test_train_in_the_panel_then_sample_it(qtbot, panel):
    c = panel.controls
    c.steps.setValue(50)
    c.objective.setCurrentIndex(c.objective.findData("ddpm"))
    c.objective_settings.set_values({"prediction": "v"})
    with qtbot.waitSignal(panel.context.jobs.started, timeout=5000) as started:
        panel.train()
    handle = started.args[0]
    with qtbot.waitSignal(handle.done, timeout=TIMEOUT_MS):
        pass
    assert panel.trained is not None and panel.trained.body["prediction"] == "v"
    assert c.save_button.isEnabled() and c.source_spec() == "trained:1"
    qtbot.waitUntil(lambda: panel.outcome is not None and panel.outcome.source.description.get("source") == "trained",
                    timeout=TIMEOUT_MS)
    assert panel.outcome.result.runs[0].frames.x.shape[1] == 200


def test_a_number_shown_twice_is_one_computation(qtbot, panel):
    panel.controls.nfe.setValue(12)  # not one of the sweep's own NFEs: it joins the sweep
    with qtbot.waitSignal(panel.first_job_done, timeout=TIMEOUT_MS):
        panel.start()
    qtbot.waitUntil(lambda: panel.quality is not None and not panel._quality_job.running, timeout=TIMEOUT_MS)
    compared = 0
    for run in panel.outcome.result.runs:
        nfes = panel.quality.nfes[run.name]
        if run.nfe not in nfes:  # an adaptive sampler is measured at one budget only
            continue
        at = nfes.index(run.nfe)
        for metric, value in run.metrics.items():
            assert panel.quality.metrics[run.name][metric][at] == value  # the same number, not a re-measure
            compared += 1
    assert compared >= 6


def test_switching_model_marks_the_old_samples_out_of_date(qtbot, panel):
    with qtbot.waitSignal(panel.first_job_done, timeout=TIMEOUT_MS):
        panel.start()
    titles = [f.title for f in panel.figures()]
    assert "Compare: DDIM" in titles and not panel.samples_stale
    with qtbot.waitSignal(panel.context.jobs.started, timeout=5000):
        panel.controls.source.setCurrentIndex(panel.controls.source.findData("mixture:eight_gaussians"))
    assert panel.samples_stale and "eight" in panel.compare_grid.toolTip().lower()
    assert not any(t.startswith("Compare") or t.startswith("Reverse") for t in (f.title for f in panel.figures()))
    qtbot.waitUntil(lambda: not panel.samples_stale, timeout=TIMEOUT_MS)
    assert panel.compare_views[0].run is not None and panel.compare_grid.toolTip() == ""


def test_train_becomes_stop_while_training(qtbot, panel):
    c = panel.controls
    c.steps.setValue(100_000)
    with qtbot.waitSignal(panel.context.jobs.started, timeout=5000) as started:
        panel.train()
    handle = started.args[0]
    assert c.train_button.text() == "Stop (keeps the weights)"
    with qtbot.waitSignal(handle.cancelled, timeout=TIMEOUT_MS):  # before the first preview: nothing to keep
        c.train_button.click()
    assert c.train_button.text() == "Train" and panel.trained is None and not c.save_button.isEnabled()


def test_stop_keeps_the_weights_of_the_last_preview(qtbot, panel):
    c = panel.controls
    c.steps.setValue(5000)  # a preview every 416 steps
    with qtbot.waitSignal(panel.context.jobs.started, timeout=5000) as started:
        panel.train()
    handle = started.args[0]
    with qtbot.waitSignal(handle.partial, timeout=TIMEOUT_MS):
        pass
    with qtbot.waitSignal(handle.cancelled, timeout=TIMEOUT_MS):
        c.train_button.click()
    kept = panel.trained
    assert kept is not None and kept.extra["train"]["steps"] % 416 == 0 and kept.extra["train"]["planned_steps"] == 5000
    assert len(kept.losses) == kept.extra["train"]["steps"] and c.save_button.isEnabled()
    assert "stopped at step" in c.source.currentText()
    qtbot.waitUntil(lambda: panel.outcome is not None and panel.outcome.source.description.get("source") == "trained",
                    timeout=TIMEOUT_MS)


def test_training_tab_shows_the_curve_a_checkpoint_recorded(qtbot, panel):
    import json

    import resources

    with qtbot.waitSignal(panel.first_job_done, timeout=TIMEOUT_MS):
        panel.start()
    recorded = json.loads(resources.path("checkpoints", "diffusion_moons.json").read_text())["train"]["loss_history"]
    view = panel.train_view
    assert not view.hint.isVisible()
    np.testing.assert_allclose(view.data()["loss"], recorded["mean"])
    assert view.data()["step"][-1] == recorded["steps"] == 3000
    assert "3000 steps" in view.loss_plot.titleLabel.text
    with qtbot.waitSignal(panel.context.jobs.started, timeout=5000):
        panel.controls.source.setCurrentIndex(panel.controls.source.findData("mixture:eight_gaussians"))
    qtbot.waitUntil(lambda: view.hint.isVisible(), timeout=TIMEOUT_MS)
    assert "no training history" in view.hint.textItem.toPlainText() and len(view.data()["loss"]) == 0
