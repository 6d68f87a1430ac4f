"""Sample a diffusion model headless: one or more samplers from the same noise at the same NFE.

The model is an exact Gaussian mixture (--mixture NAME, no training: the closed-form denoiser) or a
checkpoint (--checkpoint: a Workbench .safetensors/.json/.pt, or a diffusers model folder).

SAMPLER, one per --sampler (repeat it to compare):  NAME[:KEY=VALUE,...]
  ddpm             DDPM ancestral                  spacing=trailing|leading|linspace
  ddim             DDIM                            eta=0..1, spacing=...
  euler, heun      Euler / Heun on the EDM σ grid  sigma_min, sigma_max, rho   (Heun: 2N−1 calls)
  dpmpp_2m         DPM-Solver++(2M)                sigma_min, sigma_max, rho
  euler_maruyama   reverse SDE, Euler–Maruyama     sigma_min, sigma_max, rho
  pf_ode           probability-flow ODE, RK45      rtol (adaptive: NFE is the solver's)
  langevin         annealed Langevin dynamics      steps_per_level, step, sigma_min, sigma_max
  flow_euler       flow-matching Euler

examples:
  workbench run diffusion --mixture eight_gaussians --sampler ddim --sampler heun --sampler dpmpp_2m --nfe 10 --out out/
  workbench run diffusion --checkpoint model.safetensors --sampler "ddim:eta=0.5" --nfe 50 --samples 2000 --out out/

writes into DIR:
  samples.npy   (K, M, ...) the M samples of each of the K samplers, in --sampler order (points as they
                are; images (C, H, W) in [0, 1])
  frames.npz    per sampler NAME: x_NAME (calls, M, ...) x_t in VP scale x/√(a²+b²), x0_NAME the model's
                x̂0 at each call, sigma_NAME the σ of each call; "samplers" lists the names
  metrics.json  NFE spent, seconds, sliced Wasserstein / MMD (points) or the Fréchet distance in digit-
                classifier features (8×8 digits) against held-out data, per sampler
  figure.png    the samplers side by side at their last call;  sidecar.json
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

from cli.plumbing import add_out, output_folder, run_task
from workbench.panels.diffusion.work import DEFAULT_SAMPLERS, MIXTURES

VERB, NAME = "run", "diffusion"
HELP = "Diffusion sampling: samplers side by side from the same noise at equal NFE"
VIEW_SIZE = (420, 460)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--checkpoint", type=Path, metavar="CKPT",
                        help="a Workbench checkpoint (.safetensors, its .json, a weights-only .pt) or a diffusers model folder")
    source.add_argument("--mixture", metavar="NAME",
                        help=f"an exact Gaussian mixture: {' '.join(MIXTURES)} (default moons)")
    parser.add_argument("--sampler", action="append", metavar="SAMPLER",
                        help=f"a sampler (see above), repeatable (default: {' '.join(DEFAULT_SAMPLERS)})")
    parser.add_argument("--nfe", type=int, default=20, metavar="N", help="model calls per sampler (default 20)")
    parser.add_argument("--samples", type=int, default=1000, metavar="M", help="samples per sampler (default 1000)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the shared initial noise and of the samplers' noise (default 0)")
    add_out(parser)


def run(args: argparse.Namespace) -> int:
    import numpy as np

    from engines.device import pick_device
    from engines.diffusion.data import to_unit
    from engines.diffusion.run import compare_job
    from engines.diffusion.samplers import parse_sampler
    from engines.diffusion.sources import checkpoint_source, mixture_source
    from engines.errors import InputError
    from engines.export.atomic import atomic_write, atomic_write_text
    from engines.export.tables import write_npz
    from tasks.outputs import write_sidecar

    if args.nfe < 1:
        raise InputError(f"--nfe must be at least 1, got {args.nfe}")
    if args.samples < 2:
        raise InputError(f"--samples must be at least 2, got {args.samples}")
    device = pick_device(getattr(args, "device", None) or "auto")
    samplers = [parse_sampler(s) for s in (args.sampler or DEFAULT_SAMPLERS)]
    names = [n for n, _ in samplers]
    if len(set(names)) != len(names):
        raise InputError("each sampler may be given once (compare settings of one sampler in separate runs)")
    source = checkpoint_source(args.checkpoint, device) if args.checkpoint else mixture_source(args.mixture or "moons", device)
    out = output_folder(args.out)
    result = run_task(compare_job, source, samplers, args.nfe, args.samples, args.seed)
    images = source.kind == "images"
    stack = np.stack([r.samples for r in result.runs])
    with atomic_write(out / "samples.npy", "wb") as handle:
        np.save(handle, to_unit(stack) if images else stack)
    arrays = {"samplers": np.array(names)}
    for r in result.runs:
        arrays[f"x_{r.name}"], arrays[f"x0_{r.name}"], arrays[f"sigma_{r.name}"] = r.frames.x, r.frames.x0, r.frames.sigma
    write_npz(out / "frames.npz", arrays)
    desc = {k: v for k, v in source.description.items() if k != "label"}
    metrics = {"source": desc, "nfe_requested": args.nfe, "samples": args.samples, "seed": args.seed,
               "samplers": [{"name": r.name, "label": r.label, "settings": r.settings, "nfe": r.nfe,
                             "seconds": round(r.seconds, 4), **r.metrics} for r in result.runs]}
    atomic_write_text(out / "metrics.json", json.dumps(metrics, indent=2, default=str) + "\n")
    write_figure(result, source, out / "figure.png")
    write_sidecar(out, {"panel": "diffusion", **desc, "samplers": [[n, s] for n, s in samplers], "nfe": args.nfe,
                        "samples": args.samples, "seed": args.seed, "device": str(device)})
    summary = ", ".join(f"{r.name} ({r.nfe} calls" + "".join(f", {k} {v:.4g}" for k, v in r.metrics.items()) + ")"
                        for r in result.runs)
    print(f"sampled {summary}; wrote samples.npy, frames.npz, metrics.json, figure.png and sidecar.json to {out}")
    return 0


def write_figure(result, source, path: Path) -> None:
    """The samplers side by side at their last call, rendered offscreen."""
    from PySide6 import QtWidgets

    from cli.render import offscreen_app

    app = offscreen_app()
    from engines.export.atomic import atomic_write_bytes
    from workbench.export.figure import png_bytes
    from workbench.panels.diffusion.views import FrameView

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
