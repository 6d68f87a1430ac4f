"""Clustering: k-means++ and Gaussian mixtures in torch, InfoMap on neighbour and word graphs, the latent
engine's clustering VAE, embeddings (PCA, exact t-SNE) and metrics (Hungarian accuracy, purity, NMI, ARI).

``catalogue`` (methods, embeddings, options; no torch), ``data`` (points to cluster), ``embed``,
``methods`` (one ``fit_NAME(problem, reporter)`` per method), ``mixture``, ``graph`` (kNN graphs, InfoMap),
``refine`` (kNN majority vote), ``words`` (word modules), ``metrics``, ``export`` (CSV, .clu, .tree).
The clustering jobs are in :mod:`tasks.clustering`. This package imports nothing on its own.
"""
