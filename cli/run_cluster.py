"""Cluster data points: k-means, a Gaussian mixture, InfoMap on a kNN graph, or the clustering VAE.

workbench run cluster --method kmeans|gmm|infomap|cluster-vae --data digits|PATH [--labels COLUMN|FILE] [--k N]
                     --out DIR
    writes DIR/assignments.csv (index, cluster[, label]), DIR/metrics.json (accuracy, purity, NMI, ARI;
    codelength and saving for InfoMap), DIR/figure.png, DIR/sidecar.json and, for InfoMap, DIR/clusters.clu,
    DIR/clusters.tree and DIR/levels.csv (level, modules, codelength; --levels multi: modules within modules,
    the .tree naming each node's path of modules). The index and the InfoMap node ids are rows of --data: load_digits() order for
    the digits, the file's rows otherwise. The files replace an earlier run's together, or not at all.
    A CSV's labels are the column --labels names (or one headed label, class or target); a last column
    that looks like labels is never used as a feature silently (the file is refused until --labels says).

examples:
  workbench run cluster --method kmeans --data digits --k 10 --out out/km
  workbench run cluster --method kmeans --embedding tsne --data digits --out out/best   (accuracy 0.95)
  workbench run cluster --method infomap --embedding raw --markov-time 2 --data digits --out out/im
  workbench run cluster --method infomap --embedding raw --markov-time 1 --levels multi --data digits --out out/tree
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

from cli.plumbing import add_option, add_out, device_of, output_folder, run_task
from engines.cluster.catalogue import (EMBEDDING, K, LEVELS, MARKOV_TIME, METHOD, NEIGHBOURS, REFINE, SEED,
                                       parse_markov_time)
from engines.errors import InputError

VERB, NAME = "run", "cluster"
HELP = "Clustering: cluster data points (InfoMap, k-means, GMM, VAE)"
INFOMAP_FILES = ("clusters.clu", "clusters.tree", "levels.csv")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_option(parser, METHOD)
    parser.add_argument("--data", default="digits", metavar="digits|PATH",
                        help="sklearn's digits (all 1,797) or a .npy/.npz/.csv/.tsv/.txt file of vectors (labels from "
                             ".npz 'labels', a CSV column named label/class/target, or --labels; default digits)")
    parser.add_argument("--labels", metavar="COLUMN|FILE",
                        help="the true classes, to score against: a column of the CSV (name or number from 1; 'none': "
                             "every column is a feature) or a file (.npy, or one per line)")
    add_option(parser, K, metavar="N")
    add_option(parser, EMBEDDING)
    add_option(parser, NEIGHBOURS, metavar="K")
    add_option(parser, MARKOV_TIME, type=_markov_time, metavar="T|auto", help=f"{MARKOV_TIME.help} (default auto)")
    add_option(parser, LEVELS)
    add_option(parser, REFINE, metavar="K")
    add_option(parser, SEED, metavar="N")
    add_out(parser)


def _markov_time(text: str) -> float | None:
    try:
        return parse_markov_time(text)
    except InputError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def run(args: argparse.Namespace) -> int:
    from engines.export.atomic import atomic_write_text
    from engines.export.staging import staged_outputs
    from tasks.clustering import PointsRequest, cluster_points_job, in_process, points_parameters, write_clusters
    from tasks.outputs import write_sidecar
    from workbench.panels.cluster import INFO

    request = PointsRequest(args.method, args.k, args.embedding, args.neighbours, args.markov_time, args.seed, args.refine,
                            args.levels)
    out = output_folder(args.out)
    device = device_of(args, "cpu")
    # InfoMap holds the GIL for its whole run: it goes to a job process (Ctrl+C still works)
    result = run_task(cluster_points_job, args.data, request, device, args.labels, process=in_process(request))
    # a k-means run after an InfoMap one takes the old run's .clu and .tree away with the rest
    with staged_outputs(out, obsolete=INFOMAP_FILES) as stage:
        written = write_clusters(result, stage / "assignments.csv", stage / "clusters", stage / "levels.csv")
        metrics = {"method": result.method, "embedding": result.embedding, "data": result.data_name,
                   "seconds": result.seconds, **result.metrics}
        atomic_write_text(stage / "metrics.json", json.dumps(metrics, indent=2) + "\n")
        _cluster_figure(result, stage / "figure.png")
        write_sidecar(stage, {"panel": INFO.name, "command": NAME, **points_parameters(request, result, args.data, device),
                              "labels": args.labels})
    acc = result.metrics.get("accuracy")
    extra = f", accuracy {acc:.4f}, NMI {result.metrics['nmi']:.4f}, ARI {result.metrics['ari']:.4f}" if acc is not None else ""
    infomap_files = [p.name for p in written[1:]]
    print(f"{result.metrics['clusters']} clusters of {len(result.assignments)} points{extra}; "
          f"wrote {', '.join(['assignments.csv', 'metrics.json', 'figure.png', *infomap_files])} and sidecar.json to {out}")
    return 0


def _cluster_figure(result, path: Path) -> None:
    from cli.render import FIGURE_SCALE, FIGURE_SIZE, offscreen_app

    app = offscreen_app()
    from workbench.export.figure import export_png
    from workbench.panels.cluster.scatter import ClusterScatter

    view = ClusterScatter()
    view.resize(*FIGURE_SIZE)
    view.show()
    view.set_result(result)
    app.processEvents()
    export_png(view, path, scale=FIGURE_SCALE)
    view.close()
