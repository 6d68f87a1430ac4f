"""What the shell and the command line know of a panel before building it (Qt-free, cheap to import)."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PanelInfo:
    name: str  # short id: "optimizer" (--panel, send_to)
    title: str  # tab title: "Optimizer trajectories"
    accepts: tuple[str, ...] = ()  # names of the file kinds (workbench.file_kinds) the panel opens
    # the checkpoint formats it opens (what a checkpoint's JSON declares), the panel's own first;
    # "" stands for weights that declare nothing (a bare state dict)
    formats: tuple[str, ...] = ()
    ideas: tuple[tuple[str, str], ...] = ()  # (label, url) shown under Help
