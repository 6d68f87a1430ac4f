"""InfoMap's hierarchy (Rosvall & Bergstrom 2011, "Multilevel compression of random walks on networks
reveals hierarchical organization in large integrated systems"): the multi-level map equation nests modules
in modules, and its codelength is never worse than the best two-level one's.

:func:`module_paths` reads each node's path of modules (top module, submodule, ...) off an InfoMap run;
:func:`level_codelengths` says, level by level, how many modules the partition cut at that depth has and
what coding the walk with them costs as a two-level code (InfoMap itself, not optimising: ``--no-infomap``
with that partition given), next to the one-module codelength at level 0.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

LEVELS = ("two", "multi")  # InfoMap's two-level code, or the multi-level one


@dataclass(frozen=True)
class Level:
    """The partition ``level`` modules deep (0: the root, one module): its module count and codelength."""

    level: int
    modules: int
    codelength: float  # bits per step, the two-level code of this partition


def module_paths(source, n: int) -> np.ndarray:
    """(n, depth) module numbers (1-based, as InfoMap gives them) from the top module down, per node
    (``source``: an InfoMap Result, or the Infomap object of an older version); a node shallower than the
    deepest repeats its last module."""
    multi = source.multilevel_modules() if hasattr(source, "multilevel_modules") else source.get_multilevel_modules()
    multi = dict(multi)
    depth = max((len(p) for p in multi.values()), default=1)
    out = np.ones((n, depth), np.int64)
    for node, path in multi.items():
        out[node, :len(path)] = path
        out[node, len(path):] = path[-1] if path else 1
    return out


def cut(paths: np.ndarray, level: int) -> np.ndarray:
    """The module of each node in the partition ``level`` modules deep (0-based, numbered by first path)."""
    if level == 0:
        return np.zeros(len(paths), np.int64)
    _, inverse = np.unique(paths[:, :level], axis=0, return_inverse=True)
    return inverse.reshape(-1)


def level_codelengths(network, paths: np.ndarray, one_level: float) -> list[Level]:
    """Each level's partition and its two-level codelength; ``network(flags)`` builds a fresh Infomap with
    the same nodes and links (the codelength of a given partition is a run that does not optimise)."""
    out = [Level(0, 1, float(one_level))]
    for level in range(1, paths.shape[1] + 1):
        modules = cut(paths, level)
        im = network("--two-level --no-infomap --silent")
        result = im.run(initial_partition={i: int(m) for i, m in enumerate(modules.tolist())})
        source = result if result is not None else im
        out.append(Level(level, int(modules.max()) + 1, float(source.codelength)))
    return out


def levels_csv(levels: list[Level]) -> str:
    """levels.csv: ``level,modules,codelength`` (bits per step), one row per level from the root down."""
    return "level,modules,codelength\n" + "".join(f"{lv.level},{lv.modules},{lv.codelength!r}\n" for lv in levels)
