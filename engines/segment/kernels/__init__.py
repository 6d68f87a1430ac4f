"""The segmentation's compiled loops, one numba source for two ways of compiling them.

* Ahead of time: ``pip install`` builds the extension module ``_compiled`` from these sources (``setup.py``,
  :mod:`.aot`). It loads in well under a millisecond and never imports numba.
* Just in time (numba, ``cache=True``: compiled once per machine, loaded from the cache afterwards), where
  that module is missing (no C compiler at install) or was built from other sources than these (its
  :func:`source_stamp` differs). Numba's start-up (~0.35 s to import, ~0.5 s to load the cached kernels) is
  then paid on first use; a pipeline starts it on a thread of its own while it counts, which needs no
  kernel (:func:`load_in_background`).

Callers read a kernel as an attribute of this package (``kernels.lookup(...)``) and pass exactly the types
of :data:`SIGNATURES`: the compiled module does not convert arguments.
"""
from __future__ import annotations

import functools
import hashlib
import importlib
import threading
from pathlib import Path
from types import ModuleType
from typing import Callable

TABLE = "int64[:, ::1]"  # a hash table: (key, row) per slot (.hashing)
# kernel: (its module, its numba signature): what the extension module exports and numba's warm-up compiles
SIGNATURES = {
    "build": ("hashing", f"{TABLE}(int64[::1], int64[::1], int64)"),
    "lookup": ("hashing", f"int64[::1]({TABLE}, int64, int64[::1])"),
    "stored": ("hashing", f"int64[::1]({TABLE}, int64, int64[::1], int64[::1], int64)"),
    "merge_sums": ("grouping", "Tuple((int64[::1], int64[::1]))(int64[::1], int64[::1], int64[::1], int64[::1])"),
    "runs": ("grouping", "Tuple((int64[::1], int64[::1]))(int64[::1])"),
    "add_at": ("grouping", f"void({TABLE}, int64, int64[::1], float64[::1], float64[::1])"),
    "best_path": ("viterbi", f"Tuple((boolean[::1], float64[::1]))(int64[::1], {TABLE}, int64, float64[::1], "
                             "int64, float64, int64[::1])"),
    "min_pmi": ("pmi", "float64[::1](float64[:, ::1], float64, int64)"),
    "encode_units": ("encoding", "Tuple((int64[::1], int64[::1], boolean[::1], boolean[::1]))(int32[::1], "
                                 "uint8[::1], boolean[::1], boolean)"),
    "joined_words": ("text", "Tuple((uint32[::1], int64))(int32[::1], boolean[::1], boolean[::1])"),
    "ngram_hashes": ("ngrams", "int64[:, ::1](int64[::1], int64)"),
    "word_hashes": ("ngrams", "Tuple((int64[::1], int64[::1], int64[::1]))(int64[::1], boolean[::1], int64)"),
}
COMPILED = "_compiled"  # the extension module's name in this package
_started = threading.Event()


def source_stamp() -> int:
    """A 63-bit digest of what the kernels are compiled from: this package's Python sources and the
    constants frozen into them (the n-gram hash's, :mod:`engines.segment.counting`; the unit ids and
    character classes, :mod:`engines.segment.units`)."""
    from engines.segment import counting, units

    constants = (counting.PRIME, counting.MISSING, units.SEP, units.NUM, units.ALNUM, units.OFFSET, units.OTHER,
                 units.DIGIT, units.LATIN, units.PUNCT, units.SPACE, units.INNER, units.AFTER)
    digest = hashlib.sha256(repr(constants).encode())
    for path in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return int.from_bytes(digest.digest()[:8], "little") >> 1


@functools.cache
def compiled_module() -> ModuleType | None:
    """The kernels compiled ahead of time, or None where they are missing, fail to load or were built from
    other sources."""
    try:
        module = importlib.import_module(f"{__name__}.{COMPILED}")
        if module.stamp() == source_stamp() and all(hasattr(module, name) for name in SIGNATURES):
            return module
    except (ImportError, OSError, AttributeError):
        pass
    return None


def jit_kernel(name: str) -> Callable:
    """The numba dispatcher of kernel ``name`` (imports numba)."""
    return getattr(importlib.import_module(f"{__name__}.{SIGNATURES[name][0]}"), name)


def __getattr__(name: str) -> Callable:
    """Kernel ``name``: compiled ahead of time where available, numba's otherwise (resolved once)."""
    if name not in SIGNATURES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module = compiled_module()
    kernel = getattr(module, name) if module is not None else jit_kernel(name)
    globals()[name] = kernel
    return kernel


def load_in_background() -> None:
    """Where the kernels are numba's: import numba and load (or compile) every kernel for its signature on a
    daemon thread, once per process. Errors are left to the first real call, which raises them where they
    can be reported."""
    if not _started.is_set() and compiled_module() is None:
        _started.set()
        threading.Thread(target=_load, name="numba-kernels", daemon=True).start()


def _load() -> None:
    try:
        for name, (_, signature) in SIGNATURES.items():
            jit_kernel(name).compile(signature)
    except Exception:  # noqa: BLE001 - the first real call raises it again, with its context
        return
