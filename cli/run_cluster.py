"""Cluster data points: k-means, a Gaussian mixture, InfoMap on a kNN graph, or the clustering VAE.

workbench run cluster --method infomap|kmeans|gmm|cluster-vae --data digits|PATH [--k N] --out DIR
    writes DIR/assignments.csv (index, cluster[, label]), DIR/metrics.json (accuracy, purity, NMI, ARI;
    codelength and saving for InfoMap), DIR/figure.png, DIR/sidecar.json and, for InfoMap, DIR/clusters.clu
    and DIR/clusters.tree.

examples:
  workbench run cluster --method kmeans --data digits --k 10 --out out/km
  workbench run cluster --method kmeans --embedding tsne --data digits --out out/best   (accuracy 0.95)
  workbench run cluster --method infomap --embedding raw --markov-time 2 --data digits --out out/im
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

from cli.plumbing import add_out, output_folder, run_task
from cli.run_segment import _device

VERB, NAME = "run", "cluster"
HELP = "Clustering: cluster data points (InfoMap, k-means, GMM, VAE)"
FIGURE_SIZE = (900, 700)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--method", choices=("infomap", "kmeans", "gmm", "cluster-vae"), default="kmeans")
    parser.add_argument("--data", default="digits", metavar="digits|PATH",
                        help="sklearn's digits (all 1,797) or a .npy/.npz/.csv file of vectors (labels from .npz 'labels')")
    parser.add_argument("--k", type=int, default=10, metavar="N", help="number of clusters (default 10; InfoMap finds its own)")
    parser.add_argument("--embedding", choices=("raw", "pca", "tsne"),
                        help="what to cluster on (default: raw for k-means, t-SNE for gmm and infomap)")
    parser.add_argument("--neighbours", type=int, default=15, metavar="K", help="kNN graph degree for InfoMap (default 15)")
    parser.add_argument("--markov-time", type=_markov, default=None, metavar="T|auto",
                        help="InfoMap's Markov time (default auto: the smallest of 1, 1.5, 2, 3, ... 64 that leaves "
                             "at most 1.5 k modules)")
    parser.add_argument("--refine", type=int, metavar="K",
                        help="kNN majority-vote refinement of k-means/GMM labels (default 10 on t-SNE, else 0)")
    parser.add_argument("--seed", type=int, default=0)
    add_out(parser)


def _markov(text: str) -> float | None:
    if text == "auto":
        return None
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number or 'auto', got {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError("the Markov time must be positive")
    return value


def run(args: argparse.Namespace) -> int:
    from engines.cluster.export import write_assignments, write_infomap
    from engines.errors import InputError
    from engines.export.atomic import atomic_write_text
    from tasks.outputs import write_sidecar

    if not 2 <= args.k <= 1000:
        raise InputError(f"--k must be between 2 and 1000, got {args.k}")
    out = output_folder(args.out)
    device = getattr(args, "device", None) or "cpu"
    from engines.cluster.jobs import cluster_job

    # InfoMap holds the GIL for its whole run: it goes to a job process (Ctrl+C still works)
    result = run_task(cluster_job, args.method, args.data, args.k, args.embedding, args.neighbours,
                      args.markov_time, args.seed, _device(device), args.refine, process=args.method == "infomap")
    write_assignments(result, out / "assignments.csv")
    metrics = {"method": result.method, "embedding": result.embedding, "data": result.data_name,
               "seconds": result.seconds, **result.metrics}
    atomic_write_text(out / "metrics.json", json.dumps(metrics, indent=2) + "\n")
    infomap_files = [p.name for p in write_infomap(result, out / "clusters")]
    _cluster_figure(result, out / "figure.png")
    write_sidecar(out, {"panel": "segment", "command": "cluster", "method": args.method, "data": args.data,
                        "k": args.k, "embedding": result.embedding, "neighbours": args.neighbours,
                        "markov_time": result.metrics.get("markov_time", args.markov_time), "seed": args.seed, "device": device,
                        "refine": result.metrics.get("refine_neighbours", 0)})
    acc = result.metrics.get("accuracy")
    extra = f", accuracy {acc:.4f}, NMI {result.metrics['nmi']:.4f}, ARI {result.metrics['ari']:.4f}" if acc is not None else ""
    print(f"{result.metrics['clusters']} clusters of {len(result.assignments)} points{extra}; "
          f"wrote {', '.join(['assignments.csv', 'metrics.json', 'figure.png', *infomap_files])} and sidecar.json to {out}")
    return 0


def _cluster_figure(result, path: Path) -> None:
    from cli.render import offscreen_app

    app = offscreen_app()
    from workbench.export.figure import export_png
    from workbench.panels.segment.cluster_view import ClusterScatter

    view = ClusterScatter()
    view.resize(*FIGURE_SIZE)
    view.show()
    view.set_result(result)
    app.processEvents()
    export_png(view, path)
    view.close()
