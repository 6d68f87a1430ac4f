"""Data files shipped with Workbench (icons, themes, small checkpoints); see :func:`path`."""
from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent


def path(*parts: str) -> Path:
    """The file ``resources/<parts...>`` on disk, e.g. ``path("icons", "workbench.svg")``.

    Data files are installed as plain files beside this module (source tree, wheel, PyInstaller bundle).
    """
    return ROOT.joinpath(*parts)
