"""``workbench run optimizer``: CSV with one row per optimizer × start × step, a PNG, an SVG, a sidecar;
bad input exits non-zero with one line."""
import csv
import json
import subprocess
import sys

from PySide6 import QtGui

from cli import main


def test_cli_writes_csv_png_svg_and_sidecar(qapp, tmp_path):
    out = tmp_path / "out"
    rc = main(["run", "optimizer", "--surface", "himmelblau", "--optimizer", "sgd:lr=0.01",
               "--optimizer", "adam:lr=0.05+lookahead:k=5,alpha=0.5@adam+LA", "--start", "0,0", "--start=-1,4",
               "--start", "4,-4", "--steps", "40", "--device", "cpu", "--out", str(out)])
    assert rc == 0
    with open(out / "trajectories.csv", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["optimizer", "start", "step", "x", "y", "loss", "status"]
    assert len(rows) - 1 == 2 * 3 * (40 + 1)
    first = rows[1]
    assert first[0] == "sgd:lr=0.01" and first[1:3] == ["0", "0"] and float(first[3]) == 0 and float(first[4]) == 0
    assert float(first[5]) == (0 + 0 - 11) ** 2 + (0 + 0 - 7) ** 2
    assert {r[0] for r in rows[1:]} == {"sgd:lr=0.01", "adam+LA"}
    from cli.render import FIGURE_SCALE, FIGURE_SIZE

    image = QtGui.QImage(str(out / "figure.png"))
    assert (image.width(), image.height()) == tuple(round(v * FIGURE_SCALE) for v in FIGURE_SIZE)
    assert (out / "figure.svg").read_text().lstrip().startswith("<?xml")
    sidecar = json.loads((out / "sidecar.json").read_text())
    assert {f["name"] for f in sidecar["files"]} == {"trajectories.csv", "figure.png", "figure.svg"}
    assert sidecar["parameters"]["steps"] == 40


def test_bad_spec_exits_non_zero_with_one_line(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "workbench", "run", "optimizer", "--optimizer", "adam:lr=fast",
                           "--out", str(tmp_path / "o")], capture_output=True, text=True, timeout=120)
    assert proc.returncode != 0
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "bad number 'fast'" in lines[0]
    assert not (tmp_path / "o" / "trajectories.csv").exists()


def test_bad_expression_and_surface_exit_non_zero(qapp, tmp_path, capsys):
    assert main(["run", "optimizer", "--expr", "x**", "--out", str(tmp_path)]) != 0
    assert main(["run", "optimizer", "--surface", "moon", "--out", str(tmp_path)]) != 0
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 2 and "unknown surface 'moon'" in err[1]


def test_help_documents_the_grammar_and_every_name():
    import cli.run_optimizer as cli
    from engines.optim.catalogue import OPTIMIZERS, SURFACES, WRAPPERS

    doc = cli.__doc__
    assert "SPEC" in doc and "betas=0.9/0.999" in doc and "@LABEL" in doc
    for name in OPTIMIZERS.names + WRAPPERS.names + SURFACES.names:
        assert f" {name}" in doc, name
    # generated from the catalogues: every default and description is there
    assert "lr=0.0001, betas=0.9/0.99, weight_decay=0" in doc  # lion's defaults
    assert WRAPPERS["lookahead"].description in doc and "k=5, alpha=0.5" in doc
    assert "kappa=10 (between 1 and 1e+06), angle=30 (between -360 and 360), scale=1 (at most 10000)" in doc
