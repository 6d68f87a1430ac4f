"""The File-menu export actions: ask what and where, call the writers, write the sidecar, report errors.

Every action returns the written path (``None`` when cancelled or failed) and never raises: failures are
shown in a message box. The writing itself lives in :mod:`workbench.export.figure` and :mod:`engines.export`.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

from PySide6 import QtWidgets

from engines.export import is_tabular, mp4_available, staged_outputs, write_csv, write_gif, write_mp4, write_npz
from engines.jobs import Cancelled
from tasks.outputs import write_sidecar
from workbench.export.animation_job import write_animation
from workbench.export.figure import copy_figure_to_clipboard, export_png, export_svg
from workbench.panel import Figure, Panel
from workbench.settings import Settings

SETTINGS_KIND = "export"  # Settings.last_dir key shared by all exports
# File-dialog name filters; the chosen file's suffix picks the format.
PNG = "PNG image (*.png)"
SVG = "SVG drawing (*.svg)"
CSV = "CSV table (*.csv)"
NPZ = "NumPy arrays (*.npz)"
GIF = "GIF animation (*.gif)"
MP4 = "MP4 video (*.mp4)"
T = TypeVar("T")


def export_figure(parent: QtWidgets.QWidget | None, panel: Panel, settings: Settings) -> Path | None:
    """Export one of the panel's figures as PNG (at a chosen scale) or SVG."""
    options = ask_figure_options(parent, panel.figures())
    if options is None:
        return None
    figure, scale = options
    path = ask_save_path(parent, settings, "Export figure", [PNG, SVG], figure.title)
    if path is None:
        return None
    if path.suffix.lower() == ".svg":
        return _attempt(parent, panel, path, lambda target: export_svg(figure.widget, target))
    return _attempt(parent, panel, path, lambda target: export_png(figure.widget, target, scale))


def export_data(parent: QtWidgets.QWidget | None, panel: Panel, settings: Settings) -> Path | None:
    """Export the data behind one of the panel's figures as CSV (columns) or NPZ (any arrays)."""
    figures = panel.figures()
    figure = choose(parent, "Export data", "Figure:", figures, [f.title for f in figures])
    if figure is None:
        return None
    try:
        data = figure.data()
    except Exception as exc:  # noqa: BLE001 (a panel's data callable is arbitrary code)
        _error(parent, f"Could not collect the data of “{figure.title}”", exc)
        return None
    if not data:
        QtWidgets.QMessageBox.information(parent, "Export data", f"“{figure.title}” has no data to export yet.")
        return None
    path = ask_save_path(parent, settings, "Export data", ([CSV] if is_tabular(data) else []) + [NPZ], figure.title)
    if path is None:
        return None
    writer = write_csv if path.suffix.lower() == ".csv" else write_npz
    return _attempt(parent, panel, path, lambda target: writer(target, data))


def export_animation(parent: QtWidgets.QWidget | None, panel: Panel, settings: Settings) -> Path | None:
    """Export one of the panel's animations as GIF, or MP4 when imageio-ffmpeg is installed, encoded off
    the GUI thread behind a cancellable progress dialog (cancelling writes nothing and keeps an existing
    file)."""
    animations = panel.animations()
    animation = choose(parent, "Export animation", "Animation:", animations, [a.title for a in animations])
    if animation is None:
        return None
    path = ask_save_path(parent, settings, "Export animation", [GIF] + ([MP4] if mp4_available() else []),
                         animation.title)
    if path is None:
        return None
    writer = write_mp4 if path.suffix.lower() == ".mp4" else write_gif
    return _attempt(parent, panel, path, lambda target: write_animation(parent, panel.context.jobs, panel.info.name,
                                                                        animation, target, writer, screen=panel))


def in_view(figures: Sequence[Figure]) -> int:
    """The index of the first figure the user sees (its sub-tab in front), else 0."""
    return next((i for i, f in enumerate(figures) if f.widget.isVisible()), 0)


def copy_figure(panel: Panel) -> bool:
    """Put the figure in view (the visible sub-tab's) on the clipboard as a PNG at the screen's pixel ratio."""
    figures = panel.figures()
    if not figures:
        return False
    widget = figures[in_view(figures)].widget
    try:
        copy_figure_to_clipboard(widget, widget.devicePixelRatioF())
    except Exception as exc:  # noqa: BLE001 (rendering runs arbitrary item code)
        _error(panel, "Could not copy the figure", exc)
        return False
    return True


