"""Benchmark: what remembering a checkpoint's data costs. Prints, measured in this run:

- the time to record a data file (its sha256) and to find it again and check it, for a CSV of N rows of
  8 numbers and for a folder of N/100 small PNG images;
- whether training the same tiny latent model twice writes byte-identical weights (the sha256 of each).

Run: python tests/benchmarks/bench_own_data.py [N]   (default N = 200000; prints; no assertions)
"""
from __future__ import annotations

import hashlib
import sys
import tempfile
import time
from pathlib import Path

import numpy as np


def _timed(fn):
    start = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - start


def main(n: int) -> None:
    import imageio.v3 as iio

    from cli import main as workbench
    from engines.data.provenance import locate_data, record_data

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        table = root / "rows.csv"
        np.savetxt(table, np.random.default_rng(0).normal(size=(n, 8)), delimiter=",", fmt="%.6g")
        folder = root / "images"
        folder.mkdir()
        for k in range(n // 100):
            iio.imwrite(folder / f"{k:05d}.png", np.random.default_rng(k).integers(0, 255, (28, 28), np.uint8))
        for data in (table, folder):
            size = sum(p.stat().st_size for p in ([data] if data.is_file() else data.iterdir()))
            record, t_record = _timed(lambda: record_data(data, root / "ck" / "x.safetensors"))
            _, t_locate = _timed(lambda: locate_data(record, root / "ck" / "x.safetensors"))
            print(f"{data.name}: {size / 2**20:.1f} MiB; record {t_record * 1000:.0f} ms, find and check "
                  f"{t_locate * 1000:.0f} ms")
        digests = []
        for run in "ab":
            out = root / run / "x"
            workbench(["train", "latent", "--model", "vae", "--dataset", "moons", "--latent", "2", "--epochs", "1",
                       "--out", str(out), "--device", "cpu"])
            digests.append(hashlib.sha256(out.with_suffix(".safetensors").read_bytes()).hexdigest())
        print(f"retrained twice: sha256 {digests[0][:16]} and {digests[1][:16]} "
              f"({'identical' if digests[0] == digests[1] else 'DIFFERENT'})")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200_000)
