"""The checkpoint formats: the "format" a checkpoint declares in its JSON, and reading that declaration.

Importing this module loads no torch, so the window can tell what a file is (and which panel opens it)
before any engine is loaded; reading a declaration reads JSON only, never weights.
"""
from __future__ import annotations

from pathlib import Path

from engines.errors import InputError

LATENT = "workbench-latent"  # latent-panel checkpoints (VAE, NICE): NAME.safetensors + NAME.json
DIFFUSION = "workbench-diffusion"  # diffusion-panel checkpoints (DDPM, EDM, flow)
TRAINING_RUN = "workbench.training_run"  # a training-run folder's config.json
DIFFUSERS = "diffusers"  # a diffusers model folder: config.json naming a "_class_name", no "format"
EXPORTED = "workbench-exported"  # an exported program's manifest (engines.exported); routed by its role
BARE = ""  # weights that declare nothing (a bare state dict)
CONFIG = "config.json"


def exported(role: str) -> str:
    """What an exported program of ``role`` (latent, diffusion, landscape) is, for routing it."""
    return f"{EXPORTED}:{role}"


def checkpoint_format(path: str | Path) -> str | None:
    """The "format" a file declares: a folder's config.json (a training run), a JSON file itself, the
    NAME.json beside NAME.safetensors/.pt, else the safetensors metadata; None for a bare state dict.
    InputError when the JSON is unreadable or declares no format."""
    from engines.checkpoints import declared_format, read_json_config

    path = Path(path)
    if path.is_dir():
        from engines.exported.manifest import folder_manifest

        program = None if (path / CONFIG).exists() else folder_manifest(path)  # a folder of one exported program
        path = program or path / CONFIG
        if not path.exists():  # a config.json that is not a regular file is refused by read_json_config
            raise InputError(f"{path.parent.name} is not a training-run folder (it has no {CONFIG})")
    json_path = path if path.suffix.lower() == ".json" else path.with_suffix(".json")
    if json_path.exists():
        body = read_json_config(json_path)
        fmt = body.get("format")
        if not isinstance(fmt, str):
            raise InputError(f"{json_path.name} does not say which kind of checkpoint it describes "
                             "(no \"format\" in the JSON)")
        return exported(str(body.get("role"))) if fmt == EXPORTED else fmt
    if path.suffix.lower() == ".pt2":
        raise InputError(f"{path.name} has no manifest {json_path.name} beside it")
    return declared_format(path) if path.suffix.lower() == ".safetensors" else None


def what_it_is(path: str | Path) -> str | None:
    """What a checkpoint file or folder is, for routing it: its declared format, :data:`DIFFUSERS` for a
    diffusers model folder, :data:`BARE` for weights that declare nothing; None when unreadable or not
    declared (the panel that opens it says why)."""
    path = Path(path)
    try:
        fmt = checkpoint_format(path)
    except InputError:
        config = path / CONFIG if path.is_dir() else None
        if config is not None and config.is_file():
            from engines.checkpoints import read_json_config

            try:
                if isinstance(read_json_config(config).get("_class_name"), str):
                    return DIFFUSERS
            except InputError:
                return None
        return None
    return BARE if fmt is None else fmt
