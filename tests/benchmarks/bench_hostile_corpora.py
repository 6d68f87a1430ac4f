"""Benchmark: `workbench run segment` on pathological corpora stays within bounded memory and time.

Generates in a temporary folder (sizes in MB from the command line, default 30):
  random-high  random bytes 0x80-0xFF, no NUL and no newline (valid GB18030 mostly, as garbled text);
  random-utf8  random bytes 0x80-0xFF preceded by 70 KB of ASCII lines (the detection's sample misses it);
  long-line    People's Daily text with every newline removed: one line of the whole size;
  gb18030-head 70 KB of ASCII lines, then People's Daily in GB18030;
  gb18030-then-random  200 KB of People's Daily in GB18030, then random high bytes (garbled GB18030 text
               past the detection's sample);
  random-han   random CJK ideographs in lines of 40: valid text whose distinct n-grams grow with its length
               (only the counting's memory budget stops it).
Each runs `workbench run segment` in a child process under an address-space cap (RLIMIT_AS); the child
prints its peak RSS, the wall time, the exit status and the command's last line (its message).
Run: python tests/benchmarks/bench_hostile_corpora.py [MB] [CAP_GIB]  (prints; no assertions).
"""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
ASCII_HEAD = b"chapter 1, section 2: plain ASCII notes before the text\n" * 1300  # ~70 KB

CHILD = """
import resource, sys, time
cap = int(float(sys.argv[1]) * 2**30)
resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
import cli
t0 = time.perf_counter()
try:
    code = cli.main(sys.argv[2:])
except SystemExit as exc:
    code = exc.code
except MemoryError:
    code = "MemoryError"
# VmHWM, not ru_maxrss: the latter keeps the peak of the parent's forked image across exec
peak = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM:")) / 1024
print(f"@@ {peak:.0f} {time.perf_counter() - t0:.1f} {code}", file=sys.stderr)
"""


def _pd_text() -> str:
    from engines.segment.corpus import builtin_paths
    from engines.segment.gold import parse_gold

    lines = builtin_paths("peoples-daily")[0].read_text(encoding="utf-8").splitlines()
    return "\n".join(parse_gold(lines, "wordtag").raw) + "\n"


def _repeat_to(data: bytes, size: int) -> bytes:
    return (data * (size // len(data) + 1))[:size]


def make_corpora(folder: Path, size: int) -> dict[str, Path]:
    """The pathological corpora of about ``size`` bytes each, written to ``folder``."""
    rng = np.random.default_rng(0)
    pd = _pd_text()
    corpora = {
        "random-high": (rng.integers(0x80, 0x100, size, dtype=np.uint8)).tobytes(),
        "random-utf8": ASCII_HEAD + rng.integers(0x80, 0x100, size, dtype=np.uint8).tobytes(),
        "long-line": _repeat_to(pd.replace("\n", "").encode("utf-8"), size),
        "gb18030-head": ASCII_HEAD + _repeat_to(pd.encode("gb18030"), size),
        "gb18030-then-random": pd.encode("gb18030")[:200_000] + rng.integers(0x80, 0x100, size, dtype=np.uint8).tobytes(),
    }
    han = rng.integers(0x4E00, 0x9FA6, size // 3, dtype=np.uint32)
    han[40::41] = 10  # newlines
    corpora["random-han"] = han.astype("<u4").tobytes().decode("utf-32-le").encode("utf-8")
    paths = {}
    for name, data in corpora.items():
        paths[name] = folder / f"{name}.txt"
        paths[name].write_bytes(data)
    return paths


def main() -> None:
    size_mb = float(sys.argv[1]) if len(sys.argv) > 1 else 30
    cap_gib = float(sys.argv[2]) if len(sys.argv) > 2 else 6
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with tempfile.TemporaryDirectory() as tmp:
        paths = make_corpora(Path(tmp), int(size_mb * 2 ** 20))
        print(f"corpora of {size_mb:g} MB, address space capped at {cap_gib:g} GiB")
        for name, path in paths.items():
            t0 = time.perf_counter()
            done = subprocess.run([sys.executable, "-c", CHILD, str(cap_gib), "run", "segment", "--corpus", str(path),
                                   "--out", str(Path(tmp) / f"out-{name}")],
                                  capture_output=True, text=True, env=env, cwd=ROOT)
            wall = time.perf_counter() - t0
            stats = [line for line in done.stderr.splitlines() if line.startswith("@@ ")]
            peak, _, code = stats[-1].split()[1:] if stats else ("?", "?", f"killed ({done.returncode})")
            said = [line for line in (done.stdout + done.stderr).splitlines()
                    if line.strip() and not line.startswith(("@@ ", "reading ", "\r"))]
            print(f"{name:13s} peak RSS {peak:>6} MiB  wall {wall:6.1f} s  exit {code}\n    {said[-1] if said else ''}")


if __name__ == "__main__":
    main()
