"""The registered panels, in tab order. A panel whose work is not done yet is simply not listed."""
from __future__ import annotations

import importlib
from types import ModuleType

_MODULES = ("workbench.panels.optimizer", "workbench.panels.latent", "workbench.panels.diffusion", "workbench.panels.segment")


def panel_modules() -> list[ModuleType]:
    """The panel packages; each has INFO, create(context) and a cli module."""
    return [importlib.import_module(name) for name in _MODULES]


def panel_names() -> list[str]:
    return [module.INFO.name for module in panel_modules()]
