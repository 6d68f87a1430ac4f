"""Every ``workbench ...`` command in the README's ```bash blocks runs as written, so the README cannot drift.

Each command (continuation lines joined, leading ``VAR=value`` assignments applied) runs in this process
through :func:`cli.main` with the working directory a temporary folder and only its ``--out`` moved into
that folder (same relative path, so a checkpoint keeps its name). The other lines of bash blocks (the
install commands, the packaging script) are not run here. Synopses with placeholders (``NAME|PATH``,
``[--k N]``) belong in ```text blocks. The commands that re-make the bundled checkpoints are ``slow``; the two
that train the digits U-Net (4-5 minutes each on one core) run as written except for ``--steps``, cut to
:data:`CUT_STEPS`, so every option they name is still parsed and used.
"""
from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from pathlib import Path

import pytest

import cli
from tasks.bundled import BUNDLED

README = Path(__file__).resolve().parents[1] / "README.md"
ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")
PLACEHOLDER = re.compile(r"\b[A-Za-z]+\|[A-Za-z]|\[--")


@dataclass(frozen=True)
class Command:
    line: str  # as written in the README, continuation lines joined
    env: dict[str, str]
    argv: list[str]  # the words after "workbench"


def bash_blocks(text: str) -> list[str]:
    return re.findall(r"^```bash\n(.*?)^```", text, flags=re.S | re.M)


def workbench_commands(text: str) -> list[Command]:
    """The ``workbench`` commands of the bash blocks of ``text``."""
    commands = []
    for block in bash_blocks(text):
        for line in block.replace("\\\n", " ").splitlines():
            words = shlex.split(line, comments=True)
            env = {}
            while words and ASSIGNMENT.match(words[0]):
                name, _, value = words.pop(0).partition("=")
                env[name] = value
            if words and words[0] == "workbench":
                commands.append(Command(" ".join(line.split()), env, words[1:]))
    return commands


def with_out_in(argv: list[str], folder: Path) -> list[str]:
    """``argv`` with its ``--out PATH`` (or ``--out=PATH``) moved under ``folder``."""
    out = list(argv)
    for i, word in enumerate(out):
        if word == "--out":
            out[i + 1] = str(folder / out[i + 1])
        elif word.startswith("--out="):
            out[i] = "--out=" + str(folder / word.partition("=")[2])
    return out


COMMANDS = workbench_commands(README.read_text(encoding="utf-8"))
REMAKES = {b.made_with for b in BUNDLED}
CUT_STEPS = "20"
LONG = {line for line in REMAKES if "train diffusion" in line and "--dataset digits" in line}


def as_run(command: Command) -> list[str]:
    """The words run for ``command``: as written, with ``--steps`` cut for the :data:`LONG` re-makes."""
    argv = list(command.argv)
    if command.line in LONG:
        argv[argv.index("--steps") + 1] = CUT_STEPS
    return argv


def _param(command: Command):
    slow = command.line in REMAKES
    out = Path(command.argv[command.argv.index("--out") + 1]).name if "--out" in command.argv else ""
    return pytest.param(command, id=f"{' '.join(command.argv[:2])} {out}", marks=[pytest.mark.slow] if slow else [])


def test_the_readme_has_runnable_commands_and_no_synopses_in_bash_blocks():
    assert len(COMMANDS) >= 10
    assert {tuple(c.argv[:2]) for c in COMMANDS} >= {("run", name) for name in
                                                    ("optimizer", "latent", "diffusion", "segment", "cluster")}
    synopses = [c.line for c in COMMANDS if PLACEHOLDER.search(c.line)]
    assert not synopses, f"synopses belong in ```text blocks: {synopses}"
    assert all("--out" in c.argv for c in COMMANDS), "every command writes under --out (moved into a temp folder here)"


def test_the_bundled_checkpoints_commands_are_the_readmes():
    lines = {c.line for c in COMMANDS}
    assert REMAKES <= lines, f"tasks/bundled.py made_with not in the README: {REMAKES - lines}"
    assert len(LONG) == 2 and all("--steps" in line for line in LONG)


@pytest.mark.parametrize("command", [_param(c) for c in COMMANDS])
def test_readme_command_runs_as_written(command: Command, tmp_path, monkeypatch, capsys):
    import torch

    monkeypatch.chdir(tmp_path)  # a relative path other than --out cannot reach the checkout
    for name, value in command.env.items():
        monkeypatch.setenv(name, value)
    threads = torch.get_num_threads()
    if "OMP_NUM_THREADS" in command.env:
        torch.set_num_threads(int(command.env["OMP_NUM_THREADS"]))
    try:
        code = cli.main(with_out_in(as_run(command), tmp_path / "out"))
    except SystemExit as exc:  # argparse refused it
        code = exc.code
    finally:
        torch.set_num_threads(threads)
    err = capsys.readouterr().err
    assert code == 0, f"`{command.line}` failed:\n{err[-2000:]}"
    assert any(p.is_file() for p in (tmp_path / "out").rglob("*")), f"`{command.line}` wrote nothing"
