"""``workbench train diffusion --objective flow --reflow R``: flow matching, then R reflow rounds (Liu et al.
2022), wired into :mod:`cli.train_diffusion`. Writes CKPT (flow matching) and CKPT-reflow1 … CKPT-reflowR
(each .safetensors + .json, the JSON holding its straightness), and straightness.csv beside them (round,
straightness, ci95_half_width, one_step_sliced_wasserstein, two_step_sliced_wasserstein)."""
from __future__ import annotations

import argparse

from cli.plumbing import add_option, device_of, run_task
from engines.diffusion.catalogue_likelihood import REFLOW_OPTIONS
from engines.errors import InputError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("reflow (--objective flow --reflow R)")
    for option in REFLOW_OPTIONS:
        add_option(group, option, metavar="N")


def run(args: argparse.Namespace) -> int:
    from tasks.diffusion_reflow import STRAIGHTNESS_FILE, ReflowRequest, reflow_job, round_path, save_rounds_job, summary

    if args.objective != "flow":
        raise InputError(f"--reflow retrains a flow-matching model: use --objective flow (got {args.objective})")
    request = ReflowRequest(args.dataset, args.steps, args.reflow, args.pairs, args.pair_steps, args.batch_size, args.lr,
                            args.seed, device_of(args))
    result = run_task(reflow_job, request)
    bodies = run_task(save_rounds_job, result, args.out)
    names = ", ".join(round_path(args.out, r.round).name for r in result.rounds)
    print(f"trained flow matching and {args.reflow} reflow round{'s' if args.reflow != 1 else ''} on {result.data_name} "
          f"({args.steps} steps each): {summary(result)}; wrote {names} (+ .json, {len(bodies)} checkpoints) and "
          f"{STRAIGHTNESS_FILE} to {args.out.parent}")
    return 0
