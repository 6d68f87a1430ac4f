"""Clustering: clusters of data points (the digits, a file of vectors, a model's codes) by k-means, a
Gaussian mixture, InfoMap or the clustering VAE, and modules of words that occur together in segmented text."""
from __future__ import annotations

from typing import TYPE_CHECKING

from engines.cluster.catalogue import EMBEDDINGS, METHODS
from workbench.panel_info import PanelInfo

if TYPE_CHECKING:
    from workbench.panel import Panel, PanelContext

INFO = PanelInfo(
    name="cluster",
    title="Clustering",
    accepts=("dataset",),
    ideas=(
        *((entry.citation, entry.url) for entry in (*METHODS, *EMBEDDINGS) if entry.url),
        ("Lambiotte, Delvenne & Barahona 2008: Markov time as a resolution (InfoMap's automatic time)",
         "https://arxiv.org/abs/0812.1770"),
        ("Su Jianlin: minimum entropy (5): InfoMap on words", "https://kexue.fm/archives/5597"),
    ),
)

__all__ = ["INFO", "create"]


def create(context: "PanelContext") -> "Panel":
    """Build the panel (imports its widgets, not the engines)."""
    from workbench.panels.cluster.panel import ClusterPanel

    return ClusterPanel(context)
