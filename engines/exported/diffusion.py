"""An exported denoiser as the diffusion samplers' model: wrapped by the engine's own VP / EDM / flow
wrapper for its objective, so every sampler calls it as it calls a trained network, one call per NFE."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import torch
from torch import Tensor, nn

from engines.device import DeviceLike, as_device
from engines.exported.manifest import read_manifest
from engines.exported.programs import PROBE_ROWS, ProgramModule, probe


class TimedProgram(nn.Module):
    """``net(x, t)`` as the wrappers call it (t a float, or one value per row) for a program that takes
    ``(x, t)`` with t of shape (N,)."""

    def __init__(self, program: ProgramModule) -> None:
        super().__init__()
        self.program = program

    def forward(self, x: Tensor, t: float | Tensor) -> Tensor:
        t = torch.as_tensor(t, dtype=x.dtype, device=x.device)
        return self.program(x, t.expand(len(x)) if t.ndim == 0 else t)


def load_denoiser(path: str | Path, device: DeviceLike = "cpu") -> tuple[Any, dict[str, Any], str]:
    """(Denoiser, config body, sha256) of an exported denoiser, as ``engines.diffusion.checkpoint.load``."""
    from engines.diffusion.checkpoint import model_from_config

    device = as_device(device)
    m = read_manifest(path, "diffusion")
    program = ProgramModule(m.program)
    net = TimedProgram(program).to(device)
    x = torch.zeros(PROBE_ROWS, *m.data_shape, device=device)
    probe(net, [x, torch.full((PROBE_ROWS,), 1.0, device=device)], [(PROBE_ROWS, *m.data_shape)],
          f"denoiser {m.name}")
    body = {"format": "workbench-exported", "objective": m.values["objective"], "prediction": m.values["prediction"],
            "schedule": m.values["schedule"], "shape": list(m.data_shape), "program": m.name}
    model = model_from_config(body, net)
    model.device = device
    return model, body, program.sha256
