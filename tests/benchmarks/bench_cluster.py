"""Benchmark: every clustering method of the panel on sklearn's digits (all 1,797), with accuracy
(Hungarian-matched), NMI, ARI and time. Reference: k-means ≈ 0.79; target >= 0.95 for the best method.
Run: python tests/benchmarks/bench_cluster.py [--vae]  (prints; no assertions; --vae adds the clustering
VAE of the latent engine, which trains for a while).
"""
from __future__ import annotations

import sys
import time

from engines.jobs import run
from tasks.clustering import PointsRequest, cluster_points_job

CONFIGS = [
    ("kmeans", "raw", {}),
    ("gmm", "pca", {}),
    ("infomap", "raw", {"markov_time": 1.0}),
    ("infomap", "raw", {}),  # automatic Markov time
    ("kmeans", "tsne", {"refine": 0}),
    ("gmm", "tsne", {"refine": 0}),
    ("infomap", "tsne", {"markov_time": 1.0}),
    ("infomap", "tsne", {}),
    ("infomap", "tsne", {"neighbours": 30}),
    ("kmeans", "tsne", {}),  # + kNN majority-vote refinement (the panel's default on t-SNE)
    ("gmm", "tsne", {}),
]


def main() -> None:
    configs = list(CONFIGS)
    if "--vae" in sys.argv:
        configs.append(("cluster-vae", "raw", {}))
    print(f"{'method':12s} {'embedding':9s} {'options':22s} {'clusters':>8s} {'accuracy':>8s} {'NMI':>6s} {'ARI':>6s} {'time':>7s}")
    for method, embedding, options in configs:
        t = time.perf_counter()
        r = run(cluster_points_job, "digits", PointsRequest(method, 10, embedding, **options), "cpu")
        m = r.metrics
        opts = ",".join(f"{k}={v}" for k, v in options.items()) or "-"
        saving = f"  saving {100 * m['codelength_saving']:.1f}%" if "codelength_saving" in m else ""
        print(f"{method:12s} {embedding:9s} {opts:22s} {m['clusters']:8d} {m['accuracy']:8.4f} {m['nmi']:6.4f} "
              f"{m['ari']:6.4f} {time.perf_counter() - t:6.1f}s{saving}", flush=True)


if __name__ == "__main__":
    main()
