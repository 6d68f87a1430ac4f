"""The latent panel's Text VAE tab: trains in a worker process with progress, shows the walk between two
lines as text strips and prior samples, stops on request, opens a saved checkpoint."""
from pathlib import Path

import numpy as np
import pytest

TIMEOUT_MS = 120_000
POEMS = Path(__file__).parent / "data" / "poems.txt"


@pytest.fixture
def tab(make_panel):
    import workbench.panels.latent as latent

    panel = make_panel(latent)
    panel.tabs.setCurrentWidget(panel.training)
    assert not panel.side.isHidden()
    panel.tabs.setCurrentWidget(panel.text_tab)
    assert panel.side.isHidden()  # the image models' sidebar does not apply to the text VAE
    tab = panel.text_tab
    tab.texts.addItem("poems", str(POEMS))
    tab.texts.setCurrentIndex(tab.texts.count() - 1)
    tab.ends[0].setText("床前明月光")
    tab.ends[1].setText("春眠不觉晓")
    return panel, tab


def test_train_then_walk_shows_text_strips(qtbot, tab, tmp_path):
    panel, tab = tab
    tab.settings.set_values({"epochs": 150, "batch_size": 20, "hidden": 64, "embed": 32, "latent": 16, "lr": 3e-3})
    tab.walk_form.set_values({"steps": 5})
    tab.train_button.click()
    qtbot.waitUntil(lambda: tab.run is not None and tab.run.finished and bool(tab.strips.lines), timeout=TIMEOUT_MS)
    qtbot.waitUntil(lambda: not panel.context.jobs.running(), timeout=TIMEOUT_MS)
    assert tab.progress.value() == 100 and tab.train_button.text() == "Train"
    assert len(tab.strips.lines) == 5 and tab.strips.lines[0] == "床前明月光" and tab.strips.lines[-1] == "春眠不觉晓"
    assert len(tab.samples.lines) == 8 and all(len(line) == 5 for line in tab.samples.lines)
    assert len(tab.loss.data()["epoch"]) == 150
    figures = {f.title: f for f in panel.figures()}
    assert list(figures["Text VAE interpolation (text strips)"].data()["line"]) == list(tab.strips.lines)
    from tasks.latent_text import save_text_job
    from engines.jobs import run

    run(save_text_job, tmp_path / "poems", tab.run)
    tab.strips.show_lines([], [], [], "")
    tab.open(tmp_path / "poems.safetensors")
    qtbot.waitUntil(lambda: len(tab.strips.lines) == 5, timeout=TIMEOUT_MS)
    assert tab.strips.lines[0] == "床前明月光" and "poems.safetensors" in tab.status.text()


def test_stop_ends_the_training(qtbot, tab):
    panel, tab = tab
    tab.settings.set_values({"epochs": 100_000, "hidden": 16, "embed": 8, "latent": 4})
    tab.train_button.click()
    assert tab.train_button.text().startswith("Stop")
    qtbot.waitUntil(lambda: tab.run is not None, timeout=TIMEOUT_MS)  # a streamed epoch
    tab.train_button.click()
    qtbot.waitUntil(lambda: not panel.context.jobs.running(), timeout=TIMEOUT_MS)
    assert tab.train_button.text() == "Train" and "stopped" in tab.status.text()


def test_the_loss_plot_ticks_whole_epochs(qtbot):
    from workbench.panels.latent.text_views import LossPlot

    plot = LossPlot()
    qtbot.addWidget(plot)
    plot.resize(900, 300)
    plot.show_losses(np.linspace(42.0, 31.0, 10))
    axis = plot.getAxis("bottom")
    ticks = [v for _, values in axis.tickValues(1, 10, 900) for v in values]
    assert ticks and all(float(v).is_integer() for v in ticks)  # no 1.5, 2.5 ... epochs
    plot.show_losses(np.linspace(42.0, 31.0, 40))
    assert {v for _, values in axis.tickValues(1, 40, 900) for v in values} <= set(range(0, 41, 4))
