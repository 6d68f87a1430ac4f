"""The segmentation's compiled loops (numba, ``cache=True``: compiled once per machine, loaded from the
cache afterwards). Their modules are imported on first use, so that commands and windows that never
segment do not pay numba's start-up (~0.25 s to import, ~0.3 s to load the cached kernels); a pipeline
loads them on a thread of its own while it counts, which needs none of them (:func:`load_in_background`).
"""
from __future__ import annotations

import threading

_started = threading.Event()


def load_in_background() -> None:
    """Import numba and load (or compile) every kernel on a daemon thread, once per process, for the types
    the engines call them with. Errors are left to the first real call, which raises them where they can
    be reported."""
    if not _started.is_set():
        _started.set()
        threading.Thread(target=_load, name="numba-kernels", daemon=True).start()


def _load() -> None:
    import numpy as np

    try:
        from engines.segment.kernels import grouping, hashing, pmi, viterbi

        keys = np.arange(1, 3, dtype=np.int64)
        table = hashing.build(keys, keys, 4)
        hashing.lookup(table, 4, keys)
        hashing.gather(table, 4, keys, keys)
        grouping.add_at(table, 4, keys, np.ones(2), np.zeros(2))
        viterbi.best_path(keys, table, 4, np.zeros(2), 2, -1.0, np.zeros(0, np.int64))
        pmi.min_pmi(np.zeros((2, 2)), 1.0, 2)
    except Exception:  # noqa: BLE001 - the first real call raises it again, with its context
        return
