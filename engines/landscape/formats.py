"""Opening a file as a network for the landscape tools, by the format it declares: a training-run folder,
a checkpoint of a registered format (a JSON "format" beside the weights, or in the safetensors metadata,
read by :func:`engines.checkpoints.declared_format`), or bare weights, if a provider reads those."""
from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from torch import nn

from engines.checkpoints import match_state_dict, read_tensors
from engines.errors import InputError
from engines.formats import checkpoint_format
from engines.landscape.registry import OpenedNetwork, Registry
from engines.landscape.runs import RUN_FORMAT, load_run

PathLike = str | Path


def identify_checkpoint(registry: Registry, path: PathLike) -> str | None:
    """:func:`checkpoint_format` of an existing file ``registry`` can open (None: bare weights); InputError
    naming the format, and the ones known, for any other kind of checkpoint. Cheap: reads only JSON."""
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path} does not exist (moved or deleted?)")
    fmt = checkpoint_format(path)
    if fmt is not None and fmt != RUN_FORMAT and fmt not in registry.formats:
        known = "; ".join([f"{RUN_FORMAT!r} (training-run folders)",
                           *([registry.bare.description] if registry.bare is not None else []),
                           *(f"{f.name!r} ({f.description})" for f in registry.formats.values())])
        raise InputError(f"{path.name} is a checkpoint of kind {fmt!r}, which the Real-network mode cannot open; "
                         f"it opens: {known}")
    return fmt


def open_network(registry: Registry, path: PathLike) -> OpenedNetwork:
    """Open whatever ``path`` holds by the format it declares (:func:`identify_checkpoint`): a saved
    training run, a checkpoint of a registered format (e.g. the latent panel's), or bare weights.
    InputError naming the format for files of kinds the registry does not know."""
    path = Path(path)
    fmt = identify_checkpoint(registry, path)
    if fmt == RUN_FORMAT:
        folder = path if path.is_dir() else path.parent
        run = load_run(registry, folder)
        return OpenedNetwork(run.model(registry, -1), run.task(registry), f"{folder.name}: {run.optimizer}",
                             run.architecture, run.arch_config, run.dataset, run.dataset_config, run=run)
    if fmt is not None:
        return registry.formats[fmt].opener(registry, path)
    if path.is_dir() or path.suffix.lower() == ".json" or registry.bare is None:
        raise InputError(f"{path.name} is not a checkpoint")
    return registry.bare.opener(registry, path)


def load_checkpoint(registry: Registry, path: PathLike, architecture: str,
                    config: Mapping[str, Any] | None = None) -> nn.Module:
    """A registered model with weights from a .safetensors or .pt/.pth state dict, in eval mode.

    Torch files go through ``torch.load(weights_only=True)`` only; every unreadable, hostile or
    mismatched file raises InputError naming the problem (see :mod:`engines.checkpoints`)."""
    model = registry.build_model(architecture, config)
    state = match_state_dict(model, read_tensors(path), Path(path).name)
    model.load_state_dict(state)
    return model.eval()
