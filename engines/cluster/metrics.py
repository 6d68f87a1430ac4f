"""Clustering metrics against labels: Hungarian-matched accuracy, purity, NMI, ARI (numpy/scipy only)."""
from __future__ import annotations

import numpy as np
from scipy.optimize import linear_sum_assignment


def contingency(labels: np.ndarray, clusters: np.ndarray) -> np.ndarray:
    _, li = np.unique(labels, return_inverse=True)
    _, ci = np.unique(clusters, return_inverse=True)
    table = np.zeros((ci.max() + 1, li.max() + 1), np.int64)
    np.add.at(table, (ci, li), 1)
    return table


def hungarian_accuracy(labels: np.ndarray, clusters: np.ndarray) -> float:
    """Best one-to-one matching of clusters to classes (extra clusters count as wrong)."""
    table = contingency(labels, clusters)
    rows, cols = linear_sum_assignment(-table)
    return float(table[rows, cols].sum() / len(labels))


def purity(labels: np.ndarray, clusters: np.ndarray) -> float:
    return float(contingency(labels, clusters).max(1).sum() / len(labels))


def _entropy(counts: np.ndarray) -> float:
    p = counts[counts > 0] / counts.sum()
    return float(-(p * np.log(p)).sum())


def nmi(labels: np.ndarray, clusters: np.ndarray) -> float:
    """Normalised mutual information, arithmetic-mean normalisation (sklearn's default)."""
    table = contingency(labels, clusters).astype(np.float64)
    n = table.sum()
    pij = table / n
    pi, pj = pij.sum(1, keepdims=True), pij.sum(0, keepdims=True)
    nz = pij > 0
    mi = float((pij[nz] * np.log(pij[nz] / (pi @ pj)[nz])).sum())
    hc, hl = _entropy(table.sum(1)), _entropy(table.sum(0))
    if hc == 0 and hl == 0:
        return 1.0
    denom = (hc + hl) / 2
    return float(mi / denom) if denom > 0 else 0.0


def ari(labels: np.ndarray, clusters: np.ndarray) -> float:
    """Adjusted Rand index (Hubert & Arabie)."""
    table = contingency(labels, clusters).astype(np.float64)
    comb = lambda x: x * (x - 1) / 2  # noqa: E731
    n = table.sum()
    sum_ij = comb(table).sum()
    sum_a, sum_b = comb(table.sum(1)).sum(), comb(table.sum(0)).sum()
    expected = sum_a * sum_b / comb(n) if n > 1 else 0.0
    maximum = (sum_a + sum_b) / 2
    if maximum == expected:
        return 1.0
    return float((sum_ij - expected) / (maximum - expected))


def all_metrics(labels: np.ndarray, clusters: np.ndarray) -> dict:
    labels, clusters = np.asarray(labels), np.asarray(clusters)
    return {"accuracy": hungarian_accuracy(labels, clusters), "purity": purity(labels, clusters),
            "nmi": nmi(labels, clusters), "ari": ari(labels, clusters), "clusters": int(len(np.unique(clusters)))}
