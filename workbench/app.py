"""Start-up of the GUI: the Qt application, the main window, the offscreen screenshot mode."""
from __future__ import annotations

import os
import sys
from pathlib import Path


GIL_SWITCH_INTERVAL_S = 0.001
XCB_LIBRARIES = ("xcb-cursor", "xkbcommon-x11", "xcb-icccm", "xcb-keysyms", "xcb-shape", "xcb-render-util", "xcb-image")
XCB_HINT = (
    "Qt's xcb platform plugin needs system libraries that are missing: {missing}.\n"
    "On Debian/Ubuntu: sudo apt install libxcb-cursor0 libxkbcommon-x11-0 libxcb-icccm4 libxcb-keysyms1 "
    "libxcb-shape0 libxcb-render-util0 libxcb-image0 libegl1 libgl1\n"
    "(or run headless with QT_QPA_PLATFORM=offscreen)"
)


def platform_problem() -> str | None:
    """A hint when Qt's xcb plugin would fail to load on this Linux desktop (Qt aborts instead of raising)."""
    if not sys.platform.startswith("linux"):
        return None
    platform = os.environ.get("QT_QPA_PLATFORM", "")
    if platform and not platform.startswith("xcb"):
        return None
    if not platform and os.environ.get("WAYLAND_DISPLAY"):
        return None
    if not os.environ.get("DISPLAY"):
        return "No display found (DISPLAY is not set). Run on a desktop, or headless with QT_QPA_PLATFORM=offscreen."
    import ctypes.util

    missing = [name for name in XCB_LIBRARIES if ctypes.util.find_library(name) is None]
    return XCB_HINT.format(missing=", ".join("lib" + m for m in missing)) if missing else None


def create_application(argv: list[str] | None = None):
    """The QApplication with name, icon and theme set."""
    from PySide6 import QtGui, QtWidgets

    import resources
    from workbench.settings import APPLICATION, ORGANIZATION

    # Worker threads running Python loops hold the GIL for a whole switch interval (5 ms by default) each time
    # the GUI thread releases it around a Qt call; a shorter interval keeps painting from queueing behind them.
    sys.setswitchinterval(GIL_SWITCH_INTERVAL_S)
    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication(argv or [sys.argv[0]])
    app.setOrganizationName(ORGANIZATION)
    app.setApplicationName(APPLICATION)
    icon = resources.path("icons", "workbench.png")
    if icon.exists():
        app.setWindowIcon(QtGui.QIcon(str(icon)))
    theme = resources.path("themes", "workbench.qss")
    if theme.exists():
        app.setStyleSheet(theme.read_text(encoding="utf-8"))
    return app


def run_gui(device: str | None) -> int:
    from PySide6 import QtCore

    from workbench.main_window import MainWindow
    from workbench.settings import Settings

    app = create_application()
    window = MainWindow(Settings(), device)
    window.show()
    window.activateWindow()  # keyboard focus even where no window manager hands it out
    QtCore.QTimer.singleShot(0, window.build_panels)
    code = app.exec()
    if not QtCore.QThreadPool.globalInstance().waitForDone(0):
        # A job ignored cancellation; leaving now avoids Qt's abort on destroying a running thread.
        import logging

        logging.getLogger(__name__).warning("exiting with a job still running")
        logging.shutdown()
        os._exit(code)
    return code


def take_screenshot(out: Path, panel_name: str | None, size: tuple[int, int], device: str | None, timeout_s: float = 300) -> int:
    """Build the window offscreen, let the panel finish its first job, save the picture."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6 import QtCore

    from engines.errors import InputError
    from workbench.qt_messages import quiet_offscreen
    from engines.export import atomic_path
    from workbench.main_window import MainWindow
    from workbench.settings import Settings

    screenshot_folder(out)  # before the window is built: a bad path is said at once
    quiet_offscreen()
    app = create_application()
    window = MainWindow(Settings(QtCore.QSettings(QtCore.QSettings.Format.IniFormat, QtCore.QSettings.Scope.UserScope, "Workbench", "screenshot")), device)
    window.resize(*size)
    window.show()
    window.build_panels()
    if panel_name is not None:
        if panel_name not in window.panels:
            raise InputError(f"unknown panel {panel_name!r}; choose one of {', '.join(window.panels)}")
        window.show_panel(panel_name)
    panel = window.current_panel()
    timer = QtCore.QElapsedTimer()
    timer.start()
    while panel is not None and not panel.ready and window.last_error is None and timer.elapsed() < timeout_s * 1000:
        app.processEvents(QtCore.QEventLoop.ProcessEventsFlag.AllEvents, 50)
    if panel is not None and not panel.ready:
        reason = window.last_error.text() if window.last_error is not None else f"timed out after {timeout_s:.0f} s"
        raise InputError(f"the {panel.info.name} panel did not finish its first job: {reason}")
    for _ in range(20):  # let the last redraws land
        app.processEvents()
    image = window.grab().toImage()
    try:
        with atomic_path(out) as temp:
            if not image.save(str(temp), "PNG"):
                raise InputError(f"could not write {out}")
    except OSError as exc:
        raise InputError(f"cannot write the screenshot {out}: {exc.strerror or exc}") from None
    window.close()
    return 0


def screenshot_folder(out: Path) -> None:
    """Create the folder of the ``--screenshot`` file if needed; InputError naming the path when ``out`` is a
    folder or its folder cannot be made or written."""
    from engines.errors import InputError
    from engines.export.staging import create_folder
    from engines.files import output_file

    try:
        if out.is_dir() or not out.name or out.name in (".", ".."):
            raise InputError(f"--screenshot {out} is a folder; give a file name such as {out / 'window.png'}")
    except OSError as exc:  # a name too long, a loop of links
        raise InputError(f"cannot write the screenshot {out}: {exc.strerror or exc}") from None
    folder = create_folder(out.parent, "folder for --screenshot")
    if not os.access(folder, os.W_OK):
        raise InputError(f"cannot write the screenshot into {folder}: permission denied")
    output_file(out, "PNG file")  # a pipe or a device there
