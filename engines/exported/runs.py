"""A training run made outside Workbench, for the landscape: a folder of safetensors snapshots of the
exported model's state dict (in name order: the first is the earliest) beside the manifest, shown as the
run's path on the loss plane (Li et al. 2018, §6: the PCA plane of the path)."""
from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
from torch import nn

from engines.budget import describe, load_budget
from engines.checkpoints.tensors import match_state_dict, read_safetensors
from engines.errors import InputError
from engines.exported.programs import ProgramModule
from engines.landscape.registry import Registry, Task
from engines.landscape.training import TrainingRun

MAX_SNAPSHOTS = 1000


class ExportedRun(TrainingRun):
    """Snapshots of an exported model: ``model(registry, i)`` is the program with snapshot i's weights,
    ``task`` the manifest's data set; no minibatch curve is known."""

    def __init__(self, program: nn.Module, task: Task, snapshots: list[dict], name: str) -> None:
        empty = np.zeros(0)
        super().__init__("exported", {"program": name}, "exported", {}, f"{len(snapshots)} snapshots", 0, 0, 0,
                         empty, tuple(range(len(snapshots))), tuple(snapshots), empty, empty, empty)
        object.__setattr__(self, "_program", program)  # a frozen dataclass's fields stay as given
        object.__setattr__(self, "_task", task)

    def model(self, registry: Registry, index: int = -1) -> nn.Module:
        model = copy.deepcopy(self._program)
        model.load_state_dict(self.snapshots[index], strict=False)
        return model.eval()

    def task(self, registry: Registry) -> Task:
        return self._task


def read_snapshots(folder: Path, program: ProgramModule) -> list[dict]:
    """The ``*.safetensors`` in ``folder`` (name order), each checked against the state dict of the
    exported module and named as ``program``'s parameters; sizes checked before any is read."""
    if not folder.is_dir():
        raise InputError(f"the snapshots folder {folder.name} does not exist beside the manifest")
    files = sorted(folder.glob("*.safetensors"))
    if not 2 <= len(files) <= MAX_SNAPSHOTS:
        raise InputError(f"{folder.name} holds {len(files)} .safetensors snapshots; a path needs 2 to {MAX_SNAPSHOTS}")
    total, limit = sum(f.stat().st_size for f in files), load_budget()
    if total > limit:
        raise InputError(f"the snapshots in {folder.name} take {describe(total)}, more than the {describe(limit)} "
                         "a run may take here; none was read")
    return [{f"program.{k}": v for k, v in match_state_dict(program.program, read_safetensors(f),
                                                          f"{folder.name}/{f.name}").items()}
            for f in files]
