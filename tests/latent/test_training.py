"""Training as a job: partial snapshots carry usable weights; cancel leaves the last good ones."""
import threading

import numpy as np
import pytest
import torch

from engines.jobs import Cancelled, run
from engines.latent.checkpoint import checkpoint_from_state
from engines.latent.config import ModelConfig, TrainConfig
from engines.latent.data import DataSpec, load_data
from engines.latent.training import train_job


def test_cancel_keeps_the_last_streamed_weights(monkeypatch):
    import engines.latent.training as training

    monkeypatch.setattr(training, "PARTIAL_INTERVAL_S", 0.0)
    cancel = threading.Event()
    snaps = []

    def on_partial(snap):
        snaps.append(snap)
        if snap.epoch >= 3:
            cancel.set()

    with pytest.raises(Cancelled):
        run(train_job, ModelConfig("vae", latent=4, hidden=32), TrainConfig(epochs=50), DataSpec("digits"),
            on_partial=on_partial, cancel_event=cancel)
    last = snaps[-1]
    assert last.epoch == 3 and len(last.history.epoch) == 3 and not last.finished
    model = checkpoint_from_state(last.config, last.state).model
    assert all(torch.isfinite(v).all() for v in model.state_dict().values())
    assert last.samples.shape == (64, 8, 8, 1)
    # the snapshot's weights are a copy: they do not change after it was taken
    assert not np.shares_memory(snaps[0].state["decoder.0.weight"], snaps[1].state["decoder.0.weight"])
    assert not np.array_equal(snaps[0].state["decoder.0.weight"], snaps[-1].state["decoder.0.weight"])
    assert all(isinstance(v, np.ndarray) for v in last.state.values())  # no torch shared memory across processes


def test_points_data_train_and_sample():
    result = run(train_job, ModelConfig("nice", hidden=32), TrainConfig(epochs=5, lr=1e-3), DataSpec("moons"))
    assert result.config.data_shape == (2,)
    assert result.samples.shape == (1000, 2)
    assert result.history.total[-1] < result.history.total[0]


def test_loaded_images_are_resized_and_labelled(tmp_path):
    rng = np.random.default_rng(0)
    images = (rng.uniform(0, 255, (20, 12, 12))).astype(np.uint8)
    np.savez(tmp_path / "set.npz", images=images, labels=np.arange(20) % 3)
    data = load_data(DataSpec("set", path=str(tmp_path / "set.npz"), size=(8, 8)))
    assert data.data_shape == (1, 8, 8) and data.levels == 256
    assert sorted(np.concatenate([data.train_y, data.test_y]).tolist()) == sorted((np.arange(20) % 3).tolist())
    from engines.errors import InputError

    with pytest.raises(InputError, match="does not exist"):
        load_data(DataSpec("x", path=str(tmp_path / "nope.npy")))
    with pytest.raises(InputError, match="unknown data set"):
        load_data(DataSpec("mnist"))
