"""An exported decoder (and encoder) as the latent panel's model: every view (map, interpolation strips,
norm and angle statistics, path length) calls ``encode``/``decode``/``sample`` as on its own VAEs."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import torch
from torch import Tensor

from engines.errors import InputError
from engines.exported.manifest import read_manifest
from engines.exported.programs import PROBE_ROWS, ProgramModule, probe
from engines.latent.checkpoint import Checkpoint
from engines.latent.config import ModelConfig
from engines.latent.models import LatentModel


@dataclass(frozen=True)
class ExportedConfig(ModelConfig):
    """A VAE-like model whose networks are exported programs (``program``: the decoder's file name)."""

    program: str = ""

    @property
    def title(self) -> str:
        return f"exported {self.program}, latent {self.latent_size}"


class ExportedLatent(LatentModel):
    """``decode(z) -> x`` by the decoder program; ``encode(x) -> (mean, logvar)`` or ``(z, None)`` by the
    encoder program when there is one."""

    def __init__(self, config: ExportedConfig, decoder: ProgramModule, encoder: Optional[ProgramModule],
                 encoder_output: str) -> None:
        super().__init__(config)
        self.decoder, self.encoder, self.encoder_output = decoder, encoder, encoder_output

    def encode(self, x: Tensor) -> tuple[Tensor, Optional[Tensor]]:
        if self.encoder is None:
            raise InputError(f"{self.config.program} has no encoder in its manifest: only walks between prior "
                             "samples work (add \"encoder\" to the manifest to encode data)")
        out = self.encoder(x)
        return (out[0], out[1]) if self.encoder_output == "mean_logvar" else (out, None)

    def decode(self, z: Tensor) -> Tensor:
        return self.decoder(z).reshape(-1, *self.config.data_shape)

    def losses(self, x: Tensor, kl_weight: float = 1.0) -> dict[str, Tensor]:
        raise InputError("an exported model is not trained in Workbench")


def load_latent(path: str | Path, device: torch.device | str = "cpu") -> Checkpoint:
    """The latent model a manifest (or the .pt2 beside it) describes, probed once; a :class:`Checkpoint`."""
    m = read_manifest(path, "latent")
    v = m.values
    try:
        config = ExportedConfig("vae", m.data_shape, latent=v["latent_size"], program=m.name).validated()
    except InputError as exc:
        raise InputError(f"{m.path.name}: {exc}") from None
    decoder = ProgramModule(m.program)
    encoder_file = m.file("encoder")
    encoder = ProgramModule(encoder_file) if encoder_file is not None else None
    model = ExportedLatent(config, decoder, encoder, v["encoder_output"]).to(device).eval()
    n, shape = config.latent_size, config.data_shape
    z = torch.zeros(PROBE_ROWS, n, device=device)
    flat = (PROBE_ROWS, config.dims)
    try:
        probe(decoder, [z], [(PROBE_ROWS, *shape)], f"decoder {m.name}")
    except InputError:
        probe(decoder, [z], [flat], f"decoder {m.name}")
    if encoder is not None:
        x = torch.zeros(PROBE_ROWS, *shape, device=device)
        outputs = [(PROBE_ROWS, n)] * (2 if v["encoder_output"] == "mean_logvar" else 1)
        probe(encoder, [x], outputs, f"encoder {encoder.name}")
    info = {"exported": str(m.path), "dataset": {"name": v["dataset"]}} if v["dataset"] else {"exported": str(m.path)}
    return Checkpoint(model, config, info, decoder.sha256, m.program)
