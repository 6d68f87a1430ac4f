"""A 2D map of a model's codes by a chosen projection (PCA, t-SNE or UMAP): the job the panel starts before
computing and ``workbench run latent --map`` runs; and which clusters colour the map (the Clustering panel's,
the model's own, or k-means on the codes)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Optional

import numpy as np

from engines.catalogue import Option
from engines.latent.catalogue import PROJECTIONS

if TYPE_CHECKING:
    from engines.latent.analysis import Encoded
    from engines.latent.maps import LatentMap
    from tasks.cluster_store import SharedClusters

MAP = Option("map", "Map", "choice", None, choices=PROJECTIONS.names,
             help="also write map.csv (index, x, y, label): the codes mapped to 2D by this projection")


def kmeans_job(reporter, z: np.ndarray, labels: np.ndarray, seed: int = 0) -> np.ndarray:
    """k-means clusters of the codes (scikit-learn), k the number of distinct labels (10 without labels): the
    map's cluster colours for a model without its own clusters."""
    from sklearn.cluster import KMeans

    known = np.unique(labels[labels >= 0])
    k = int(min(len(known) if len(known) >= 2 else 10, len(z)))
    reporter.progress(None, f"k-means (k = {k}) of {len(z)} codes")
    return KMeans(k, n_init=4, random_state=seed).fit_predict(np.asarray(z, np.float64))


def map_job(reporter, z: np.ndarray, method: str, seed: int = 0) -> "LatentMap":
    """The codes ``z`` mapped by ``method`` (pca: the 2D latent itself when it is 2D). t-SNE and UMAP hold
    the GIL: run them in a process."""
    from engines.latent.maps import pca_map, tsne_job, umap_job

    method = MAP.validate(method)
    if method == "tsne":
        return tsne_job(reporter, z, seed=seed)
    if method == "umap":
        return umap_job(reporter, z, seed=seed)
    return pca_map(z)


@dataclass(frozen=True)
class MapClusters:
    """The clusters the map is coloured by (None: none yet), the title's lines saying whose (``\n`` between
    them), and whether k-means of the codes is still to run."""

    clusters: Optional[np.ndarray]
    caption: str
    needs_kmeans: bool = False


def map_clusters(encoded: "Encoded", shared: Optional["SharedClusters"], kmeans: Optional[np.ndarray]) -> MapClusters:
    """The map's cluster colours, first found of: the Clustering panel's latest clustering of the encoded data
    set (``shared``) when it holds every row shown; the model's own clusters; k-means on the codes."""
    data = encoded.data
    mine = shared.for_rows(data.all_rows) if shared is not None and shared.dataset == data.name else None
    if mine is not None:
        return MapClusters(mine, f"coloured by clusters from the Clustering panel:\n{shared.method_text()}")
    note = (f"\n(the Clustering panel's {shared.count} clusters of {data.name} are of other rows)"
            if shared is not None else "")
    if encoded.clusters is not None:
        return MapClusters(encoded.clusters, "coloured by the model's clusters" + note)
    if kmeans is not None:
        return MapClusters(kmeans, f"coloured by k-means (k = {len(np.unique(kmeans))}) on the codes" + note)
    return MapClusters(None, "(k-means of the codes running)", needs_kmeans=True)
