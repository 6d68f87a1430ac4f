"""Train a diffusion model headless and save it as safetensors + JSON config.

examples:
  workbench train diffusion --dataset moons --objective ddpm --steps 3000 --out moons.safetensors
  workbench train diffusion --dataset digits --objective edm --steps 4000 --out digits.safetensors
  workbench train diffusion --dataset digits --class-dropout 0.1 --out digits_cfg   (for --guidance W --class C)
  workbench train diffusion --dataset moons --objective flow --reflow 2 --steps 1500 --out flow.safetensors
"""
from __future__ import annotations

import argparse
from pathlib import Path

from cli import diffusion_reflow as reflow
from cli.plumbing import add_option, add_out, device_of, run_task
from engines.diffusion.catalogue import OBJECTIVES, PREDICTION, SCHEDULE, TRAINING_SETS
from tasks.diffusion import BATCH_SIZE, CLASS_DROPOUT, LR, SEED, STEPS, TrainRequest

VERB, NAME = "train", "diffusion"
HELP = "Diffusion sampling: train a DDPM, EDM or flow-matching model and save it"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.epilog = ("OBJECTIVE (--objective NAME):\n" + OBJECTIVES.help_table(width=6)
                     + "\n\nDATASET (--dataset NAME):\n" + TRAINING_SETS.help_table())
    parser.add_argument("--dataset", required=True, metavar="NAME|PATH",
                        help=f"built-in: {' '.join(TRAINING_SETS.names)}; or a .npy/.npz/.csv of 2D points, or images "
                             "(.npy/.npz/folder of PNG/JPEG, at most 64×64)")
    parser.add_argument("--labels", metavar="COLUMN",
                        help="a table's label column (name or number from 1), left out of its points; 'none': every "
                             "column is a coordinate")
    default = TrainRequest.objective
    parser.add_argument("--objective", choices=OBJECTIVES.names, default=default,
                        help=f"{', '.join(o.label for o in OBJECTIVES)} (default {default}; see below)")
    add_option(parser, STEPS, metavar="N")
    add_option(parser, PREDICTION)
    add_option(parser, SCHEDULE)
    add_option(parser, BATCH_SIZE, metavar="B")
    add_option(parser, LR)
    add_option(parser, SEED)
    add_option(parser, CLASS_DROPOUT, metavar="P")
    reflow.add_arguments(parser)
    add_out(parser, "CKPT", help="the checkpoint to write: CKPT.safetensors and CKPT.json beside it")


def run(args: argparse.Namespace) -> int:
    from tasks.diffusion import save_job, train_job

    if args.reflow:
        return reflow.run(args)
    request = TrainRequest(args.dataset, args.objective, args.steps, args.prediction, args.schedule, args.batch_size, args.lr,
                           args.seed, device_of(args), class_dropout=args.class_dropout,
                           labels=args.labels)
    outcome = run_task(train_job, request)
    result = outcome.result
    body = run_task(save_job, result, args.out)
    weights = Path(args.out).parent / body["weights"]
    print(f"trained {args.objective} on {result.data_name} for {args.steps} steps in {result.seconds:.1f} s "
          f"(final loss {result.extra['train']['final_loss']:.4f}); wrote {weights} and {weights.with_suffix('.json')} "
          f"(sha256 {body['sha256'][:12]})")
    return 0
