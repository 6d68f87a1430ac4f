"""The one interface through which a panel plugs into the shell.

A panel lives in a package under ``workbench.panels`` that exposes ``INFO``
(:class:`~workbench.panel_info.PanelInfo`, Qt-free and cheap to import) and ``create(context) -> Panel``.
The panel is a QWidget subclass of :class:`Panel`; the shell builds it with a :class:`PanelContext`, calls
:meth:`Panel.start` once the window is visible (first-launch defaults, no files needed) and asks it for
figures, data and parameters when the user exports. Panels hand data to each other through
``context.send_to(name, kind, payload)``, which reaches the other panel's :meth:`Panel.receive`.
A panel runs its work as the jobs of its workflow's module in :mod:`tasks`, through job slots of
``context.jobs``; it imports engines and tasks lazily (inside methods) so the window appears before
torch loads.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, ClassVar, Iterator

from PySide6 import QtCore, QtWidgets

if TYPE_CHECKING:
    import numpy as np

    from tasks.cluster_store import ClusterStore
    from workbench.jobs import JobManager, JobSlot
    from workbench.panel_info import PanelInfo
    from workbench.settings import Settings


def _cluster_store() -> "ClusterStore":
    from tasks.cluster_store import ClusterStore  # here: it loads numpy, which the shell does not need yet

    return ClusterStore()


@dataclass
class PanelContext:
    """What the shell hands to each panel."""

    jobs: "JobManager"
    settings: "Settings"
    device: Callable[[], str]  # the chosen device preference: "auto", "cpu", "cuda" or "mps"
    show_message: Callable[[str], None]  # a transient status-bar message
    # send_to(panel name, kind, payload): hand data to that panel's receive() and bring it to the front;
    # False (after telling the user why) when it cannot
    send_to: Callable[[str, str, Any], bool]
    # the latest clustering of each data set: the clustering panel publishes, the latent panel colours by it
    clusters: "ClusterStore" = field(default_factory=_cluster_store)


@dataclass
class Figure:
    """An exportable plot: a pyqtgraph widget and the data drawn in it."""

    title: str
    widget: QtWidgets.QWidget  # a pyqtgraph GraphicsView (PlotWidget, GraphicsLayoutWidget, ...)
    data: Callable[[], "dict[str, np.ndarray]"] = field(default=dict)  # column name -> 1D array, or name -> ND array


@dataclass
class Animation:
    """An exportable sequence of frames (optimizer steps, sampling steps, interpolation paths)."""

    title: str
    frames: Callable[[], "Iterator[np.ndarray]"]  # yields HxWx3 or HxWx4 uint8 frames
    count: Callable[[], int]
    fps: float = 10.0


class Panel(QtWidgets.QWidget):
    """Base class of every panel."""

    info: ClassVar[PanelInfo]
    first_job_done = QtCore.Signal()  # emitted once the first-launch job has drawn its result

    def __init__(self, context: PanelContext, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.ready = False  # True once the first-launch job has drawn its result
        self.first_job_done.connect(self._mark_ready)

    def job_slot(self, name: str = "", invalidates: tuple[JobSlot, ...] = ()) -> JobSlot:
        """A slot for one kind of this panel's jobs: a new job there replaces (and silences) the running one."""
        return self.context.jobs.slot(self.info.name, name, invalidates)

    def _mark_ready(self) -> None:
        self.ready = True

    def start(self) -> None:
        """Start the first-launch work (built-in defaults); emit ``first_job_done`` when drawn."""
        self.first_job_done.emit()

    def open_path(self, kind: str, path: Path) -> None:
        """Open a file of ``kind`` (one of ``info.accepts``); raise engines.errors.InputError if unusable."""
        raise NotImplementedError

    def receive(self, kind: str, payload: Any) -> None:
        """Take data of ``kind`` that another panel sent; raise engines.errors.InputError if unusable."""
        from engines.errors import InputError

        raise InputError(f"the {self.info.title} panel does not take {kind}")

    def figures(self) -> list[Figure]:
        """The plots the user can export, most important first."""
        return []

    def animations(self) -> list[Animation]:
        """The animated sequences the user can export."""
        return []

    def parameters(self) -> dict[str, Any]:
        """Everything needed to reproduce the current figures (goes into the export sidecar)."""
        return {}
