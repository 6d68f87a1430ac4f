"""Workbench: a desktop application for seeing modern ML ideas at work."""

__version__ = "0.1.0"
