"""The main window: panels as tabs, menus, the status bar with the device and the job area, drag and drop."""
from __future__ import annotations

import gc
from pathlib import Path

from PySide6 import QtCore, QtGui, QtWidgets

from workbench import __version__
from engines.device import CHOICES as DEVICE_CHOICES
from engines.device import probe
from engines.preload import preload
from workbench import file_kinds
from workbench.jobs import JobError, JobHandle, JobManager
from workbench.panel import Panel, PanelContext
from workbench.panel_info import PanelInfo
from workbench.panels import panel_modules
from workbench.settings import Settings
from workbench.widgets.job_bar import JobBar


FIRST_SIZE = QtCore.QSize(1400, 900)


def first_size(screen: QtGui.QScreen | None) -> QtCore.QSize:
    """The window's size on first launch: 1400×900, or what fits the screen's free area."""
    if screen is None:
        return FIRST_SIZE
    return FIRST_SIZE.boundedTo(screen.availableGeometry().size())


class MainWindow(QtWidgets.QMainWindow):
    """One window, one tab per registered panel. Panels are built right after the window first shows."""

    panels_built = QtCore.Signal()

    def __init__(self, settings: Settings, device: str | None = None) -> None:
        super().__init__()
        self.settings = settings
        self._device = device or settings.device()
        self.jobs = JobManager(self)
        self.jobs.started.connect(self._job_started)
        self._device_job = self.jobs.slot("shell", "device")
        self._preload_job = self.jobs.slot("shell", "preload")
        self.starting = False  # from the first panel's start until the libraries are preloaded after its first draw
        self.panels: dict[str, Panel] = {}
        self._started: set[str] = set()
        self.modules = panel_modules()
        self.last_error: QtWidgets.QMessageBox | None = None
        self._shortcuts: list[tuple[QtGui.QAction, object]] = []

        self.setWindowTitle("Workbench")
        self.setAcceptDrops(True)
        self.tabs = QtWidgets.QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.currentChanged.connect(self._tab_changed)
        self.setCentralWidget(self.tabs)

        self.device_label = QtWidgets.QLabel("Device: …")
        self.device_label.setToolTip("The compute device the engines use (View ▸ Device to change)")
        self.job_bar = JobBar()
        self.statusBar().addPermanentWidget(self.job_bar)
        self.statusBar().addPermanentWidget(self.device_label)
        # the bar is as tall with a job as without: a job starting never re-lays out every plot above it
        self.statusBar().setMinimumHeight(self.job_bar.sizeHint().height() + 6)
        self.statusBar().showMessage("Loading panels…")

        self._build_menus()
        geometry = settings.geometry()
        if geometry is None or not self.restoreGeometry(geometry):
            self.resize(first_size(QtGui.QGuiApplication.primaryScreen()))

    # ----- panels
    def build_panels(self) -> None:
        """Create every registered panel (imports pyqtgraph and the panel modules, not torch)."""
        self._install_shortcuts()
        # one context for every panel: they share its jobs and its store of clusterings (context.clusters)
        context = PanelContext(jobs=self.jobs, settings=self.settings, device=lambda: self._device,
                               show_message=lambda text: self.statusBar().showMessage(text, 5000),
                               send_to=self.send_to)
        for module in self.modules:
            panel = module.create(context)
            self.panels[module.INFO.name] = panel
            self.tabs.addTab(panel, module.INFO.title.replace("&", "&&"))  # a lone & would be a mnemonic
        self.statusBar().clearMessage()
        self.probe_device()
        self._tab_changed(self.tabs.currentIndex())
        self.panels_built.emit()

    def panel(self, name: str) -> Panel:
        return self.panels[name]

    def current_panel(self) -> Panel | None:
        widget = self.tabs.currentWidget()
        return widget if isinstance(widget, Panel) else None

    def show_panel(self, name: str) -> Panel:
        panel = self.panels[name]
        self.tabs.setCurrentWidget(panel)
        return panel

    def send_to(self, name: str, kind: str, payload) -> bool:
        """Hand ``payload`` to panel ``name`` and show that panel; report problems in a message box."""
        from engines.errors import InputError

        panel = self.panels.get(name)
        try:
            if panel is None:
                raise InputError(f"there is no {name} panel in this window")
            panel.receive(kind, payload)
        except InputError as exc:
            self.show_error(f"Cannot send {kind}", JobError(str(exc), ""))
            return False
        self.show_panel(name)
        return True

    def _tab_changed(self, index: int) -> None:
        """Start a panel's first-launch work the first time it is shown; its jobs lead the job bar."""
        panel = self.current_panel()
        self.job_bar.set_owner(panel.info.name if panel is not None else "")
        if panel is not None and panel.info.name not in self._started:
            if not self._started:
                self.starting = True
                panel.first_job_done.connect(self._first_drawn, QtCore.Qt.ConnectionType.SingleShotConnection)
            self._started.add(panel.info.name)
            panel.start()

    def _first_drawn(self) -> None:
        """Once the first panel has drawn (torch, pyqtgraph and the engines loaded): move every object alive
        into the collector's permanent generation (later full collections then scan only what the session
        creates, which keeps their pauses of the GUI thread short: gc.freeze); then load the libraries later
        jobs would import on first use (:mod:`engines.preload`; not sooner: the imports would slow the first
        draw by seconds)."""
        gc.freeze()
        handle = self._preload_job.start("Loading libraries", preload)
        handle.done.connect(lambda: setattr(self, "starting", False))

    # ----- device
    @property
    def device(self) -> str:
        return self._device

    def set_device(self, device: str, save: bool = True) -> JobHandle:
        """Use ``device`` (and save the choice) once a probe finds it; an unavailable one is refused (the
        job's error says why), the previous device stays, and nothing is saved."""
        handle = self._device_job.start("Detecting compute device", probe, device)
        handle.succeeded.connect(lambda label, d=device: self._use_device(d, label, save))
        handle.failed.connect(lambda err, d=device: self._refuse_device(d))
        return handle

    def probe_device(self) -> None:
        """At launch: check the device asked for (an unavailable one falls back to the automatic choice)."""
        self.set_device(self._device, save=False)

    def _use_device(self, device: str, label: str, save: bool) -> None:
        self._device = device
        self.device_label.setText(label)
        self._device_actions[device].setChecked(True)
        if save:
            self.settings.set_device(device)

    def _refuse_device(self, device: str) -> None:
        if device == self._device and device != "auto":  # launched with a device this machine lacks
            self.statusBar().showMessage(f"{DEVICE_CHOICES[device]} is not available: using the automatic choice")
            self._device = "auto"
            self.set_device("auto", save=False)
        self._device_actions[self._device].setChecked(True)

    # ----- jobs
    def _job_started(self, handle: JobHandle) -> None:
        self.job_bar.track(handle)
        handle.failed.connect(lambda err, h=handle: None if h.owner_reports_failure
                              else self.show_error(f"{h.title} failed", err))

    def show_error(self, title: str, error: JobError) -> None:
        from workbench.widgets.error_box import ErrorBox

        self.last_error = ErrorBox(title, error.message, error.details, self)
        self.last_error.open()

    # ----- menus
    def _action(self, menu: QtWidgets.QMenu, text: str, slot, shortcut=None, tip: str = "") -> QtGui.QAction:
        action = menu.addAction(text)
        action.triggered.connect(slot)
        if shortcut is not None:
            self._shortcuts.append((action, shortcut))
        if tip:
            action.setStatusTip(tip)
            action.setToolTip(tip)
        return action

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        accepted = {kind for module in self.modules for kind in module.INFO.accepts}
        for kind in file_kinds.FILE_KINDS:
            action = self._action(file_menu, f"Open {kind.name}…", lambda checked=False, k=kind.name: self.open_dialog(k),
                                  kind.shortcut or None, f"Open a {kind.name} in the panel that takes it")
            action.setEnabled(kind.name in accepted)
        self.recent_menu = file_menu.addMenu("Recent files")
        self.recent_menu.aboutToShow.connect(self._fill_recent)
        file_menu.addSeparator()
        S = QtGui.QKeySequence.StandardKey
        self._action(file_menu, "Export figure…", lambda: self._export("export_figure"), "Ctrl+E", "Save the current plot as PNG or SVG")
        self._action(file_menu, "Export data…", lambda: self._export("export_data"), "Ctrl+Shift+E", "Save the plotted data as CSV or NPZ")
        self._action(file_menu, "Export animation…", lambda: self._export("export_animation"), "Ctrl+Alt+E", "Save the animated sequence as GIF or MP4")
        self._action(file_menu, "Copy figure", self._copy_figure, "Ctrl+Shift+C", "Put the current plot on the clipboard as PNG")
        file_menu.addSeparator()
        self._action(file_menu, "Quit", self.close, S.Quit)

        view = bar.addMenu("&View")
        for i, module in enumerate(self.modules):
            self._action(view, module.INFO.title.replace("&", "&&"), lambda checked=False, n=i: self.tabs.setCurrentIndex(n), f"Ctrl+{i + 1}")
        view.addSeparator()
        device_menu = view.addMenu("Device")
        group = QtGui.QActionGroup(self)
        self._device_actions: dict[str, QtGui.QAction] = {}
        for key, label in DEVICE_CHOICES.items():
            action = device_menu.addAction(label)
            action.setCheckable(True)
            action.setChecked(key == self._device)
            action.triggered.connect(lambda checked=False, k=key: self.set_device(k))
            group.addAction(action)
            self._device_actions[key] = action
        self._action(view, "Full screen", self._toggle_full_screen, S.FullScreen)

        help_menu = bar.addMenu("&Help")
        self._action(help_menu, "Keyboard shortcuts", self.show_shortcuts, "F1")
        ideas = help_menu.addMenu("The ideas behind each panel")
        for module in self.modules:
            sub = ideas.addMenu(module.INFO.title.replace("&", "&&"))
            for label, url in module.INFO.ideas:
                self._action(sub, label, lambda checked=False, u=url: QtGui.QDesktopServices.openUrl(QtCore.QUrl(u)), tip=url)
        self._action(help_menu, "Log file", self.show_log_location)
        self._action(help_menu, "About Workbench", self.show_about)
        self.addAction(self._cancel_action())

    def _cancel_action(self) -> QtGui.QAction:
        action = QtGui.QAction("Cancel job", self)
        action.triggered.connect(self.job_bar.cancel)
        self._shortcuts.append((action, "Esc"))
        return action

    def _install_shortcuts(self) -> None:
        """Assign the key sequences after the window shows: PySide6's first QKeySequence costs ~25 ms."""
        for action, key in self._shortcuts:
            action.setShortcut(QtGui.QKeySequence(key))

    def _toggle_full_screen(self) -> None:
        self.showNormal() if self.isFullScreen() else self.showFullScreen()

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        recent = self.settings.recent_files()
        if not recent:
            self.recent_menu.addAction("(none)").setEnabled(False)
        for entry in recent:
            self._action(self.recent_menu, entry, lambda checked=False, p=entry: self.open_path(Path(p)))

    def _export(self, what: str) -> None:
        from workbench.export import dialogs

        panel = self.current_panel()
        if panel is not None:
            getattr(dialogs, what)(self, panel, self.settings)

    def _copy_figure(self) -> None:
        from workbench.export import dialogs

        panel = self.current_panel()
        if panel is not None:
            dialogs.copy_figure(panel)
            self.statusBar().showMessage("Figure copied to the clipboard", 3000)

    # ----- files
    def open_dialog(self, kind: str) -> None:
        path, _ = QtWidgets.QFileDialog.getOpenFileName(self, f"Open {kind}", self.settings.last_dir(kind), file_kinds.kind_named(kind).filter)
        if path:
            self.open_path(Path(path), kind)

    def open_path(self, path: Path, kind: str | None = None) -> bool:
        """Route ``path`` to the first panel that accepts its kind; report problems in a message box."""
        from engines.checkpoints.stem import resolve_checkpoint
        from engines.errors import InputError
        from engines.files import regular_file

        try:
            path = resolve_checkpoint(path)  # a checkpoint's stem, as train --out named it, is the checkpoint
        except InputError as exc:  # more than one checkpoint has that stem
            self.show_error("Cannot open file", JobError(str(exc), ""))
            return False
        if not path.exists():
            self.settings.remove_recent_file(str(path))
            self.show_error("Cannot open file", JobError(f"{path} does not exist (any more).", ""))
            return False
        try:
            if not path.is_dir():  # a pipe or a device is refused before anything routes or reads it
                regular_file(path, f"{kind} file" if kind else "file")
        except InputError as exc:
            self.show_error(f"Cannot open {path.name}", JobError(str(exc), ""))
            return False
        kind = kind or file_kinds.classify(path)
        takers = file_kinds.panels_for(path, kind, [m.INFO for m in self.modules]) if kind else []
        if not takers:
            self.show_error("Cannot open file", JobError(f"Workbench does not know what to do with {path.name}.", ""))
            return False
        target = takers[0] if len(takers) == 1 else self._ask_panel(path, kind, takers)
        if target is None:
            return False
        panel = self.show_panel(target.name)
        try:
            panel.open_path(kind, path)
        except InputError as exc:
            self.show_error(f"Cannot open {path.name}", JobError(str(exc), ""))
            return False
        self.settings.set_last_dir(kind, path)
        self.settings.add_recent_file(path)
        return True

    def _ask_panel(self, path: Path, kind: str, takers: list[PanelInfo]) -> PanelInfo | None:
        """Which of several panels opens ``path``: a checkpoint's own panel is offered first, any other
        kind the panel in front (when it takes it)."""
        current = self.current_panel()
        names = [info.name for info in takers]
        first = names.index(current.info.name) if kind != "checkpoint" and current is not None \
            and current.info.name in names else 0
        titles = [info.title for info in takers]
        title, ok = QtWidgets.QInputDialog.getItem(self, f"Open {path.name}", f"Open {path.name} in:", titles, first,
                                                   False)
        return takers[titles.index(title)] if ok else None

    def dragEnterEvent(self, event: QtGui.QDragEnterEvent) -> None:
        if event.mimeData().hasUrls() and any(u.isLocalFile() for u in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QtGui.QDropEvent) -> None:
        for url in event.mimeData().urls():
            if url.isLocalFile():
                self.open_path(Path(url.toLocalFile()))
        event.acceptProposedAction()

    # ----- help
    def show_shortcuts(self) -> None:
        rows = []
        for action in self.findChildren(QtGui.QAction):
            if not action.shortcut().isEmpty() and action.text():
                rows.append((action.text().replace("&", "").rstrip("…"), action.shortcut().toString(QtGui.QKeySequence.SequenceFormat.NativeText)))
        for panel in self.panels.values():
            for action in panel.actions():
                if not action.shortcut().isEmpty():
                    rows.append((f"{panel.info.title}: {action.text()}", action.shortcut().toString(QtGui.QKeySequence.SequenceFormat.NativeText)))
        html = "<table>" + "".join(f"<tr><td>{t}</td><td>&nbsp;&nbsp;<b>{k}</b></td></tr>" for t, k in sorted(set(rows))) + "</table>"
        QtWidgets.QMessageBox.information(self, "Keyboard shortcuts", html)

    def show_log_location(self) -> None:
        from workbench.logs import log_path

        path = log_path()
        box = QtWidgets.QMessageBox(QtWidgets.QMessageBox.Icon.Information, "Log file", f"Workbench writes its log to\n{path}",
                                    QtWidgets.QMessageBox.StandardButton.Ok, self)
        folder = box.addButton("Open folder", QtWidgets.QMessageBox.ButtonRole.ActionRole)
        folder.clicked.connect(lambda: QtGui.QDesktopServices.openUrl(QtCore.QUrl.fromLocalFile(str(path.parent))))
        box.open()

    def show_about(self) -> None:
        from workbench.logs import log_path

        QtWidgets.QMessageBox.about(
            self, "About Workbench",
            f"<b>Workbench {__version__}</b><p>See modern ML ideas at work: optimizers, latent spaces, "
            f"diffusion sampling, unsupervised segmentation.</p><p>Log file: {log_path()}</p>")

    # ----- closing
    def closeEvent(self, event: QtGui.QCloseEvent) -> None:
        self.settings.set_geometry(self.saveGeometry())
        self.settings.set_window_state(self.saveState())
        if not self.jobs.shutdown(3000):
            import logging

            logging.getLogger(__name__).warning("some jobs did not stop within 3 s of closing the window")
        event.accept()
