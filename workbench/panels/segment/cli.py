"""Headless segmentation and clustering.

workbench run segment --corpus PATH|peoples-daily|reviews [--gold PATH|peoples-daily] --out DIR
    learns a lexicon from the raw text (no dictionary), segments every line with a unigram language model
    and writes DIR/lexicon.tsv (word, count, score), DIR/segmented.txt (one line per input line, words
    separated by single spaces), DIR/metrics.json (P, R, F1, OOV recall, bits/char, timings) and
    DIR/sidecar.json. Class units appear in the lexicon as <NUM> (a digit run) and <ALNUM> (latin run).

workbench run cluster --method infomap|kmeans|gmm|cluster-vae --data digits|PATH [--k N] --out DIR
    writes DIR/assignments.csv (index, cluster[, label]), DIR/metrics.json (accuracy, purity, NMI, ARI;
    codelength and saving for InfoMap), DIR/figure.png, DIR/sidecar.json and, for InfoMap, DIR/clusters.clu
    and DIR/clusters.tree.

examples:
  workbench run segment --corpus peoples-daily --gold peoples-daily --out out/pd
  workbench run segment --corpus reviews --out out/reviews --min-count 5
  workbench run cluster --method kmeans --data digits --k 10 --out out/km
  workbench run cluster --method kmeans --embedding tsne --data digits --out out/best   (accuracy 0.95)
  workbench run cluster --method infomap --embedding raw --markov-time 2 --data digits --out out/im
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

FIGURE_SIZE = (900, 700)


def _thresholds(text: str) -> tuple[float, ...]:
    try:
        values = tuple(float(v) for v in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected numbers separated by commas such as 0.8,4.5,7 — got {text!r}") from None
    return (0.0, *values)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--corpus", required=True, metavar="PATH|peoples-daily|reviews",
                        help="a .txt/.gz/.bz2/.xz file or folder, or a built-in corpus")
    parser.add_argument("--gold", metavar="PATH|peoples-daily",
                        help="gold segmentation to score against (word/tag tokens or words separated by spaces)")
    parser.add_argument("--method", choices=("ngram", "pmi"), default="ngram",
                        help="ngram: min-PMI of n-grams (default); pmi: minimum-entropy pairs")
    parser.add_argument("--max-n", type=int, default=4, metavar="N", help="longest n-gram counted (default 4)")
    parser.add_argument("--min-count", type=int, default=2, metavar="N", help="least count of a word (default 2)")
    parser.add_argument("--thresholds", type=_thresholds, default=(0.0, 0.8, 4.5, 7.0), metavar="T2,T3,T4",
                        help="ln-PMI thresholds for n = 2, 3, 4 (default 0.8,4.5,7)")
    parser.add_argument("--pair-threshold", type=float, default=0.0, metavar="T",
                        help="also keep pairs with PMI above T as words (default 0; 'nan' turns it off)")
    parser.add_argument("--word-bonus", type=float, default=3.5, metavar="NATS",
                        help="score added per word in the best path (default 3.5)")
    parser.add_argument("--redundancy", type=float, metavar="NATS",
                        help="minimum-entropy redundancy removal: drop a word whose best split into other words "
                             "loses less than NATS (default: off)")
    parser.add_argument("--numbers", action=argparse.BooleanOptionalAction, default=True,
                        help="the PKU number convention: a number and its measure word are two words, dates and "
                             "magnitudes join (default on)")
    parser.add_argument("--names", action=argparse.BooleanOptionalAction, default=True,
                        help="split person names after the surnames learned from the corpus (default on)")
    parser.add_argument("--max-lines", type=int, metavar="N", help="read only the first N lines")
    parser.add_argument("--workers", type=int, default=1, metavar="N",
                        help="count in N processes and merge (default 1)")
    parser.add_argument("--jieba", action="store_true", help="also run jieba on the same lines (needs jieba)")
    parser.add_argument("--out", type=Path, required=True, metavar="DIR", help="output folder (created if needed)")


def _cluster_arguments(parser: argparse.ArgumentParser) -> None:
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
    parser.add_argument("--out", type=Path, required=True, metavar="DIR", help="output folder (created if needed)")


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


def _mkdir(out: Path) -> None:
    from engines.errors import InputError

    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"cannot create the output folder {out}: {exc.strerror}") from None


def _progress(p) -> None:
    text = f"{100 * p.fraction:5.1f}%" if p.fraction is not None else ""
    print(f"\r{(p.message or 'working')[:70]:70s} {text}", end="", file=sys.stderr, flush=True)


def run(args: argparse.Namespace) -> int:
    import math

    from engines.errors import InputError
    from engines.export.atomic import atomic_write, atomic_write_text
    from engines.export.sidecar import write_sidecar
    from engines.jobs import run as run_job
    from engines.segment.lexicon import display_word
    from engines.segment.pipeline import SegmentParams, jieba_baseline, reference_dictionary, run_segmentation

    if args.min_count < 1:
        raise InputError(f"--min-count must be at least 1, got {args.min_count}")
    if not 2 <= args.max_n <= 8:
        raise InputError(f"--max-n must be between 2 and 8, got {args.max_n}")
    pair = None if math.isnan(args.pair_threshold) else args.pair_threshold
    params = SegmentParams(method=args.method, max_n=args.max_n, min_count=args.min_count,
                           thresholds=args.thresholds, pair_threshold=pair, word_bonus=args.word_bonus,
                           redundancy=args.redundancy, numbers=args.numbers, names=args.names)
    out: Path = args.out
    _mkdir(out)
    reference = reference_dictionary()
    tty = sys.stderr.isatty()
    with atomic_write(out / "segmented.txt", "w") as handle:
        result = run_job(run_segmentation, args.corpus, args.gold, params, write_line=lambda s: handle.write(s + "\n"),
                         max_lines=args.max_lines, reference=reference, workers=max(1, args.workers),
                         device=_device(getattr(args, "device", None) or "cpu"),
                         on_progress=_progress if tty else None)
    if tty:
        print(file=sys.stderr)
    lexicon = result.lexicon
    with atomic_write(out / "lexicon.tsv", "w") as handle:
        handle.write("word\tcount\tscore\n")
        for word, count, score, _ in lexicon.rows():
            handle.write(f"{word}\t{count}\t{score:.4f}\n")
    metrics = result.result.metrics()
    metrics["timings"] = result.timings
    metrics["corpus"] = {"name": result.counted.name, **result.counted.stats.as_dict(),
                         "characters": result.counted.n_chars}
    if args.jieba:
        scores, seconds = run_job(jieba_baseline, result.counted, reference=reference)
        metrics["jieba"] = {"seconds": seconds, **(scores.as_dict() if scores is not None else {})}
        metrics["timings"]["jieba_s"] = seconds
    atomic_write_text(out / "metrics.json", json.dumps(metrics, indent=2, ensure_ascii=False) + "\n")
    write_sidecar(out, {"panel": "segment", "corpus": args.corpus, "gold": args.gold, **params.as_dict(),
                        "max_lines": args.max_lines})
    f1 = metrics.get("f1")
    score_text = f", F1 {f1:.4f}" if f1 is not None else ""
    print(f"{result.counted.n_chars:,} characters, {len(lexicon.rows()):,} words in the lexicon{score_text}, "
          f"bits/char {metrics['bits_per_char_before']:.3f} -> {metrics['bits_per_char_after']:.3f}; "
          f"wrote lexicon.tsv, segmented.txt, metrics.json and sidecar.json to {out}")
    return 0


def run_cluster(args: argparse.Namespace) -> int:
    from engines.cluster.export import write_assignments, write_infomap
    from engines.errors import InputError
    from engines.export.atomic import atomic_write_text
    from engines.export.sidecar import write_sidecar
    from engines.jobs import run as run_job

    if not 2 <= args.k <= 1000:
        raise InputError(f"--k must be between 2 and 1000, got {args.k}")
    out: Path = args.out
    _mkdir(out)
    device = getattr(args, "device", None) or "cpu"
    tty = sys.stderr.isatty()
    if args.method == "infomap":
        result = _in_subprocess(args, device)
    else:
        from engines.cluster import cluster_job

        result = run_job(cluster_job, args.method, args.data, args.k, args.embedding, args.neighbours,
                         args.markov_time, args.seed, _device(device), args.refine,
                         on_progress=_progress if tty else None)
    if tty:
        print(file=sys.stderr)
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


def _device(device: str) -> str:
    from engines.device import pick_device

    return str(pick_device(device))


def _in_subprocess(args, device: str):
    """InfoMap holds the GIL for its whole run: run the job in a spawned process (Ctrl+C still works)."""
    import multiprocessing

    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(1) as pool:
        return pool.apply(_cluster_child, (args.method, args.data, args.k, args.embedding, args.neighbours,
                                           args.markov_time, args.seed, _device(device), args.refine))


def _cluster_child(*params):
    from engines.cluster.jobs import cluster_job
    from engines.jobs import run as run_job

    return run_job(cluster_job, *params)


def _cluster_figure(result, path: Path) -> None:
    import os

    from PySide6 import QtWidgets

    if QtWidgets.QApplication.instance() is None:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication([])
    from workbench.export.figure import export_png
    from workbench.panels.segment.cluster_view import ClusterScatter

    view = ClusterScatter()
    view.resize(*FIGURE_SIZE)
    view.show()
    view.set_result(result)
    app.processEvents()
    export_png(view, path)
    view.close()


RUN_COMMANDS = {
    "segment": (add_arguments, run, "Segmentation & clustering: learn a lexicon and segment a corpus"),
    "cluster": (_cluster_arguments, run_cluster, "Segmentation & clustering: cluster data points (InfoMap, k-means, GMM, VAE)"),
}
