"""Time to first window: Workbench's main window against a bare PySide6 window, measured in the same run.

Each sample is a fresh interpreter, timed from launch until the window has been shown and the event loop
has turned once. Prints medians and their ratio (target: Workbench <= 1.3x the bare window).
Run: python tests/benchmarks/bench_startup.py [--repeats N]
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

BARE = """
import sys
from PySide6 import QtCore, QtWidgets
app = QtWidgets.QApplication([])
w = QtWidgets.QMainWindow(); w.setWindowTitle("bare"); w.resize(1400, 900); w.show()
QtCore.QTimer.singleShot(0, app.quit)
app.exec()
"""

WORKBENCH = """
import sys, tempfile
from PySide6 import QtCore
from workbench.app import create_application
from workbench.main_window import MainWindow
from workbench.settings import Settings
app = create_application()
w = MainWindow(Settings(QtCore.QSettings(tempfile.mktemp(suffix=".ini"), QtCore.QSettings.Format.IniFormat)))
w.show()
QtCore.QTimer.singleShot(0, app.quit)
app.exec()
assert "torch" not in sys.modules, "torch was imported before the window showed"
"""


def sample(code: str) -> float:
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).parents[2])
    return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    sample(BARE), sample(WORKBENCH)  # warm the file cache
    bare, ours = [], []
    for _ in range(args.repeats):  # interleaved so drifts in machine load hit both alike
        bare.append(sample(BARE))
        ours.append(sample(WORKBENCH))
    b, w = statistics.median(bare), statistics.median(ours)
    print(f"bare PySide6 window : {b * 1000:7.0f} ms (median of {args.repeats})")
    print(f"Workbench window    : {w * 1000:7.0f} ms (median of {args.repeats})")
    print(f"ratio               : {w / b:7.2f}x  (target <= 1.3x)")


if __name__ == "__main__":
    main()
