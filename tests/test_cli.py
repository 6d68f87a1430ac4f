"""The command line: version, help, clear errors for bad options, the offscreen screenshot."""
import subprocess
import sys
from pathlib import Path

import imageio.v3 as iio
import numpy as np

from workbench import __version__

ROOT = Path(__file__).parents[1]


def workbench(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "workbench", *args], capture_output=True, text=True,
                          timeout=timeout, cwd=ROOT)


def test_version():
    proc = workbench("--version")
    assert proc.returncode == 0
    assert proc.stdout.strip() == f"workbench {__version__}"


def test_help_lists_the_commands_and_panels():
    proc = workbench("--help")
    assert proc.returncode == 0
    assert "--screenshot" in proc.stdout and "run" in proc.stdout and "optimizer" in proc.stdout


def test_a_command_named_on_the_line_is_the_only_one_imported():
    from cli.commands import COMMANDS, command_modules

    modules = command_modules()
    assert [m.__name__ for m in modules] == list(COMMANDS)
    for module in modules:  # the module's name says its command: cli.VERB_NAME, or cli.VERB
        assert module.__name__ == "cli." + "_".join(w for w in (module.VERB, module.NAME) if w)
        words = ["--device", "cpu", module.VERB, *([module.NAME] if module.NAME else []), "--out", "run"]
        assert command_modules(words) == [module]
    for words in (["run"], ["run", "--help"], ["--help"], ["run", "segmen"], []):
        assert command_modules(words) == modules


def test_bad_options_give_a_clear_message_and_nonzero_status():
    proc = workbench("--size", "12")
    assert proc.returncode == 2
    assert "expected WIDTHxHEIGHT" in proc.stderr and "Traceback" not in proc.stderr
    proc = workbench("--no-such-option")
    assert proc.returncode == 2 and "unrecognized arguments: --no-such-option" in proc.stderr
    proc = workbench("run", "no-such-panel")
    assert proc.returncode == 2 and "invalid choice" in proc.stderr
    proc = workbench("--panel", "optimizer")
    assert proc.returncode == 2 and "--panel goes with --screenshot" in proc.stderr


def test_screenshot_writes_a_non_blank_png(tmp_path):
    out = tmp_path / "shot.png"
    proc = workbench("--screenshot", str(out), "--panel", "optimizer", "--size", "900x600", "--device", "cpu")
    assert proc.returncode == 0, proc.stderr
    image = iio.imread(out)
    assert image.shape[:2] == (600, 900)
    assert image[..., :3].std() > 20  # a real picture, not a blank canvas
    assert len(np.unique(image[..., :3].reshape(-1, 3), axis=0)) > 200
