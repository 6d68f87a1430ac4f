"""Every workflow's tasks run headless: each script in tests/task_smoke/ runs the jobs of one module of
tasks/ on tiny inputs in a fresh interpreter, which must not load Qt or pyqtgraph on the way."""
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
WORKFLOWS = ("optimizer", "landscape", "latent", "diffusion", "segmentation", "clustering")
SCRIPTS = {p.stem: p for p in sorted((ROOT / "tests" / "task_smoke").glob("*.py"))}
QT = ("PySide6", "shiboken6", "PyQt5", "PyQt6", "pyqtgraph", "superqt", "qtpy")
RUN = """
import runpy, sys
runpy.run_path({script!r}, run_name="__main__")
print("LOADED:" + ",".join(sorted({{m.split(".")[0] for m in sys.modules}} & set({qt!r}))))
"""


def test_every_workflow_has_a_tasks_module_and_a_smoke_script():
    assert set(SCRIPTS) == set(WORKFLOWS)
    for name in WORKFLOWS:
        assert (ROOT / "tasks" / f"{name}.py").is_file(), name


@pytest.mark.parametrize("workflow", WORKFLOWS)
def test_tasks_run_without_qt(workflow):
    script = SCRIPTS.get(workflow)
    if script is None:
        pytest.fail(f"no tests/task_smoke/{workflow}.py")
    proc = subprocess.run([sys.executable, "-c", RUN.format(script=str(script), qt=QT)], capture_output=True,
                          text=True, timeout=600, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr[-3000:]
    loaded = proc.stdout.strip().splitlines()[-1]
    assert loaded == "LOADED:", f"running the {workflow} tasks loaded {loaded[7:]}"
