"""Label smoothing on a kNN graph: the points stranded on the wrong side of a cluster boundary move over."""
from __future__ import annotations

import numpy as np

from engines.cluster.graph import knn_graph


def refine_labels(z: np.ndarray, labels: np.ndarray, k: int = 10, rounds: int = 10) -> np.ndarray:
    """Each point takes the majority label of its ``k`` nearest neighbours in ``z`` (ties keep its own),
    for up to ``rounds`` rounds; ``k`` of 0 (or not fewer than the points) leaves the labels as they are."""
    if k <= 0 or len(z) <= k:
        return labels
    _, dst, _ = knn_graph(z, k)
    nbr = dst.reshape(len(z), -1)
    n_labels = int(labels.max()) + 1
    out = labels.copy()
    for _ in range(rounds):
        votes = np.zeros((len(out), n_labels))
        np.add.at(votes, (np.repeat(np.arange(len(out)), nbr.shape[1]), out[nbr].ravel()), 1.0)
        votes[np.arange(len(out)), out] += 0.5
        new = votes.argmax(1)
        if (new == out).all():
            break
        out = new
    return out
