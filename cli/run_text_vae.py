"""``workbench run latent --checkpoint CKPT --interpolate "LINE A" "LINE B"`` for a text VAE: writes
DIR/interpolation.txt (each step's argmax line), DIR/samples.txt (lines from the prior), DIR/path.npz (t and
the latent codes) and DIR/sidecar.json (wired into cli/run_latent.py)."""
from __future__ import annotations

import argparse

from cli.plumbing import output_folder, run_task


def add_text_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--interpolate", nargs=2, metavar=("LINE_A", "LINE_B"),
                        help="text VAE checkpoints: walk between these two lines (each of the model's length) and "
                             "write each step's most probable line")


def is_text_run(args: argparse.Namespace) -> bool:
    from engines.latent.text_checkpoint import is_text_vae

    return bool(args.interpolate) or (args.checkpoint is not None and is_text_vae(args.checkpoint))


def run_text(args: argparse.Namespace) -> int:
    from engines.errors import InputError
    from engines.export.atomic import atomic_write_text
    from engines.export.staging import staged_outputs
    from engines.export.tables import write_npz
    from tasks.latent_text import TextWalkRequest, text_walk_job
    from tasks.outputs import write_sidecar

    if args.checkpoint is None or not args.interpolate:
        raise InputError("a text VAE walks between two lines: give --checkpoint CKPT --interpolate \"LINE A\" \"LINE B\"")
    if args.start is not None or args.end is not None or args.dataset:
        raise InputError("--from, --to and --dataset pick items of an image or point data set; a text VAE takes "
                         "--interpolate \"LINE A\" \"LINE B\"")
    seed = args.prior_seed or 0
    request = TextWalkRequest(args.checkpoint, *args.interpolate, steps=args.steps, mode=args.mode, seed=seed)
    result = run_task(text_walk_job, request)
    walk, ckpt = result.walk, result.checkpoint
    out = output_folder(args.out)
    parameters = {"panel": "latent", "checkpoint": str(ckpt.path), "checkpoint_sha256": ckpt.sha256,
                  "model": result.config.as_dict(), "interpolate": list(walk.ends), "steps": args.steps,
                  "mode": walk.mode, "seed": seed}
    with staged_outputs(out) as stage:
        atomic_write_text(stage / "interpolation.txt",
                          "".join(f"{t:.3f}\t{line}\n" for t, line in zip(walk.t, walk.lines)))
        atomic_write_text(stage / "samples.txt", "".join(f"{line}\n" for line in result.samples))
        write_npz(stage / "path.npz", {"t": walk.t, "latents": walk.codes})
        write_sidecar(stage, parameters)
    print(f"{walk.mode} from {walk.ends[0]} to {walk.ends[1]}: {' → '.join(walk.lines)}")
    print(f"prior samples: {' '.join(result.samples)}")
    print(f"wrote interpolation.txt, samples.txt, path.npz and sidecar.json to {out}")
    return 0
