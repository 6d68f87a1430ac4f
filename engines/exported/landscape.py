"""An exported model ``x → output`` as a network of the landscape tools (the optimizer panel's Real-network
mode, Li et al. 2018 "Visualizing the Loss Landscape of Neural Nets"): :func:`register` adds the format
``workbench-exported:landscape`` to a landscape registry, so :func:`engines.landscape.formats.open_network`
opens a ``.pt2`` whose manifest names the loss (cross-entropy or MSE) and an ``.npz`` data set (arrays x, y)."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor

from engines.data.files import read_array
from engines.errors import InputError
from engines.exported.manifest import read_manifest
from engines.exported.programs import PROBE_ROWS, ProgramModule, probe
from engines.exported.runs import ExportedRun, read_snapshots
from engines.formats import exported
from engines.landscape.registry import CheckpointFormat, OpenedNetwork, Registry, Split, Task

FORMAT = exported("landscape")
ARCHITECTURE = "exported"
TEST_SHARE = 0.2  # the last fifth of a fixed permutation (seed 0) is the test split
LOSS_NAMES = {"cross_entropy": "cross-entropy", "mse": "mean squared error"}


def _accuracy(out: Tensor, y: Tensor) -> Tensor:
    return (out.argmax(-1) == y).float().mean()


def open_exported(registry: Registry, path: Path) -> OpenedNetwork:
    """The program, its data set split 80/20, and its loss; each checked against the manifest."""
    m = read_manifest(path, "landscape")
    data_file = m.file("dataset")
    x, y = read_array(data_file)
    loss = m.values["loss"]
    if y is None:
        raise InputError(f"{data_file.name} holds no targets: save them as the array y beside x")
    if tuple(x.shape[1:]) != m.data_shape or len(x) != len(y) or len(x) < 2:
        raise InputError(f"{data_file.name}: x is shaped {list(x.shape)} and y {list(y.shape)}; the manifest wants "
                         f"at least 2 rows of items shaped {list(m.data_shape)} and one target per row")
    xs = torch.as_tensor(np.asarray(x, dtype=np.float32))
    if loss == "cross_entropy":
        if y.ndim != 1 or not np.issubdtype(y.dtype, np.number) or (y != np.round(y)).any() or y.min() < 0:
            raise InputError(f"{data_file.name}: y must hold whole class numbers from 0 for loss cross_entropy")
        ys = torch.as_tensor(np.asarray(y, dtype=np.int64))
        expected = (PROBE_ROWS, -1)
    else:
        ys = torch.as_tensor(np.asarray(y, dtype=np.float32))
        expected = (PROBE_ROWS, *ys.shape[1:])
    model = ProgramModule(m.program).eval()
    out = probe(model, [xs[:PROBE_ROWS]], [expected], f"model {m.name}")[0]
    if loss == "cross_entropy" and out.shape[1] <= int(ys.max()):
        raise InputError(f"the model {m.name} returns {out.shape[1]} class scores but {data_file.name} has class "
                         f"{int(ys.max())}")
    order = torch.randperm(len(xs), generator=torch.Generator().manual_seed(0))
    cut = len(xs) - max(1, int(TEST_SHARE * len(xs)))
    train, test = order[:cut], order[cut:]
    loss_fn, metric = (F.cross_entropy, _accuracy) if loss == "cross_entropy" else (F.mse_loss, None)
    task = Task(f"{data_file.name} ({LOSS_NAMES[loss]})", Split((xs[train],), ys[train]), Split((xs[test],), ys[test]),
                loss_fn, metric, "accuracy" if metric else "")
    folder = m.file("snapshots")
    run = ExportedRun(model, task, read_snapshots(folder, model), m.name) if folder is not None else None
    return OpenedNetwork(model, task, f"exported {m.name}, {task.name}", ARCHITECTURE, {"program": m.name},
                         ARCHITECTURE, {"dataset": data_file.name}, LOSS_NAMES[loss], run)


def register(registry: Registry) -> None:
    """Add the exported-program format to ``registry``."""
    registry.add_format(CheckpointFormat(FORMAT, open_exported, "exported programs (.pt2) with a landscape manifest"))
