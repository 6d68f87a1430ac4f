"""Sample a diffusion model headless: one or more samplers from the same noise at the same NFE.

The model is an exact Gaussian mixture (--mixture NAME, no training: the closed-form denoiser) or a
checkpoint (--checkpoint: a Workbench .safetensors/.json/.pt, or a diffusers model folder).

examples:
  workbench run diffusion --mixture eight_gaussians --sampler ddim --sampler heun --sampler dpmpp_2m --nfe 10 --out out/
  workbench run diffusion --checkpoint model.safetensors --sampler "ddim:eta=0.5" --nfe 50 --samples 2000 --out out/

writes into DIR:
  samples.npy   (K, M, ...) the M samples of each of the K samplers, in --sampler order (points as they
                are; images (C, H, W) in [0, 1])
  frames.npz    per sampler NAME: x_NAME (calls, M, ...) x_t in VP scale x/√(a²+b²), x0_NAME the model's
                x̂0 at each call, sigma_NAME the σ of each call; "samplers" lists the names
  metrics.json  NFE spent, seconds, sliced Wasserstein / MMD (points) or the Fréchet distance in digit-
                classifier features (8×8 digits) against held-out data, per sampler: for a checkpoint, the
                rows its training split held out of the data its JSON records (--dataset: other data); a
                "note" says why there are none
  figure.png    the samplers side by side at their last call;  sidecar.json
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

from cli.plumbing import Append, add_option, add_out, device_of, output_folder, run_task
from engines.diffusion.catalogue import GRIDS, MIXTURES, SAMPLERS
from tasks.diffusion import DEFAULT_MIXTURE, DEFAULT_SAMPLERS, NFE, SAMPLES, SEED

VERB, NAME = "run", "diffusion"
HELP = "Diffusion sampling: samplers side by side from the same noise at equal NFE"
VIEW_SIZE = (420, 460)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    grids = "\n".join(f"  {grid:<10} {', '.join(s.name for s in SAMPLERS if s.grid == grid)}: {text}"
                      for grid, text in GRIDS.items())
    parser.epilog = ("SAMPLER, one per --sampler (repeat it to compare): NAME[:KEY=VALUE,...]\n"
                     + SAMPLERS.help_table() + "\n\nGRID (where a sampler's model calls go):\n" + grids
                     + "\n\nMIXTURE (--mixture NAME):\n" + MIXTURES.help_table())
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--checkpoint", type=Path, metavar="CKPT",
                        help="a Workbench checkpoint (.safetensors, its .json, a weights-only .pt) or a diffusers model folder")
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
    add_out(parser)


def run(args: argparse.Namespace) -> int:
    import numpy as np

    from engines.diffusion.catalogue import parse_sampler
    from engines.export.atomic import atomic_write, atomic_write_text
    from engines.export.staging import staged_outputs
    from engines.export.tables import write_npz
    from tasks.diffusion import (SampleRequest, frames_arrays, non_finite_runs, run_metrics, run_parameters,
                                 run_summary, sample_job, samples_array)
    from tasks.outputs import write_sidecar

    source = str(args.checkpoint) if args.checkpoint else f"mixture:{args.mixture or DEFAULT_MIXTURE}"
    request = SampleRequest(source, [parse_sampler(s) for s in (args.sampler or DEFAULT_SAMPLERS)], args.nfe,
                            args.samples, args.seed, device_of(args), args.dataset)
    outcome = run_task(sample_job, request)
    out = output_folder(args.out)
    with staged_outputs(out) as stage:
        with atomic_write(stage / "samples.npy", "wb") as handle:
            np.save(handle, samples_array(outcome))
        write_npz(stage / "frames.npz", frames_arrays(outcome.result))
        atomic_write_text(stage / "metrics.json", json.dumps(run_metrics(request, outcome), indent=2, default=str) + "\n")
        write_figure(outcome.result, stage / "figure.png")
        write_sidecar(stage, run_parameters(request, outcome))
    print(f"sampled {run_summary(outcome)}; wrote samples.npy, frames.npz, metrics.json, figure.png and sidecar.json "
          f"to {out}")
    if outcome.source.description.get("reference"):
        print(f"scored against {outcome.source.description['reference']}")
    if outcome.source.note:
        print(f"note: {outcome.source.note}")
    for sentence in non_finite_runs(outcome, "samples.npy"):
        print(f"{sentence}.")
    return 0


def write_figure(result, path: Path) -> None:
    """The samplers side by side at their last call, rendered offscreen."""
    from PySide6 import QtWidgets

    from cli.render import offscreen_app

    app = offscreen_app()
    from engines.export.atomic import atomic_write_bytes
    from workbench.export.figure import png_bytes
    from workbench.panels.diffusion.frame_view import FrameView

    holder = QtWidgets.QWidget()
    holder.setStyleSheet("background: black;")
    layout = QtWidgets.QHBoxLayout(holder)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(2)
    reference = result.reference if result.kind == "points" else None
    for k, run in enumerate(result.runs):
        view = FrameView(compact=False)
        view.set_reference(reference)
        view.set_run(run, result.kind, k, result.field_axis)
        view.show_call(len(run.frames) - 1)
        layout.addWidget(view)
    holder.resize(VIEW_SIZE[0] * len(result.runs), VIEW_SIZE[1])
    holder.show()
    app.processEvents()
    image = holder.grab().toImage()
    atomic_write_bytes(path, png_bytes(image))
    holder.close()
