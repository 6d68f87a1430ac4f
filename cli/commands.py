"""The headless commands, in ``--help`` order. Each module has VERB ("run" or "train", or a
command of its own with NAME None), NAME, HELP,
``add_arguments(parser)`` and ``run(args) -> int``, and imports no torch at module level."""
from __future__ import annotations

import importlib
from collections.abc import Sequence
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
VERBS = ("run", "train")  # the verbs whose commands are named by a second word


def command_modules(argv: Sequence[str] | None = None) -> list[ModuleType]:
    """The command modules; with ``argv``, only the one it runs when its words name one (a command's module
    is ``cli.VERB_NAME``, or ``cli.VERB`` for a command of its own), so that a command imports no other's
    catalogues and tasks; else (no command named: ``--help``, the window, a typo) all of them."""
    if argv is not None:
        words = [w for w in argv if not w.startswith("-")]
        for k, word in enumerate(words):
            name = f"cli.{word}_{words[k + 1]}" if word in VERBS and k + 1 < len(words) else f"cli.{word}"
            if name in COMMANDS:
                return [importlib.import_module(name)]
    return [importlib.import_module(name) for name in COMMANDS]
