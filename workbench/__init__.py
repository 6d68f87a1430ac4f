"""Workbench: a desktop application for seeing modern ML ideas at work (the Qt side)."""

from tasks import __version__

__all__ = ["__version__"]
