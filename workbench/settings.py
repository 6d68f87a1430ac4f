"""Persistent user settings (QSettings): geometry, last directories, device choice, recent files."""
from __future__ import annotations

from pathlib import Path

from PySide6 import QtCore

ORGANIZATION = "Workbench"
APPLICATION = "Workbench"
MAX_RECENT = 10


class Settings:
    def __init__(self, qsettings: QtCore.QSettings | None = None) -> None:
        self.q = qsettings if qsettings is not None else QtCore.QSettings(ORGANIZATION, APPLICATION)

    def device(self) -> str:
        return str(self.q.value("device", "auto"))

    def set_device(self, device: str) -> None:
        self.q.setValue("device", device)

    def last_dir(self, kind: str) -> str:
        return str(self.q.value(f"last_dir/{kind}", str(Path.home())))

    def set_last_dir(self, kind: str, path: Path) -> None:
        self.q.setValue(f"last_dir/{kind}", str(path if path.is_dir() else path.parent))

    def recent_files(self) -> list[str]:
        value = self.q.value("recent_files", [])
        if isinstance(value, str):  # QSettings returns a bare string for a one-element list
            value = [value]
        return [str(v) for v in value or []]

    def add_recent_file(self, path: Path) -> None:
        entry = str(Path(path).resolve())
        recent = [entry] + [p for p in self.recent_files() if p != entry]
        self.q.setValue("recent_files", recent[:MAX_RECENT])

    def remove_recent_file(self, path: str) -> None:
        self.q.setValue("recent_files", [p for p in self.recent_files() if p != path])

    def geometry(self) -> QtCore.QByteArray | None:
        value = self.q.value("window/geometry")
        return value if isinstance(value, QtCore.QByteArray) else None

    def set_geometry(self, geometry: QtCore.QByteArray) -> None:
        self.q.setValue("window/geometry", geometry)

    def window_state(self) -> QtCore.QByteArray | None:
        value = self.q.value("window/state")
        return value if isinstance(value, QtCore.QByteArray) else None

    def set_window_state(self, state: QtCore.QByteArray) -> None:
        self.q.setValue("window/state", state)
