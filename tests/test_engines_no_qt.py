"""engines/ never imports Qt: import every module under engines/ in a fresh interpreter and look."""
import subprocess
import sys
from pathlib import Path

SCRIPT = """
import importlib, pkgutil, sys
import engines
names = [m.name for m in pkgutil.walk_packages(engines.__path__, "engines.")]
for name in names:
    importlib.import_module(name)
qt = sorted(m for m in sys.modules if m.split(".")[0] in ("PySide6", "shiboken6", "PyQt5", "PyQt6", "pyqtgraph", "superqt", "qtpy"))
print(len(names))
print(",".join(qt))
"""


def test_engines_never_import_qt():
    proc = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=300,
                          cwd=Path(__file__).parents[1])
    assert proc.returncode == 0, proc.stderr
    count, qt = proc.stdout.strip().splitlines() + [""] * (2 - len(proc.stdout.strip().splitlines()))
    assert int(count) >= 3
    assert qt == "", f"engines loaded Qt modules: {qt}"
