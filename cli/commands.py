"""The headless commands, in ``--help`` order. Each module has VERB ("run" or "train", or a
command of its own with NAME None), NAME, HELP,
``add_arguments(parser)`` and ``run(args) -> int``, and imports no torch at module level."""
from __future__ import annotations

import importlib
from types import ModuleType

COMMANDS = (
    "cli.run_optimizer",
    "cli.run_landscape",
    "cli.run_latent",
    "cli.run_diffusion",
    "cli.run_segment",
    "cli.run_cluster",
    "cli.train_latent",
    "cli.train_diffusion",
    "cli.manifest",
)


def command_modules() -> list[ModuleType]:
    return [importlib.import_module(name) for name in COMMANDS]
