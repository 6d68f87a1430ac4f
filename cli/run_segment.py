"""Learn a lexicon from raw Chinese text and segment it.

workbench run segment --corpus PATH|GLOB|peoples-daily|reviews [--gold PATH|peoples-daily]
                      [--scheduler local:N|tcp://HOST:PORT] --out DIR
    learns a lexicon from the raw text (no dictionary), segments every line with a unigram language model
    and writes DIR/lexicon.tsv (word, count: tokens in segmented.txt, candidates: pieces of the cut pass,
    score, class), DIR/segmented.txt (one line per input line, words separated by single spaces),
    DIR/metrics.json (P, R, F1, OOV recall, bits/char, timings) and DIR/sidecar.json. Words used fewer than
    --min-count times are dropped (their clauses segmented again). Number and latin runs are written in
    lexicon.tsv as the notation below says. With --templates it also finds sentence templates in the
    segmented text (minimum entropy: word n-grams with slots, such as 在X中) and writes DIR/templates.tsv
    (template, count, bits_saved) and DIR/parses.txt (each line's bracketed parse: {template match},
    (slot), one line per input line).

examples:
  workbench run segment --corpus peoples-daily --gold peoples-daily --out out/pd
  workbench run segment --corpus reviews --out out/reviews --min-count 5
  workbench run segment --corpus peoples-daily --out out/pd --templates
  workbench run segment --corpus 'corpus/*.txt' --scheduler local:2 --out out/big
  workbench run segment --corpus blog.txt --base-corpus peoples-daily --base-weight 0.5 --out out/blog
"""
from __future__ import annotations

import argparse
import json
import sys
import textwrap

from cli.parser import allow_dash_values
from cli.plumbing import add_option, add_out, device_of, option_type, output_folder, run_task
from engines.errors import InputError
from engines.segment import catalogue as cat
from engines.segment import template_catalogue as tcat

VERB, NAME = "run", "segment"
HELP = "Segmentation: learn a lexicon from raw text (minimum entropy) and segment it"
THRESHOLD_NAMES = {o.name for o in cat.THRESHOLDS}


def _thresholds(text: str) -> tuple[float, ...]:
    """``T2,T3,T4``: the ln-PMI thresholds from n = 2 on, each checked against its option's range
    (n > 4 against the 4-gram one's)."""
    values = [v for v in text.split(",")]
    if not 1 <= len(values) <= cat.MAX_N - 1:
        raise argparse.ArgumentTypeError(f"expected 1 to {cat.MAX_N - 1} numbers separated by commas such as "
                                         f"0.8,4.5,7, got {text!r}")
    options = [cat.THRESHOLDS[min(k, len(cat.THRESHOLDS) - 1)] for k in range(len(values))]
    return (0.0, *(option_type(option)(value) for option, value in zip(options, values)))


def _scheduler(text: str) -> str:
    from engines.segment.scheduler import check_scheduler

    try:
        return check_scheduler(text)
    except InputError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def add_arguments(parser: argparse.ArgumentParser) -> None:
    builtin = "|".join(cat.CORPORA.names)
    parser.add_argument("--corpus", required=True, metavar=f"PATH|GLOB|{builtin}",
                        help="a .txt/.gz/.bz2/.xz file, folder or glob pattern (quoted), or a built-in corpus: "
                             + "; ".join(f"{c.name}: {c.description}" for c in cat.CORPORA))
    parser.add_argument("--gold", metavar="PATH|" + "|".join(cat.GOLD_CORPORA),
                        help="gold segmentation to score against (word/tag tokens or words separated by spaces)")
    defaults = ",".join(f"{o.default:g}" for o in cat.THRESHOLDS)
    for option in cat.PARAMETERS:
        if option.name == cat.THRESHOLDS[0].name:
            parser.add_argument("--thresholds", type=_thresholds, default=(0.0, *(o.default for o in cat.THRESHOLDS)),
                                metavar="T2,T3,T4", help=f"ln-PMI thresholds for n = 2, 3, 4 (default {defaults}; "
                                + "; ".join(f"{o.name[-1]}: {o.range_text}" for o in cat.THRESHOLDS) + ")")
            allow_dash_values(parser, "--thresholds")  # T2 may be negative
        elif option.name in THRESHOLD_NAMES:
            continue
        else:
            add_option(parser, option)
    parser.add_argument("--base-corpus", metavar=f"PATH|{builtin}",
                        help="a base corpus whose counts (times --base-weight) join the text's: a short text "
                             "borrows its statistics; lexicon.tsv gets an in_base column (0: new in the text)")
    add_option(parser, cat.BASE_WEIGHT)
    add_option(parser, cat.MAX_LINES)
    add_option(parser, cat.WORKERS)
    parser.add_argument("--scheduler", type=_scheduler, metavar="local:N|tcp://HOST:PORT",
                        help=f"{cat.SCHEDULER.help} (default: {cat.SCHEDULER.none_label})")
    parser.add_argument("--jieba", action="store_true", help="also run jieba on the same lines (needs jieba)")
    parser.add_argument("--templates", action="store_true",
                        help="also find sentence templates and parse every line (templates.tsv, parses.txt)")
    for option in tcat.OPTIONS:
        add_option(parser, option)
    add_out(parser)
    notation = " ".join([cat.CLASS_NOTATION, *(f"{c.symbol}: {c.description}." for c in cat.CLASS_UNITS)])
    parser.epilog = "class units:\n" + textwrap.fill(notation, 100, initial_indent="  ", subsequent_indent="  ")



