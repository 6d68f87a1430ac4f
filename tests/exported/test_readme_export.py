"""The README's "Your own models" example runs as written: its ```python export snippet, then each of its
``workbench`` lines (``manifest``, then ``run ... --checkpoint``) on the files the snippet wrote."""
from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import cli

README = Path(__file__).resolve().parents[2] / "README.md"
SECTION = "### Your own models"


def _section() -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index(SECTION)
    end = text.index("\n### ", start + len(SECTION))
    return text[start:end]


def test_the_readme_export_snippet_and_its_commands_run(tmp_path, monkeypatch, capsys):
    section = _section()
    snippets = re.findall(r"^```python\n(.*?)^```", section, flags=re.S | re.M)
    lines = [line for block in re.findall(r"^```sh\n(.*?)^```", section, flags=re.S | re.M)
             for line in block.splitlines() if line.startswith("workbench ")]
    assert len(snippets) == 1 and {tuple(shlex.split(line)[1:3]) for line in lines} >= {("run", "latent"), ("run", "diffusion")}
    monkeypatch.chdir(tmp_path)
    exec(compile(snippets[0], "README.md", "exec"), {"__name__": "readme_snippet"})
    assert {p.name for p in tmp_path.glob("*.pt2")} == {"decoder.pt2", "encoder.pt2", "denoiser.pt2", "classifier.pt2"}
    for line in lines:
        code = cli.main(shlex.split(line)[1:])
        assert code == 0, f"`{line}` failed:\n{capsys.readouterr().err[-2000:]}"
    assert (tmp_path / "runs" / "own_latent" / "path.npz").is_file()
    assert (tmp_path / "runs" / "own_diffusion" / "samples.npy").is_file()
    assert json.loads((tmp_path / "classifier.json").read_text())["role"] == "landscape"
