"""What every workflow's outputs carry: the application's version in sidecars and checkpoints."""
from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from tasks import __version__

APPLICATION = {"workbench": __version__}


def write_sidecar(target: str | os.PathLike[str], parameters: Mapping[str, Any]) -> Path:
    """``FILE.json`` beside an exported file, or ``DIR/sidecar.json`` for an output folder (see
    :mod:`engines.export.sidecar`), stamped with this application's version."""
    from engines.export.sidecar import write_sidecar as write

    return write(target, parameters, APPLICATION)
