"""Learn a lexicon from raw Chinese text and segment it.

workbench run segment --corpus PATH|peoples-daily|reviews [--gold PATH|peoples-daily] --out DIR
    learns a lexicon from the raw text (no dictionary), segments every line with a unigram language model
    and writes DIR/lexicon.tsv (word, count, score), DIR/segmented.txt (one line per input line, words
    separated by single spaces), DIR/metrics.json (P, R, F1, OOV recall, bits/char, timings) and
    DIR/sidecar.json. Class units appear in the lexicon as <NUM> (a digit run) and <ALNUM> (latin run).

examples:
  workbench run segment --corpus peoples-daily --gold peoples-daily --out out/pd
  workbench run segment --corpus reviews --out out/reviews --min-count 5
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

from cli.plumbing import add_out, output_folder, run_task

VERB, NAME = "run", "segment"
HELP = "Segmentation: learn a lexicon from raw text (minimum entropy) and segment it"


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
    add_out(parser)


def run(args: argparse.Namespace) -> int:
    import math

    from engines.errors import InputError
    from engines.export.atomic import atomic_write, atomic_write_text
    from engines.segment.pipeline import SegmentParams, jieba_baseline, reference_dictionary, run_segmentation
    from tasks.outputs import write_sidecar

    if args.min_count < 1:
        raise InputError(f"--min-count must be at least 1, got {args.min_count}")
    if not 2 <= args.max_n <= 8:
        raise InputError(f"--max-n must be between 2 and 8, got {args.max_n}")
    pair = None if math.isnan(args.pair_threshold) else args.pair_threshold
    params = SegmentParams(method=args.method, max_n=args.max_n, min_count=args.min_count,
                           thresholds=args.thresholds, pair_threshold=pair, word_bonus=args.word_bonus,
                           redundancy=args.redundancy, numbers=args.numbers, names=args.names)
    out = output_folder(args.out)
    reference = reference_dictionary()
    with atomic_write(out / "segmented.txt", "w") as handle:
        result = run_task(run_segmentation, args.corpus, args.gold, params, write_line=lambda s: handle.write(s + "\n"),
                          max_lines=args.max_lines, reference=reference, workers=max(1, args.workers),
                          device=_device(getattr(args, "device", None) or "cpu"))
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
        scores, seconds = run_task(jieba_baseline, result.counted, reference=reference)
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


def _device(device: str) -> str:
    from engines.device import pick_device

    return str(pick_device(device))
