"""The layers and what each may import (README, Architecture):

engines/    torch, numpy, scipy and engines/ only: never Qt, workbench/, tasks/, cli/ or resources/
tasks/      engines/ and resources/: never Qt, pyqtgraph, workbench/ or cli/
workbench/  Qt, tasks/, engines/, resources/: never cli/ (but for the ``python -m workbench`` entry shim)
cli/        anything

Imports are checked in the source (also those inside functions), and by running code in a fresh interpreter.
"""
import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
QT = ("PySide6", "shiboken6", "PyQt5", "PyQt6", "pyqtgraph", "superqt", "qtpy")
FORBIDDEN = {
    "engines": (*QT, "workbench", "tasks", "cli", "resources"),
    "tasks": (*QT, "workbench", "cli"),
    "workbench": ("cli",),
}
ENTRY_SHIMS = {Path("workbench/__main__.py")}


def imported_roots(path: Path) -> set[str]:
    """Top-level names of every module ``path`` imports, at module level or inside functions."""
    roots = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_each_layer_imports_only_what_it_may(layer):
    offenders = []
    for path in sorted((ROOT / layer).rglob("*.py")):
        rel = path.relative_to(ROOT)
        if rel in ENTRY_SHIMS:
            continue
        bad = sorted(imported_roots(path) & set(FORBIDDEN[layer]))
        if bad:
            offenders.append(f"{rel}: {', '.join(bad)}")
    assert not offenders, f"{layer}/ imports what it may not:\n" + "\n".join(offenders)


def test_the_rule_catches_an_import_inside_a_function(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from workbench.panel import Panel\n    import PySide6.QtCore\n")
    assert imported_roots(module) == {"workbench", "PySide6"}


IMPORT_ALL = """
import importlib, pkgutil, sys
import {package}
names = [m.name for m in pkgutil.walk_packages({package}.__path__, "{package}.")]
for name in names:
    importlib.import_module(name)
loaded = sorted({{m.split(".")[0] for m in sys.modules}} & set({forbidden!r}))
print(len(names))
print(",".join(loaded))
"""


@pytest.mark.parametrize("package", ["engines", "tasks"])
def test_importing_every_module_loads_nothing_forbidden(package):
    code = IMPORT_ALL.format(package=package, forbidden=FORBIDDEN[package])
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    count, loaded = (proc.stdout.strip().splitlines() + [""])[:2]
    assert int(count) >= 3
    assert loaded == "", f"importing {package}/ loaded {loaded}"
