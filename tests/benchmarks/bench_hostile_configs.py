"""Benchmark: peak memory of opening a lying config (a latent or diffusion checkpoint's JSON, a diffusers
config.json, a training run's config.json claiming 4-7 GiB of parameters beside weights of a few KB; and a
.npy whose header claims 149 GiB over 32 bytes of data), each in a child process under an address-space
cap (RLIMIT_AS, 3 GiB by default).

- ``imports``: the child only imports what the loaders need (the floor every row stands on).
- ``before``: the child builds the model the config describes, which is the first thing the loaders did
  before they checked anything (the architecture from the config, then the weights); for the array,
  ``np.load`` as the data loaders called it.
- ``after``: the child calls today's loader, which plans the model on the meta device and refuses it.

Peak RSS is the child's ru_maxrss as reported by wait4, so a child killed by the cap is measured too.
Run: ``PYTHONPATH=. .venv/bin/python tests/benchmarks/bench_hostile_configs.py [CAP_GIB]``. Prints a
table; asserts nothing.
"""
from __future__ import annotations

import importlib
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.hostile import lying_configs as lying  # noqa: E402 - after the repository root is importable

ARRAY = "forged .npy header"


def _write_array(folder: Path) -> Path:
    return lying.write_forged(folder / "lie.npy", (10 ** 10, 2))


def _open_array(path: Path) -> None:
    from engines.data.files import read_array
    read_array(path)


CASES = {**lying.CLAIMS, ARRAY: (_write_array, _open_array)}


def _build_before(kind: str, path: Path) -> None:
    """What the loaders used to do first: build the network the config names."""
    if kind == ARRAY:
        import numpy as np
        np.load(path, allow_pickle=False)
    elif kind == "latent sidecar":
        from engines.latent.config import ModelConfig
        from engines.latent.models import build_model
        build_model(ModelConfig.from_dict(json.loads(path.read_text())["model"]))
    elif kind == "diffusion sidecar":
        from engines.diffusion.networks import build
        build(json.loads(path.read_text())["network"])
    elif kind == "diffusers config.json":
        import diffusers
        diffusers.UNet2DModel.from_config(json.loads((path / "unet" / "config.json").read_text()))
    else:
        from tasks.landscape import registry
        config = json.loads((path / "config.json").read_text())
        registry().build_model(config["architecture"], config["arch_config"])


def _imports() -> None:
    for name in ("diffusers", "engines.diffusion.diffusers_loader", "engines.latent.checkpoint", "engines.data.files",
                 "tasks.landscape"):
        importlib.import_module(name)


def child(kind: str, mode: str, path: str) -> None:
    """Run one measurement; print what happened on one line."""
    _imports()
    started = time.perf_counter()
    try:
        if mode == "before":
            _build_before(kind, Path(path))
            outcome = "built"
        elif mode == "after":
            CASES[kind][1](Path(path))
            outcome = "loaded"
        else:
            outcome = "imported"
    except MemoryError:
        outcome = "MemoryError"
    except Exception as exc:  # noqa: BLE001 - the point is to report whatever happened
        outcome = f"{type(exc).__name__}: {str(exc)[:90]}"
    print(f"{outcome} [{time.perf_counter() - started:.2f} s]", flush=True)


def measure(kind: str, mode: str, path: Path, cap: int) -> tuple[str, float]:
    """(outcome, peak RSS in MiB) of a child under an address-space cap of ``cap`` bytes."""
    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))

    proc = subprocess.Popen([sys.executable, __file__, "--child", kind, mode, str(path)], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True, preexec_fn=limit,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    out = proc.stdout.read().strip()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode < 0:
        out = f"killed by signal {-proc.returncode}"
    elif not out:
        out = f"exit {proc.returncode}"
    return out, usage.ru_maxrss / 1024  # KiB on Linux


def main() -> None:
    cap_gib = float(sys.argv[1]) if len(sys.argv) > 1 else 3.0
    cap = int(cap_gib * (1 << 30))
    print(f"address-space cap {cap_gib:g} GiB per child; peak RSS = the child's ru_maxrss\n")
    print(f"{'config':<26} {'mode':<8} {'peak RSS':>10}  outcome")
    with tempfile.TemporaryDirectory() as tmp:
        floor = measure("latent sidecar", "imports", Path(tmp), cap)
        print(f"{'(none)':<26} {'imports':<8} {floor[1]:>7.0f} MiB  {floor[0]}")
        for kind, (write, _) in CASES.items():
            folder = Path(tmp) / kind.replace(" ", "_")
            folder.mkdir()
            path = write(folder)
            for mode in ("before", "after"):
                outcome, peak = measure(kind, mode, path, cap)
                print(f"{kind:<26} {mode:<8} {peak:>7.0f} MiB  {outcome}")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(*sys.argv[2:5])
    else:
        main()
