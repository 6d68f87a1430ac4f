"""Benchmark: ``workbench run segment`` end to end on People's Daily 1998-01 vs ``python -m jieba`` and rjieba.

In one run, on the same raw file (the corpus with its gold tags stripped, UTF-8, 5.5 MB): the interpreter's
start-up (``python -c pass``), the command's wall time as a subprocess, its in-process pipeline time
(``total_s`` of the metrics.json that run wrote), the overhead (the difference) and what it costs on top
of the interpreter (and what ``import numpy`` alone costs, the floor of a pipeline that computes with
numpy), which kernels it used (compiled ahead of time, or numba's), ``python -m jieba -d ' '`` on the file
and rjieba (jieba in Rust, the ``bench`` extra: each line ``" ".join(rjieba.cut(line))`` written out, a
script of :data:`RJIEBA`; skipped with a message when it is not installed), with the ratios. Each is timed
REPEATS times, best kept (other jobs share the machine). Python's bytecode caches are written and read as
after an installation (``PYTHONDONTWRITEBYTECODE`` is dropped from the environment).
Targets (issue 18): overhead <= 0.5 s on top of the interpreter; end to end <= 0.3x jieba's and <= 2x
rjieba's.
Run: python tests/benchmarks/bench_segment_e2e.py [ROOT ...]  (the source trees to time, default this one;
several alternate run by run, for a before/after under the same load; prints; no assertions).
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPEATS = 3
HERE = Path(__file__).resolve().parents[2]
RJIEBA = """import sys, rjieba
with open(sys.argv[1], encoding="utf-8") as lines, open(sys.argv[2], "w", encoding="utf-8") as out:
    for line in lines:
        out.write(" ".join(rjieba.cut(line.rstrip("\\n"))) + "\\n")
"""


def environment() -> dict:
    """This process's environment, bytecode caches allowed (as an installed program has them)."""
    return {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def wall(cmd: list[str], env: dict, stdout=subprocess.DEVNULL) -> float:
    """Best wall time of ``cmd`` over REPEATS runs (it must succeed)."""
    best = float("inf")
    for _ in range(REPEATS):
        t = time.perf_counter()
        subprocess.run(cmd, env=env, stdout=stdout, stderr=subprocess.DEVNULL, check=True)
        best = min(best, time.perf_counter() - t)
    return best


def raw_file(folder: Path) -> Path:
    """People's Daily 1998-01 without its tags, one line per line."""
    from engines.segment.corpus import builtin_paths
    from engines.segment.gold import parse_gold

    lines = builtin_paths("peoples-daily")[0].read_text(encoding="utf-8").splitlines()
    raw = folder / "pd_raw.txt"
    raw.write_text("\n".join(parse_gold(lines, "wordtag").raw) + "\n", encoding="utf-8")
    return raw


def end_to_end(root: Path, raw: Path, out: Path) -> tuple[float, float]:
    """One ``run segment`` of ``raw`` with the source tree ``root``: its wall time and its pipeline's
    (``total_s`` of the metrics.json it wrote)."""
    command = [sys.executable, "-c", "import cli, sys; sys.exit(cli.main())", "run", "segment", "--corpus", str(raw),
               "--out", str(out)]
    t = time.perf_counter()
    subprocess.run(command, env={**environment(), "PYTHONPATH": str(root)}, cwd=root,  # -c puts the cwd first
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    e2e = time.perf_counter() - t
    return e2e, json.loads((out / "metrics.json").read_text())["timings"]["total_s"]


def kernels_of(root: Path) -> str:
    """Which kernels ``run segment`` of the source tree ``root`` uses."""
    probe = ("from engines.segment import kernels; "  # a tree from before the compiled module: numba's
             "print(getattr(kernels, 'compiled_module', lambda: None)() is not None)")
    done = subprocess.run([sys.executable, "-c", probe], env={**environment(), "PYTHONPATH": str(root)}, cwd=root,
                          capture_output=True, text=True, check=True)
    return "compiled ahead of time" if done.stdout.strip() == "True" else "numba's, just in time"


def main() -> None:
    roots = [Path(arg).resolve() for arg in sys.argv[1:]] or [HERE]
    env = {**environment(), "PYTHONPATH": str(HERE)}
    py = sys.executable
    best: dict[Path, tuple[float, float]] = {root: (float("inf"), float("nan")) for root in roots}
    with tempfile.TemporaryDirectory() as tmp:
        raw = raw_file(Path(tmp))
        start_s = wall([py, "-c", "pass"], env)
        numpy_s = wall([py, "-c", "import numpy"], env) - start_s
        for _ in range(REPEATS):  # the trees alternate, so that they share the machine's load alike
            for root in roots:
                best[root] = min(best[root], end_to_end(root, raw, Path(tmp) / "out"))
        jieba_s = wall([py, "-m", "jieba", "-d", " ", str(raw)], env)
        has_rjieba = subprocess.run([py, "-c", "import rjieba"], env=env, stderr=subprocess.DEVNULL).returncode == 0
        rjieba_s = wall([py, "-c", RJIEBA, str(raw), str(Path(tmp) / "rjieba.txt")], env) if has_rjieba else None
        mb = raw.stat().st_size / 1e6
    print(f"corpus: People's Daily 1998-01 raw, {mb:.1f} MB; best of {REPEATS}")
    print(f"interpreter start-up (python -c pass): {start_s:.3f} s")
    print(f"import numpy alone (the floor of a pipeline in numpy): {numpy_s:.2f} s")
    print(f"python -m jieba -d ' ':                {jieba_s:.2f} s ({mb / jieba_s:.2f} MB/s)")
    if rjieba_s is None:
        print("rjieba: not installed (pip install -e .[bench]): its ratio is not measured")
    else:
        print(f"rjieba, each line cut and written:     {rjieba_s:.2f} s ({mb / rjieba_s:.2f} MB/s)")
    for root, (e2e, pipeline_s) in best.items():
        overhead = e2e - pipeline_s
        print(f"source tree {root} (kernels {kernels_of(root)}):")
        print(f"  run segment end to end:              {e2e:.2f} s ({mb / e2e:.2f} MB/s)")
        print(f"  in-process pipeline (total_s):       {pipeline_s:.2f} s")
        print(f"  overhead (end to end - pipeline):    {overhead:.2f} s; on top of the interpreter "
              f"{overhead - start_s:.2f} s (target <= 0.5)")
        print(f"  ratio end to end / jieba:            {e2e / jieba_s:.3f} (target <= 0.3); "
              f"pipeline / jieba {pipeline_s / jieba_s:.3f}")
        if rjieba_s is not None:
            print(f"  ratio end to end / rjieba:           {e2e / rjieba_s:.2f} (target <= 2); "
                  f"pipeline / rjieba {pipeline_s / rjieba_s:.2f}")


if __name__ == "__main__":
    main()
