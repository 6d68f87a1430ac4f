"""Benchmark: what replacing a set of outputs together costs (engines/export/staging.py), against writing the
same files one by one atomically (engines/export/atomic.py), for sets of a few files of growing size with
old files in place; and how long the window is in which the folder holds some new and some old files.
Run: python tests/benchmarks/bench_staging.py  (prints; no assertions; writes at most 4 x 16 MiB in a
temporary folder).
"""
from __future__ import annotations

import os
import shutil
import tempfile
import time
from pathlib import Path

from engines.export.atomic import atomic_write_bytes, fsync_file
from engines.export.staging import STAGING_PREFIX, commit

FILES = 4
SIZES_MIB = (0.01, 1, 16)
REPEATS = 5


def _write_set(folder: Path, data: bytes, staged: bool) -> tuple[float, float]:
    """(seconds in all, seconds in which the folder holds new and old files) for one set into ``folder``."""
    names = [f"out{i}.bin" for i in range(FILES)]
    start = time.perf_counter()
    if not staged:
        for k, name in enumerate(names):
            atomic_write_bytes(folder / name, data)
            if k == 0:
                first = time.perf_counter()  # the first new file stands beside the old ones from here
        end = time.perf_counter()
        return end - start, end - first
    stage = folder / f"{STAGING_PREFIX}bench"
    stage.mkdir()
    for name in names:
        (stage / name).write_bytes(data)
        fsync_file(stage / name)  # flushed before the commit, whose own fsync then finds nothing to do
    before = time.perf_counter()
    commit(stage, folder)  # the mixed window is inside: from the first rename to the last
    end = time.perf_counter()
    shutil.rmtree(stage)
    return end - start, end - before


def main() -> None:
    print(f"{FILES} files per set, best of {REPEATS}; 'mixed' is how long new and old files stand side by side (staged: the whole commit)")
    print(f"{'size':>8s} {'one by one':>11s} {'staged':>9s} {'mixed one by one':>17s} {'mixed staged':>13s}")
    with tempfile.TemporaryDirectory() as tmp:
        for mib in SIZES_MIB:
            data = os.urandom(int(mib * 2 ** 20))
            rows = {}
            for staged in (False, True):
                folder = Path(tmp) / f"{mib}-{staged}"
                folder.mkdir()
                _write_set(folder, data, staged)  # the old files
                rows[staged] = min((_write_set(folder, data, staged) for _ in range(REPEATS)), key=lambda r: r[0])
            print(f"{mib:6g} MiB {1e3 * rows[False][0]:9.1f} ms {1e3 * rows[True][0]:7.1f} ms "
                  f"{1e3 * rows[False][1]:15.1f} ms {1e3 * rows[True][1]:11.2f} ms")


if __name__ == "__main__":
    main()
