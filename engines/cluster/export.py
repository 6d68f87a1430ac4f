"""A clustering result as files: the assignments as CSV and, for InfoMap, its own .clu and .tree formats."""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from engines.export.atomic import atomic_write_text
from engines.export.tables import write_csv


def write_assignments(result, path: str | os.PathLike[str]) -> Path:
    """``index,cluster[,label]``, one row per point of a clustering (``tasks.clustering.ClusterResult``), or
    ``index,word,cluster`` for the word modules of :class:`engines.cluster.words.WordModules`. ``index`` is
    the point's row in its input (``result.rows``, else its position), and the table is in that order."""
    rows = getattr(result, "rows", None)
    index = np.arange(len(result.assignments)) if rows is None else np.asarray(rows, np.int64)
    order = np.argsort(index, kind="stable")
    columns = {"index": index[order]}
    words = getattr(result, "words", None)
    if words is not None:
        columns["word"] = np.asarray(words)[order]
    columns["cluster"] = np.asarray(result.assignments)[order]
    if getattr(result, "labels", None) is not None:
        columns["label"] = np.asarray(result.labels)[order]
    write_csv(path, columns)
    return Path(path)


def write_levels(result, path: str | os.PathLike[str]) -> list[Path]:
    """levels.csv (level, modules, codelength: :func:`engines.cluster.hierarchy.levels_csv`) of an InfoMap
    result; ``[]`` for other methods."""
    from engines.cluster.hierarchy import levels_csv

    if not getattr(result, "levels", None):
        return []
    atomic_write_text(path, levels_csv(result.levels))
    return [Path(path)]


def write_infomap(result, stem: str | os.PathLike[str]) -> list[Path]:
    """``STEM.clu`` (node id, module, flow) and ``STEM.tree`` as InfoMap wrote them; ``[]`` for other methods."""
    if result.clu is None:
        return []
    stem = Path(stem)
    paths = [stem.with_name(stem.name + ".clu"), stem.with_name(stem.name + ".tree")]
    for path, text in zip(paths, (result.clu, result.tree)):
        atomic_write_text(path, text)
    return paths
