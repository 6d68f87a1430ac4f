"""``workbench train latent --model text-vae``: the text VAE's own options and its run (wired into
cli/train_latent.py)."""
from __future__ import annotations

import argparse
from pathlib import Path

from cli.plumbing import add_option, device_of, run_task

EXAMPLE = "workbench train latent --model text-vae --text poems.txt --length 7 --epochs 30 --out runs/poems"


def text_options():
    """The text VAE's options that the image models do not take (those get their own flags here)."""
    from engines.latent.catalogue import SETTINGS
    from engines.latent.text_catalogue import TEXT_VAE

    shared = {o.name for o in SETTINGS}
    return tuple(o for o in TEXT_VAE.options if o.name not in shared)


def add_text_arguments(parser: argparse.ArgumentParser) -> None:
    from engines.latent.text_catalogue import BUILTIN_TEXT

    group = parser.add_argument_group("text-vae", f"a VAE of fixed-length lines of Chinese text, e.g. {EXAMPLE}")
    group.add_argument("--text", metavar="PATH|reviews",
                       help="text-vae only: a Chinese text file or folder (its runs of exactly --length Han characters "
                            f"between punctuation, as in a poetry collection), or {BUILTIN_TEXT} (the built-in product "
                            "reviews cut into windows of --length characters)")
    for option in text_options():
        limits = "" if option.kind == "choice" else f"; {option.range_text}"
        add_option(group, option, default=None, help=f"text-vae only: {option.help} (default {option.default}{limits})")


def given_text_settings(args: argparse.Namespace) -> dict:
    """The text-only flags given on the command line."""
    return {o.name: getattr(args, o.name) for o in text_options() if getattr(args, o.name) is not None}


def run_text(args: argparse.Namespace, given: dict) -> int:
    """Train a text VAE with ``given`` settings (every flag given; the catalogue refuses what it does not take)."""
    from engines.errors import InputError
    from engines.latent.text_catalogue import BUILTIN_TEXT
    from tasks.latent_text import TextTrainRequest, save_text_job, train_text_job

    if not args.text:
        raise InputError(f"--model text-vae reads lines of text: give --text PATH or --text {BUILTIN_TEXT}")
    request = TextTrainRequest(args.text, {**given, **given_text_settings(args)})
    result = run_task(train_text_job, request, device=device_of(args, "cpu"))
    body = run_task(save_text_job, args.out, result)
    m = result.metrics
    print(f"trained a text VAE ({result.config.length}-character lines, vocabulary {result.vocab.size - 1} "
          f"characters) on {m['lines']:,} lines of {result.text} in {m['train_seconds']:.1f} s ({m['epochs']} epochs): "
          f"held-out -ELBO {m['test_total']:.2f} nats per line (reconstruction {m['test_recon']:.2f}, KL "
          f"{m['test_kl']:.2f}); {m['test_char_accuracy']:.1%} of characters reconstructed. "
          f"Wrote {body['weights']} and its .json to {Path(args.out).parent}")
    if result.note:
        print(f"note: {result.note}")
    return 0
