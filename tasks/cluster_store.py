"""The latest clustering of each data set, shared between panels: the clustering panel publishes what it
found, and the latent panel colours its map by it when it shows rows of the same data set that were all
clustered. The main window hands one store to every panel (``PanelContext.clusters``). Qt-free; importing
it loads numpy only.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Optional

import numpy as np

from engines.cluster.catalogue import METHODS

if TYPE_CHECKING:
    from tasks.clustering import ClusterResult


@dataclass(frozen=True)
class SharedClusters:
    """One clustering of rows of a data set, as another panel may use it."""

    dataset: str  # the data set the rows are of: "digits", a file's name
    rows: np.ndarray  # (N,) each point's row in that data set
    assignments: np.ndarray  # (N,) the cluster of each
    method: str  # catalogue name: "infomap", "kmeans", ...
    source: str  # what was clustered: "digits", "codes of the VAE, latent 16"

    @property
    def count(self) -> int:
        return int(len(np.unique(self.assignments)))

    def method_text(self) -> str:
        """"InfoMap on codes of the VAE, 10 modules"."""
        unit = "modules" if self.method == "infomap" else "clusters"
        return f"{METHODS[self.method].label} on {self.source}, {self.count} {unit}"

    def describe(self) -> str:
        """"clusters from the Clustering panel: InfoMap on codes of the VAE, 10 modules"."""
        return f"clusters from the Clustering panel: {self.method_text()}"

    def for_rows(self, rows: np.ndarray) -> Optional[np.ndarray]:
        """The cluster of each of ``rows`` (rows of the same data set), None unless every one was clustered."""
        rows = np.asarray(rows, np.int64)
        order = np.argsort(self.rows, kind="stable")
        known = self.rows[order]
        at = np.searchsorted(known, rows).clip(0, max(len(known) - 1, 0))
        if not len(known) or not np.array_equal(known[at], rows):
            return None
        return self.assignments[order[at]]


class ClusterStore:
    """The latest :class:`SharedClusters` per data set; ``subscribe(callback)`` hears of each new one."""

    def __init__(self) -> None:
        self._latest: dict[str, SharedClusters] = {}
        self._listeners: list[Callable[[SharedClusters], None]] = []

    def subscribe(self, callback: Callable[[SharedClusters], None]) -> None:
        self._listeners.append(callback)

    def publish(self, result: "ClusterResult") -> Optional[SharedClusters]:
        """Keep a clustering of points as the latest of its data set and tell the subscribers; a clustering
        of points of no known data set (vectors from a file without rows of one) is not kept (None)."""
        if result.dataset is None:
            return None
        rows = np.arange(len(result.assignments)) if result.rows is None else np.asarray(result.rows, np.int64)
        if len(np.unique(rows)) != len(rows):
            return None  # a row clustered twice has no one cluster
        shared = SharedClusters(result.dataset, rows, np.asarray(result.assignments, np.int64), result.method,
                                result.data_name)
        self._latest[shared.dataset] = shared
        for callback in list(self._listeners):
            callback(shared)
        return shared

    def latest(self, dataset: str) -> Optional[SharedClusters]:
        return self._latest.get(dataset)
