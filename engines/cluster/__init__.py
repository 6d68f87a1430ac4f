"""Clustering: k-means++ and Gaussian mixtures in torch, InfoMap on neighbour/word graphs, the latent
panel's clustering VAE, and the metrics (Hungarian accuracy, purity, NMI, ARI, codelength saving).

    from engines.jobs import run
    from engines.cluster import cluster_job
    result = run(cluster_job, "gmm", "digits", k=10, embedding="tsne")
"""
from engines.cluster.jobs import EMBEDDINGS, METHODS, ClusterData, ClusterResult, cluster_job, load_data
from engines.cluster.metrics import all_metrics, ari, hungarian_accuracy, nmi, purity

__all__ = ["EMBEDDINGS", "METHODS", "ClusterData", "ClusterResult", "cluster_job", "load_data", "all_metrics",
           "ari", "hungarian_accuracy", "nmi", "purity"]
