"""Shared fixtures: short fixed-seed training runs on the digits, cached per session, and the panel after its
first launch."""
import pytest

PANEL_START_MS = 120_000  # the first launch loads and draws the bundled model: generous on a loaded 2-core box


@pytest.fixture
def panel(qtbot, make_panel):
    import workbench.panels.latent as latent

    widget = make_panel(latent)
    with qtbot.waitSignal(widget.first_job_done, timeout=PANEL_START_MS):
        widget.start()
    return widget


@pytest.fixture(scope="session")
def digits():
    from engines.latent.data import DataSpec, load_data

    return load_data(DataSpec("digits"))


def _train(kind, epochs, **config):
    from engines.jobs import run
    from engines.latent.catalogue import MODELS
    from engines.latent.config import ModelConfig, TrainConfig
    from engines.latent.data import DataSpec
    from engines.latent.training import train_job

    d = MODELS[kind].defaults()
    cfg = ModelConfig(kind, hidden=config.pop("hidden", d["hidden"]), **config)
    return run(train_job, cfg, TrainConfig(epochs=epochs, lr=d["lr"], seed=0), DataSpec("digits"))


@pytest.fixture(scope="session")
def trained_vae():
    return _train("vae", 30, latent=8)


@pytest.fixture(scope="session")
def trained_nice():
    return _train("nice", 8)


@pytest.fixture(scope="session")
def train():
    return _train
