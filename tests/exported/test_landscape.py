"""An exported classifier with BatchNorm as a landscape network: ``open_network`` opens it by its manifest
(format workbench-exported:landscape), its loss at the plane's centre is the original module's
cross-entropy on the training split, the optimizer panel draws its plane, and bad data sets are refused
naming the mismatch."""
from __future__ import annotations

import json

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from engines.errors import InputError
from engines.landscape.formats import open_network
from tasks.landscape import registry
from tests.exported.archives import Classifier, classifier_pt2

TIMEOUT_MS = 120_000


class Quiet:
    def progress(self, *args, **kwargs):
        pass

    def partial(self, *args, **kwargs):
        pass

    def check(self):
        pass


def _classifier(folder, **manifest):
    program = classifier_pt2(folder)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(120, 4)).astype(np.float32)
    np.savez(folder / "points.npz", x=x, y=(x[:, 0] > 0).astype(np.int64) + (x[:, 1] > 0))
    body = {"format": "workbench-exported", "role": "landscape", "data_shape": [4], "dataset": "points.npz", **manifest}
    program.with_suffix(".json").write_text(json.dumps(body))
    return program


def test_the_loss_plane_centre_is_the_modules_loss(tmp_path):
    from engines.landscape.planes import loss_surface, parameters, random_directions

    opened = open_network(registry(), _classifier(tmp_path))
    torch.manual_seed(0)
    module = Classifier().eval()
    train = opened.task.train
    with torch.no_grad():
        expected = F.cross_entropy(module(train.inputs[0]), train.targets).item()
        assert abs(opened.task.loss_fn(opened.model(*train.inputs), train.targets).item() - expected) <= 1e-5
    directions = random_directions(parameters(opened.model), 0)
    plane = loss_surface(Quiet(), opened.model, train, opened.task.loss_fn, directions, n=3)
    assert abs(plane.loss[1, 1] - expected) <= 1e-5 and np.isfinite(plane.loss).all()
    assert len(opened.task.test) == 24 and opened.loss_name == "cross-entropy"


@pytest.mark.parametrize("arrays, message", [
    ({"x": np.zeros((10, 4), np.float32)}, "holds no targets"),
    ({"x": np.zeros((10, 5), np.float32), "y": np.zeros(10)}, "x is shaped [10, 5]"),
    ({"x": np.zeros((10, 4), np.float32), "y": np.full(10, 0.5)}, "y must hold whole class numbers"),
    ({"x": np.zeros((10, 4), np.float32), "y": np.full(10, 7)}, "returns 3 class scores but points.npz has class 7"),
])
def test_a_data_set_that_does_not_fit_is_refused(tmp_path, arrays, message):
    program = _classifier(tmp_path)
    np.savez(tmp_path / "points.npz", **arrays)
    with pytest.raises(InputError, match=message.replace("[", r"\[").replace("]", r"\]")):
        open_network(registry(), program)


def test_the_optimizer_panel_draws_the_plane_of_an_exported_classifier(qtbot, make_panel, tmp_path):
    import workbench.panels.optimizer as optimizer

    program = _classifier(tmp_path)
    panel = make_panel(optimizer)
    with qtbot.waitSignal(panel.first_job_done, timeout=TIMEOUT_MS):
        panel.start()
    panel.playback.pause()
    panel.network.n.setValue(5)
    panel.open_path("checkpoint", program)
    view = panel.network
    qtbot.waitUntil(lambda: view.snapshot is not None and view.snapshot.stage == "done", timeout=TIMEOUT_MS)
    assert view.snapshot.loss.shape == (5, 5) and np.isfinite(view.snapshot.loss).all()
    assert "exported classifier.pt2" in view.snapshot.label
