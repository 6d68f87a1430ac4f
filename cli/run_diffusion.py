"""Sample a diffusion model headless: one or more samplers from the same noise at the same NFE.

The model is an exact Gaussian mixture (--mixture NAME, no training: the closed-form denoiser) or a
checkpoint (--checkpoint: a Workbench .safetensors/.json/.pt, or a diffusers model folder).

examples:
  workbench run diffusion --mixture eight_gaussians --sampler ddim --sampler heun --sampler dpmpp_2m --nfe 10 --out out/
  workbench run diffusion --checkpoint model.safetensors --sampler "ddim:eta=0.5" --nfe 50 --samples 2000 --out out/
  workbench run diffusion --mixture eight_gaussians_4_classes --class 1 --guidance 3 --out out/

writes into DIR:
  samples.npy   (K, M, ...) the M samples of each of the K samplers, in --sampler order (points as they
                are; images (C, H, W) in [0, 1])
  frames.npz    per sampler NAME: x_NAME (calls, M, ...) x_t in VP scale x/√(a²+b²), x0_NAME the model's
                x̂0 at each call, sigma_NAME the σ of each call; "samplers" lists the names
  metrics.json  NFE spent, seconds, sliced Wasserstein / MMD (points) or the Fréchet distance in digit-
                classifier features (8×8 digits) against held-out data, per sampler: for a checkpoint, the
                rows its training split held out of the data its JSON records (--dataset: other data); a
                "note" says why there are none; with --class, against
                the class's exact conditional samples, and "guidance" with each sampler's fraction per class
  figure.png    per sampler its samples (titled with NFE and the measures) and, below, x_t at its last
                model call (not the samples: DDPM/DDIM stop at σ ≈ 0.17 and return that call's x̂0);
  sidecar.json
with --exact-reference (exact mixtures only), also:
  error.csv     sampler, call, sigma, state_error, x0_error: RMS distance of each call's state (σ scale)
                and x̂0 to the exact probability-flow ODE path from the same noise
  order.csv     sampler, nfe, final_error: final error to the exact path against NFE 10-80 (deterministic
                samplers); the fitted orders go in metrics.json's "exact_reference"
  with --branch-at K --branch-sampler NAME, the branch is one more run in each (see BRANCH below)
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

from cli import diffusion_branch
from cli import diffusion_likelihood as likelihood
from cli.plumbing import Append, add_option, add_out, device_of, output_folder, run_task
from engines.diffusion.catalogue import GRIDS, MIXTURES, SAMPLERS
from engines.errors import InputError
from tasks.diffusion import DEFAULT_MIXTURE, DEFAULT_SAMPLERS, NFE, SAMPLES, SEED
from tasks.diffusion_guidance import CLASS, GUIDANCE

VERB, NAME = "run", "diffusion"
HELP = "Diffusion sampling: samplers side by side from the same noise at equal NFE"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    grids = "\n".join(f"  {grid:<10} {', '.join(s.name for s in SAMPLERS if s.grid == grid)}: {text}"
                      for grid, text in GRIDS.items())
    parser.epilog = ("SAMPLER, one per --sampler (repeat it to compare): NAME[:KEY=VALUE,...]\n"
                     + SAMPLERS.help_table() + "\n\nGRID (where a sampler's model calls go):\n" + grids
                     + "\n\nMIXTURE (--mixture NAME):\n" + MIXTURES.help_table() + "\n\n" + diffusion_branch.EPILOG)
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--checkpoint", type=Path, metavar="CKPT",
                        help="a Workbench checkpoint (.safetensors, its .json, a weights-only .pt), a diffusers model folder, "
                             "or an exported .pt2 with its manifest")
    source.add_argument("--mixture", metavar="NAME",
                        help=f"an exact Gaussian mixture: {' '.join(MIXTURES.names)} (default {DEFAULT_MIXTURE})")
    parser.add_argument("--dataset", metavar="NAME|PATH",
                        help="with --checkpoint: score against this data set's held-out rows instead of the recorded "
                             "training data's (a file moved since training, or other data)")
    parser.add_argument("--sampler", action=Append, metavar="SAMPLER",
                        help=f"a sampler (see below), repeatable (default: {' '.join(DEFAULT_SAMPLERS)})")
    add_option(parser, NFE, metavar="N")
    add_option(parser, SAMPLES, metavar="M")
    add_option(parser, SEED)
    parser.add_argument("--exact-reference", action="store_true",
                        help="with --mixture: each sampler's distance to the exact ODE path (error.csv) and its final "
                             "error against NFE with the fitted order (order.csv, metrics.json)")
    diffusion_branch.add_arguments(parser)
    add_option(parser, GUIDANCE, metavar="W")
    add_option(parser, CLASS, metavar="C")
    likelihood.add_arguments(parser)
    add_out(parser)


def run(args: argparse.Namespace) -> int:
    import numpy as np

    from engines.diffusion.catalogue import parse_sampler
    from engines.export.atomic import atomic_write, atomic_write_text
    from engines.export.staging import staged_outputs
    from engines.export.tables import write_csv, write_npz
    from tasks.diffusion import (SampleRequest, frames_arrays, non_finite_runs, run_metrics, run_parameters,
                                 run_summary, sample_job, samples_array)
    from tasks.diffusion_exact import error_table, exact_job, order_metrics, order_summary, order_table, why_not_exact
    from tasks.diffusion_branch import sample_and_branch_job
    from tasks.diffusion_guidance import guidance_metrics, guidance_summary, guided_sample_job
    from tasks.outputs import write_sidecar

    source = str(args.checkpoint) if args.checkpoint else f"mixture:{args.mixture or DEFAULT_MIXTURE}"
    if args.exact_reference and why_not_exact(source):
        raise InputError(why_not_exact(source))
    if args.likelihood:
        return likelihood.run(args, source)
    request = SampleRequest(source, [parse_sampler(s) for s in (args.sampler or DEFAULT_SAMPLERS)], args.nfe,
                            args.samples, args.seed, device_of(args), args.dataset)
    label, scale = getattr(args, "class"), args.guidance
    if scale is not None and label is None:
        raise InputError("--guidance needs --class (the class to guide towards)")
    branch = diffusion_branch.branch_request(args, request)
    if branch is not None:
        outcome = run_task(sample_and_branch_job, request, branch, label, scale)
    else:
        outcome = run_task(sample_job, request) if label is None else run_task(guided_sample_job, request, label, scale)
    exact = run_task(exact_job, outcome.source, request.samplers, request.nfe, request.samples,
                     request.seed) if args.exact_reference else None
    metrics = diffusion_branch.with_branches(run_metrics(request, outcome), outcome)
    metrics |= {"exact_reference": order_metrics(exact)} if exact else {}
    metrics |= {} if label is None else guidance_metrics(outcome)
    out = output_folder(args.out)
    with staged_outputs(out) as stage:
        with atomic_write(stage / "samples.npy", "wb") as handle:
            np.save(handle, samples_array(outcome))
        write_npz(stage / "frames.npz", frames_arrays(outcome.result))
        atomic_write_text(stage / "metrics.json", json.dumps(metrics, indent=2, default=str) + "\n")
        if exact:
            write_csv(stage / "error.csv", error_table(exact))
            write_csv(stage / "order.csv", order_table(exact))
        write_figure(outcome.result, stage / "figure.png")
        write_sidecar(stage, {**run_parameters(request, outcome), **diffusion_branch.parameters(branch)})
    extra = "error.csv, order.csv, " if exact else ""
    print(f"sampled {run_summary(outcome)}; wrote samples.npy, frames.npz, metrics.json, {extra}figure.png and "
          f"sidecar.json to {out}")
    if exact:
        print(f"{order_summary(exact)}.")
    if label is not None:
        print(guidance_summary(metrics))
    if outcome.source.description.get("reference"):
        print(f"scored against {outcome.source.description['reference']}")
    if outcome.source.note:
        print(f"note: {outcome.source.note}")
    for sentence in non_finite_runs(outcome, "samples.npy"):
        print(f"{sentence}.")
    return 0


def write_figure(result, path: Path) -> None:
    """The samplers' samples on top, each one's x_t at its last call below, rendered offscreen."""
    from cli.render import FIGURE_SCALE, FIGURE_SIZE, offscreen_app, settle

    offscreen_app()
    from tasks.diffusion_figure import figure_rows
    from workbench.export.figure import export_png
    from workbench.panels.diffusion.samples_figure import SamplesFigure

    view = SamplesFigure()
    view.resize(*FIGURE_SIZE)
    view.set_rows(figure_rows(result), result.reference if result.kind == "points" else None)
    settle(view)
    export_png(view, path, scale=FIGURE_SCALE)
    view.close()
