"""The registered panels, in tab order. A panel whose work is not done yet is simply not listed."""
from __future__ import annotations

import importlib
from types import ModuleType

from workbench.panel_info import PanelInfo

_MODULES = ("workbench.panels.optimizer", "workbench.panels.latent", "workbench.panels.diffusion",
            "workbench.panels.segment", "workbench.panels.cluster")


def panel_modules() -> list[ModuleType]:
    """The panel packages; each has INFO and create(context). Importing them does not import Qt."""
    return [importlib.import_module(name) for name in _MODULES]


def panel_infos() -> list[PanelInfo]:
    return [module.INFO for module in panel_modules()]