def choose(parent: QtWidgets.QWidget | None, title: str, label: str, items: Sequence[T], names: Sequence[str]) -> T | None:
    """The only item, or the one the user picks; ``None`` (after saying so) when there is none."""
    if not items:
        QtWidgets.QMessageBox.information(parent, title, "This panel has nothing to export yet.")
        return None
    if len(items) == 1:
        return items[0]
    first = in_view(items) if all(isinstance(item, Figure) for item in items) else 0
    name, ok = QtWidgets.QInputDialog.getItem(parent, title, label, list(names), first, False)
    return items[list(names).index(name)] if ok else None


def ask_figure_options(parent: QtWidgets.QWidget | None, figures: Sequence[Figure]) -> tuple[Figure, float] | None:
    """Ask which figure (when there are several) and the PNG scale; ``(figure, scale)`` or ``None``."""
    if not figures:
        QtWidgets.QMessageBox.information(parent, "Export figure", "This panel has nothing to export yet.")
        return None
    dialog = FigureOptionsDialog(figures, parent)
    if dialog.exec() != QtWidgets.QDialog.DialogCode.Accepted:
        return None
    return dialog.figure(), dialog.scale.value()


class FigureOptionsDialog(QtWidgets.QDialog):
    """Figure (when several) and scale; shows the PNG size that results."""

    def __init__(self, figures: Sequence[Figure], parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export figure")
        self.figures = list(figures)
        self.choice = QtWidgets.QComboBox()
        self.choice.addItems([f.title for f in self.figures])
        self.choice.setCurrentIndex(in_view(self.figures))
        self.scale = QtWidgets.QDoubleSpinBox()
        self.scale.setRange(0.25, 8.0)
        self.scale.setSingleStep(0.5)
        self.scale.setDecimals(2)
        self.scale.setSuffix(" ×")
        self.scale.setValue(self.figure().widget.devicePixelRatioF())  # the screen's pixel ratio
        self.scale.setToolTip("PNG pixels per logical pixel; SVG output is resolution independent")
        self.size = QtWidgets.QLabel()
        buttons = QtWidgets.QDialogButtonBox(QtWidgets.QDialogButtonBox.StandardButton.Ok
                                             | QtWidgets.QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QtWidgets.QFormLayout(self)
        if len(self.figures) > 1:
            form.addRow("Figure:", self.choice)
        form.addRow("Scale (PNG):", self.scale)
        form.addRow("PNG size:", self.size)
        form.addRow(buttons)
        self.choice.currentIndexChanged.connect(self._update_size)
        self.scale.valueChanged.connect(self._update_size)
        self._update_size()

    def figure(self) -> Figure:
        return self.figures[self.choice.currentIndex()]

    def _update_size(self) -> None:
        widget, scale = self.figure().widget, self.scale.value()
        self.size.setText(f"{round(widget.width() * scale)} × {round(widget.height() * scale)} pixels")


def ask_save_path(parent: QtWidgets.QWidget | None, settings: Settings, caption: str, filters: list[str],
                  title: str) -> Path | None:
    """A save path from the file dialog; its suffix picks the format (the chosen filter's when missing)."""
    suggested = Path(settings.last_dir(SETTINGS_KIND)) / (_slug(title) + _suffix(filters[0]))
    name, chosen = QtWidgets.QFileDialog.getSaveFileName(parent, caption, str(suggested), ";;".join(filters))
    if not name:
        return None
    path = Path(name)
    if path.suffix.lower() not in {_suffix(f) for f in filters}:
        path = path.with_name(path.name + _suffix(chosen or filters[0]))
    settings.set_last_dir(SETTINGS_KIND, path)
    return path


def _attempt(parent: QtWidgets.QWidget | None, panel: Panel, path: Path, write: Callable[[Path], object]) -> Path | None:
    """Run ``write`` on a staged copy of ``path``, write its sidecar, then put both in place together (an old
    file and sidecar stay as they were when either fails); report failures, stay quiet on cancellation."""
    try:
        with staged_outputs(path.parent) as stage:
            write(stage / path.name)
            write_sidecar(stage / path.name, panel.parameters())
    except Cancelled:
        return None
    except Exception as exc:  # noqa: BLE001 (a failed export must never take the window down)
        _error(parent, f"Could not export {path.name}", exc)
        return None
    return path


def _error(parent: QtWidgets.QWidget | None, text: str, exc: BaseException) -> None:
    QtWidgets.QMessageBox.critical(parent, "Export failed", f"{text}:\n{exc}")


def _suffix(name_filter: str) -> str:
    """``"PNG image (*.png)"`` → ``".png"``."""
    return "." + re.search(r"\*\.(\w+)", name_filter).group(1)


def _slug(title: str) -> str:
    return re.sub(r"[^\w-]+", "_", title.strip().lower()).strip("_") or "figure"
