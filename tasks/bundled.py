"""The checkpoints shipped in ``resources/checkpoints``: the one list of their names, labels and files.

Engines never look for bundled files; the application layer resolves a bundled name to a path here and
hands the path in. Each checkpoint was made by the ``workbench train ...`` command in its ``made_with``.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import resources
from engines.errors import InputError


@dataclass(frozen=True)
class Bundled:
    workflow: str  # "latent" or "diffusion"
    name: str  # the short name users type: "vae", "moons"
    label: str  # menu label
    file: str  # weights file in resources/checkpoints (its .json beside it)
    made_with: str  # the command that trained it

    @property
    def path(self) -> Path:
        return resources.path("checkpoints", self.file)


BUNDLED = (
    Bundled("latent", "vae", "Digits VAE, latent 16 (bundled)", "digits_vae.safetensors",
            "workbench train latent --model vae --dataset digits --latent 16 --out resources/checkpoints/digits_vae"),
    Bundled("latent", "vae-2d", "Digits VAE, latent 2 (bundled)", "digits_vae_2d.safetensors",
            "workbench train latent --model vae --dataset digits --latent 2 --out resources/checkpoints/digits_vae_2d"),
    Bundled("latent", "nice", "Digits NICE flow (bundled)", "digits_nice.safetensors",
            "workbench train latent --model nice --dataset digits --out resources/checkpoints/digits_nice"),
    Bundled("diffusion", "moons", "Moons DDPM (bundled)", "diffusion_moons.safetensors",
            "workbench train diffusion --dataset moons --objective ddpm --steps 3000 "
            "--out resources/checkpoints/diffusion_moons.safetensors"),
    Bundled("diffusion", "digits", "Digits DDPM (bundled)", "diffusion_digits.safetensors",
            "OMP_NUM_THREADS=1 workbench train diffusion --dataset digits --objective ddpm --steps 3000 --batch-size 128 "
            "--out resources/checkpoints/diffusion_digits.safetensors"),
    Bundled("diffusion", "digits-cfg", "Digits DDPM, class-conditional (bundled)",
            "diffusion_digits_cfg.safetensors",
            "OMP_NUM_THREADS=1 workbench train diffusion --dataset digits --objective ddpm --class-dropout 0.1 "
            "--steps 3000 --batch-size 128 --out resources/checkpoints/diffusion_digits_cfg"),
)


def bundled(workflow: str) -> tuple[Bundled, ...]:
    """The bundled checkpoints of ``workflow``, in menu order (the first is the default)."""
    return tuple(b for b in BUNDLED if b.workflow == workflow)


def bundled_path(workflow: str, name: str) -> Path:
    """The weights file of bundled checkpoint ``name``; InputError naming the known ones otherwise."""
    for b in bundled(workflow):
        if b.name == name:
            return b.path
    known = ", ".join(b.name for b in bundled(workflow))
    raise InputError(f"no bundled {workflow} checkpoint {name!r}; choose one of {known}")
