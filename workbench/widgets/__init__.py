"""Widgets shared by the shell and the panels."""
