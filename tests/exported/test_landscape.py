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


def test_a_folder_of_snapshots_is_the_runs_path_on_the_plane(tmp_path):
    """A run made outside Workbench: snapshots of the classifier's state dict while SGD trains it, the final
    model exported; the path has one point per snapshot and ends at the plane's centre (the final weights)."""
    from safetensors.torch import save_file

    from engines.jobs import Reporter
    from tasks.landscape import NetworkRequest, network_job
    from tests.exported.archives import export

    program = _classifier(tmp_path, snapshots="run")
    data = np.load(tmp_path / "points.npz")
    x, y = torch.from_numpy(data["x"]), torch.from_numpy(data["y"])
    torch.manual_seed(0)
    module = Classifier()
    optimizer = torch.optim.SGD(module.parameters(), lr=0.5)
    (tmp_path / "run").mkdir()
    for step in range(6):
        save_file({k: v.contiguous() for k, v in module.state_dict().items()},
                  str(tmp_path / "run" / f"step_{step:03d}.safetensors"))
        optimizer.zero_grad()
        F.cross_entropy(module(x), y).backward()
        optimizer.step()
    save_file({k: v.contiguous() for k, v in module.state_dict().items()},
              str(tmp_path / "run" / "step_006.safetensors"))
    export(module.eval(), (x[:5],), program)
    for plane in ("fixed", "pca"):
        result = network_job(Reporter(), NetworkRequest("sgd:lr=0.5", 0, plane=plane, n=5, checkpoint=str(program),
                                                         device="cpu"))
        assert result.path.shape == (7, 2) and np.isfinite(result.loss).all() and result.plane == plane
        if plane == "fixed":  # the plane is centred on the final weights, the last snapshot
            assert np.abs(result.path[-1]).max() <= 1e-6 and np.abs(result.path[0]).max() > 1e-3
    opened = open_network(registry(), program)
    train = opened.task.train
    with torch.no_grad():
        final = opened.run.model(registry(), -1)
        assert abs(F.cross_entropy(final(*train.inputs), train.targets)
                   - F.cross_entropy(module(*train.inputs), train.targets)) <= 1e-5


def test_a_snapshot_of_another_model_is_refused(tmp_path):
    from safetensors.torch import save_file

    program = _classifier(tmp_path, snapshots="run")
    (tmp_path / "run").mkdir()
    for i in range(2):
        save_file({"net.0.weight": torch.zeros(2, 2)}, str(tmp_path / "run" / f"{i}.safetensors"))
    with pytest.raises(InputError, match=r"run/0.safetensors does not fit the model: missing keys: net.0.bias"):
        open_network(registry(), program)


def test_run_landscape_trains_an_exported_classifier_as_torch_optim_trains_the_module(tmp_path):
    """`run landscape --checkpoint X.pt2` trains a copy of the program: its path equals torch.optim's SGD
    on the original module (eval-mode BatchNorm, as exported) over the same minibatches."""
    from engines.jobs import run
    from engines.landscape.training import _batches
    from tasks.landscape_compare import CompareRequest, compare_job

    program = _classifier(tmp_path)
    request = CompareRequest(("sgd:lr=0.1,momentum=0.9",), steps=12, n=5, batch_size=16, seed=3,
                             checkpoint=str(program), device="cpu")
    result = run(compare_job, request)
    assert [r.bn for r in result.runs] == [True] and result.landscapes[0].bn  # BatchNorm inside the program
    torch.manual_seed(0)
    module = Classifier().eval()
    optimizer = torch.optim.SGD(module.parameters(), lr=0.1, momentum=0.9)
    train = open_network(registry(), program).task.train
    batches = _batches(len(train), 16, torch.Generator().manual_seed(3))
    losses = []
    for _ in range(12):
        batch = train.take(next(batches))
        optimizer.zero_grad()
        loss = F.cross_entropy(module(*batch.inputs), batch.targets)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    np.testing.assert_allclose(result.runs[0].losses, losses, atol=1e-5, rtol=0)
