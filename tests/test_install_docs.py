"""The README's CPU-only install: PyTorch's CPU build of the pinned torch satisfies constraints.txt and wins
over PyPI's build when both indexes are seen (PEP 440, as pip applies it through ``packaging``)."""
import re
from pathlib import Path

from packaging.requirements import Requirement
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]


def _pin() -> Requirement:
    lines = (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines()
    return next(Requirement(line) for line in lines if line.startswith("torch"))


def test_the_cpu_build_satisfies_the_pin_and_is_preferred():
    pin = _pin()
    (exact,) = pin.specifier
    cpu, public = Version(f"{exact.version}+cpu"), Version(exact.version)
    assert pin.specifier.contains(cpu) and pin.specifier.contains(public)
    assert cpu > public  # with --extra-index-url pip takes the highest version: the CPU build


def test_the_readme_installs_the_pinned_torch_from_the_cpu_index():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = re.findall(r"pip install (torch==\S+) --index-url (\S+)", readme)
    assert commands == [(str(_pin()), "https://download.pytorch.org/whl/cpu")]