def run(args: argparse.Namespace) -> int:
    from engines.export.atomic import atomic_write_text
    from engines.export.staging import staged_outputs
    from engines.segment.counted import LineWriter
    from engines.segment.params import SegmentParams
    from tasks import segmentation
    from tasks.outputs import write_sidecar

    fields = {o.name: getattr(args, o.name) for o in cat.PARAMETERS if o.name not in THRESHOLD_NAMES}
    params = SegmentParams(thresholds=args.thresholds, **fields)
    request = segmentation.SegmentRequest(args.corpus, args.gold, params, args.max_lines, args.workers,
                                          device_of(args, "cpu"), args.scheduler, args.base_corpus,
                                          args.base_weight)
    out = output_folder(args.out)
    with staged_outputs(out) as stage:
        with open(stage / "segmented.txt", "w", encoding="utf-8") as handle:
            report = run_task(segmentation.run_job, request, write_line=LineWriter(handle), with_jieba=args.jieba)
        done = report.segmentation
        found = _templates(args, stage, report.metrics) if args.templates else None
        atomic_write_text(stage / "lexicon.tsv", "".join(line + "\n" for line in segmentation.lexicon_lines(done.rows)))
        atomic_write_text(stage / "metrics.json", json.dumps(report.metrics, indent=2, ensure_ascii=False) + "\n")
        write_sidecar(stage, {"panel": "segment", "corpus": args.corpus, "gold": args.gold, **params.as_dict(),
                              "max_lines": args.max_lines, "base_corpus": args.base_corpus,
                              "base_weight": args.base_weight,
                              **({o.name: getattr(args, o.name) for o in tcat.OPTIONS} if args.templates else {})})
    for warning in report.metrics["corpus"]["warnings"]:
        print(f"workbench: warning: {warning}", file=sys.stderr)
    f1 = report.metrics.get("f1")
    score_text = f", F1 {f1:.4f}" if f1 is not None else ""
    template_text = "" if found is None else (
        f"; {len(found.templates):,} templates, bits/char of the words {found.result.bits_words:.3f} -> "
        f"{found.result.bits_templates:.3f} with templates")
    written = "lexicon.tsv, segmented.txt, " + ("templates.tsv, parses.txt, " if found is not None else "")
    print(f"{done.counted.n_chars:,} characters, {len(done.rows):,} words in the lexicon{score_text}, "
          f"bits/char {report.metrics['bits_per_char_before']:.3f} -> {report.metrics['bits_per_char_after']:.3f}"
          f"{template_text}; wrote {written}metrics.json and sidecar.json to {out}")
    return 0


def _templates(args: argparse.Namespace, stage, metrics: dict):
    """--templates: find the templates of the staged segmented.txt, write templates.tsv and parses.txt
    into the stage, and add the templates' figures to ``metrics``."""
    from engines.export.atomic import atomic_write_text
    from engines.segment.templates import params_of
    from tasks.segment_templates import template_lines, templates_job

    params = params_of(vars(args))
    with open(stage / "parses.txt", "w", encoding="utf-8") as handle:
        found = run_task(templates_job, stage / "segmented.txt", params, write_parse=lambda s: handle.write(s + "\n"))
    atomic_write_text(stage / "templates.tsv", "".join(line + "\n" for line in template_lines(found.templates)))
    metrics["templates"] = found.metrics()
    metrics["timings"].update(found.timings)
    return found
