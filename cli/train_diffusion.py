"""Train a diffusion model headless and save it as safetensors + JSON config.

examples:
  workbench train diffusion --dataset moons --objective ddpm --steps 3000 --out moons.safetensors
  workbench train diffusion --dataset digits --objective edm --steps 4000 --out digits.safetensors
"""
from __future__ import annotations

import argparse
from pathlib import Path

from cli.plumbing import run_task
from workbench.panels.diffusion.work import TRAIN_SETS

VERB, NAME = "train", "diffusion"
HELP = "Diffusion sampling: train a DDPM, EDM or flow-matching model and save it"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--dataset", required=True, metavar="NAME|PATH",
                        help=f"built-in: {' '.join(TRAIN_SETS)}; or a .npy/.npz/.csv of 2D points, or images "
                             "(.npy/.npz/folder of PNG/JPEG, at most 64×64)")
    parser.add_argument("--objective", choices=("ddpm", "edm", "flow"), default="ddpm",
                        help="DDPM (noise prediction on a ᾱ schedule), EDM (preconditioned denoiser) or flow matching (default ddpm)")
    parser.add_argument("--steps", type=int, default=3000, metavar="N", help="optimizer steps (default 3000)")
    parser.add_argument("--prediction", choices=("eps", "x0", "v"), default="eps", help="DDPM's parameterisation (default eps)")
    parser.add_argument("--schedule", choices=("linear", "cosine"), default="linear", help="DDPM's ᾱ schedule (default linear)")
    parser.add_argument("--batch", type=int, default=None, metavar="B", help="batch size (default 512 for points, 256 for images)")
    parser.add_argument("--lr", type=float, default=2e-3, help="Adam learning rate, cosine-decayed (default 0.002)")
    parser.add_argument("--seed", type=int, default=0, help="seed (default 0)")
    parser.add_argument("--out", type=Path, required=True, metavar="CKPT",
                        help="the checkpoint to write: CKPT.safetensors and CKPT.json beside it")


def run(args: argparse.Namespace) -> int:
    from engines.diffusion.checkpoint import save
    from engines.diffusion.data import load_data
    from engines.diffusion.training import train_job
    from tasks import __version__

    device = getattr(args, "device", None) or "auto"
    data = load_data(args.dataset, args.seed)
    batch = args.batch or (256 if data.kind == "images" else 512)
    result = run_task(train_job, data, args.objective, args.steps, prediction=args.prediction, schedule=args.schedule,
                      batch=batch, lr=args.lr, seed=args.seed, device=device, preview_every=max(args.steps, 1))
    b = result.body
    body = save(args.out, result.net.cpu(), b["objective"], prediction=b["prediction"], schedule=b["schedule"],
                shape=b["shape"], sigma_data=b["sigma_data"], extra={"dataset": result.data_name, **result.extra},
                version=__version__)
    weights = Path(args.out)
    weights = weights if weights.suffix == ".safetensors" else weights.with_suffix(".safetensors")
    print(f"trained {args.objective} on {data.name} for {args.steps} steps in {result.seconds:.1f} s "
          f"(final loss {result.extra['train']['final_loss']:.4f}); wrote {weights} and {weights.with_suffix('.json')} "
          f"(sha256 {body['sha256'][:12]})")
    return 0
