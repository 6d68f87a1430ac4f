"""tasks.latent beyond the smoke run: checkpoint histories, the vectors sent for clustering, train requests."""
import math
from types import SimpleNamespace

import numpy as np
import pytest

from engines.errors import InputError
from engines.latent.config import ModelConfig
from tasks.latent import TrainRequest, history_from_info, vectors


def test_a_recorded_history_comes_back_with_nan_for_missing_values():
    h = history_from_info({"history": {"epoch": [1, 2], "total": [3.0, None], "bpd": []}})
    assert h.epoch == [1, 2] and h.total[0] == 3.0 and math.isnan(h.total[1])
    assert len(h.bpd) == 2 and all(math.isnan(v) for v in h.bpd + h.kl)
    assert history_from_info({}).epoch == [] and history_from_info({"history": {"epoch": []}}).total == []


def _overview(labels, channels):
    config = ModelConfig("vae", data_shape=(channels, 4, 4))
    x = np.zeros((len(labels), channels, 4, 4))
    return SimpleNamespace(checkpoint=SimpleNamespace(config=config, name="m"),
                           encoded=SimpleNamespace(x=x, z=np.ones((len(labels), 3)), labels=np.asarray(labels),
                                                   data=SimpleNamespace(name="toy", all_rows=np.arange(len(labels))[::-1])))


def test_vectors_send_labels_only_when_every_item_has_one():
    grey = vectors(_overview([0, 1, 1], 1))
    assert grey.name == f"codes of the {ModelConfig('vae', data_shape=(1, 4, 4)).title}" and grey.labels.tolist() == [0, 1, 1] and grey.images.shape == (3, 4, 4)
    assert grey.rows.tolist() == [2, 1, 0] and grey.dataset == "toy"  # each code keeps its item's row in the data set
    colour = vectors(_overview([0, -1, 1], 3))
    assert colour.labels is None and colour.images.shape == (3, 3, 4, 4)


def test_a_train_request_checks_its_settings():
    model, train = TrainRequest("nice", settings={"layers": 6, "epochs": 2}).configs()
    assert (model.kind, model.layers, model.hidden, train.epochs, train.lr) == ("nice", 6, 96, 2, 1e-3)
    with pytest.raises(InputError, match="epochs must be between 1 and 100000"):
        TrainRequest("vae", settings={"epochs": 0}).configs()
    with pytest.raises(InputError, match="unknown model 'gan'"):
        TrainRequest("gan").configs()
