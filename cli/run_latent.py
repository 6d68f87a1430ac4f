"""Walk between two items in a model's latent space and write DIR/strip.png (the decoded path),
DIR/path.npz (t, latents, decoded images), DIR/metrics.json (norms along the path, path lengths) and
DIR/sidecar.json.

examples:
  workbench run latent --from 0 --to 1 --steps 10 --mode slerp --out runs/walk
  workbench run latent --checkpoint my_vae.safetensors --from 5 --to 40 --mode lerp --out runs/lerp
  workbench run latent --prior-seed 3 --steps 12 --out runs/prior    (two random prior samples)
  workbench run latent --checkpoint runs/text_vae --interpolate "质量很不错" "物流太慢了" --out runs/text_walk

--from and --to are rows of the data set as you know it: sklearn's load_digits() order for the digits,
the rows of a .npy/.npz file or the images of a folder in name order (the data set the model was trained
on when --dataset is not given); without --checkpoint the bundled digits VAE is used.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from cli import latent_extras
from cli.plumbing import add_option, add_out, output_folder, run_task
from cli.run_text_vae import add_text_arguments, is_text_run, run_text

VERB, NAME = "run", "latent"
HELP = "Latent space: walk between two items of a model's latent space"
STRIP_SCALE = 8


def _size(text: str) -> tuple[int, int]:
    try:
        h, w = (int(v) for v in text.lower().split("x"))
        if h < 2 or w < 2 or h > 128 or w > 128:
            raise ValueError
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected HxW between 2 and 128 such as 28x28, got {text!r}") from None
    return h, w


def dataset_arguments(parser: argparse.ArgumentParser, default: str | None) -> None:
    """--dataset (a built-in name or a file), --labels, --size and --channels."""
    from engines.latent.catalogue import DATASETS

    toys = " ".join(d.name for d in DATASETS if d.points)
    parser.add_argument("--dataset", default=default, metavar="NAME|PATH",
                        help=f"digits, a 2D toy set ({toys}), or a file: points (a .csv/.tsv/.txt table or a 2-D "
                             ".npy/.npz array, N rows of D numbers), images (a .npy/.npz array or a folder of PNG/JPEG)"
                             + (f" (default {default})" if default else " (default: the model's own data set)"))
    parser.add_argument("--labels", metavar="COLUMN|FILE",
                        help="labels for a loaded data set: a column of its CSV (name or number from 1; 'none': every "
                             "column is a feature) or a file (.npy or one per line)")
    parser.add_argument("--size", type=_size, metavar="HxW", help="resize loaded images to HxW")
    parser.add_argument("--channels", type=int, choices=(1, 3), help="convert loaded images to 1 or 3 channels")


def data_spec(args: argparse.Namespace):
    """The data set that --dataset, --labels, --size and --channels name."""
    from engines.errors import InputError
    from engines.latent.catalogue import DATASETS
    from engines.latent.data import DataSpec

    name = args.dataset
    labels = str(args.labels) if args.labels else None
    if name in DATASETS:
        if labels:
            raise InputError("--labels goes with a loaded data set, not a built-in one")
        return DataSpec(name)
    return DataSpec(Path(name).name, path=str(Path(name)), labels=labels, size=args.size, channels=args.channels)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from tasks.latent import MODE, PAIRS, PRIOR_SEED, STEPS

    parser.add_argument("--checkpoint", type=Path, metavar="CKPT",
                        help="a .safetensors (with its .json) or .pt/.pth checkpoint, or an exported .pt2 with its manifest "
                             "(default: the bundled digits VAE)")
    dataset_arguments(parser, None)
    parser.add_argument("--from", dest="start", type=int, default=None, metavar="I", help="row of the first item (default: a test item)")
    parser.add_argument("--to", dest="end", type=int, default=None, metavar="J", help="row of the last item (default: a test item of another label)")
    add_option(parser, PRIOR_SEED, metavar="S")
    for option in (STEPS, MODE, PAIRS):
        add_option(parser, option)
    add_text_arguments(parser)
    latent_extras.add_arguments(parser)
    add_out(parser)


def run(args: argparse.Namespace) -> int:
    import json

    from engines.export.atomic import atomic_write_text
    from engines.export.staging import staged_outputs
    from engines.export.tables import write_npz
    from tasks.latent import WalkRequest, walk_job

    if is_text_run(args):
        return run_text(args)
    if getattr(args, "device", None) not in (None, "auto", "cpu"):
        print(f"workbench: note: run latent computes on the CPU (its models are small); --device {args.device} "
              "is not used", file=sys.stderr)
    from tasks.outputs import write_sidecar

    data = data_spec(args) if args.dataset else None
    request = WalkRequest(args.checkpoint, data, args.start, args.end, args.prior_seed, args.steps, args.mode,
                          args.pairs)
    walk = run_task(walk_job, request)
    extras = latent_extras.compute(args, data)
    ckpt, mode, ends = walk.checkpoint, args.mode, walk.items
    out = output_folder(args.out)
    parameters = {"panel": "latent", "checkpoint": str(ckpt.path), "checkpoint_sha256": ckpt.sha256,
                  "model": ckpt.config.as_dict(), "from": ends[0] if ends else None, "to": ends[1] if ends else None,
                  "prior_seed": args.prior_seed, "steps": args.steps, "mode": mode, "pairs": args.pairs,
                  "dataset": walk.dataset, "seed": args.prior_seed if args.prior_seed is not None else 0,
                  **latent_extras.parameters(args)}
    with staged_outputs(out) as stage:
        if ckpt.config.is_image:
            write_strip(stage / "strip.png", walk.decoded)
        else:
            write_points_figure(stage / "strip.png", walk.decoded)
        write_npz(stage / "path.npz", {"t": walk.interpolation.t, "latents": walk.codes, "decoded": walk.decoded,
                                       "norms": walk.interpolation.norms[mode]})
        atomic_write_text(stage / "metrics.json", json.dumps(walk.metrics(), indent=2) + "\n")
        extra_names = latent_extras.write(stage, extras)
        write_sidecar(stage, parameters)
    for line in latent_extras.summary(extras):
        print(line)
    if walk.note:
        print(f"note: {walk.note}")
    if not ckpt.config.is_image and ckpt.config.dims > 2:
        print(f"note: strip.png draws the first 2 of the {ckpt.config.dims} coordinates of each point along the path "
              "(path.npz holds them all)")
    ppl = walk.perceptual.raw
    print(f"wrote strip.png, path.npz, metrics.json, {''.join(n + ', ' for n in extra_names)}sidecar.json to {out} "
          f"(path length {mode}: {walk.numbers.path_length:.4g}; PPL lerp {ppl['lerp'].mean:.4g}, "
          f"slerp {ppl['slerp'].mean:.4g})")
    return 0


def strip_image(decoded, scale: int = STRIP_SCALE, pad: int = 1):
    """Decoded images side by side, enlarged by ``scale`` (nearest), as HxWx3 uint8."""
    import numpy as np

    from engines.images import tile

    grid = tile(np.asarray(decoded), columns=len(decoded), pad=pad, fill=1.0)
    grid = np.repeat(np.repeat(grid, scale, axis=0), scale, axis=1)
    if grid.shape[-1] == 1:
        grid = np.repeat(grid, 3, axis=-1)
    return (np.clip(grid, 0, 1) * 255).round().astype(np.uint8)


def write_strip(path: Path, decoded) -> None:
    import imageio.v3 as iio

    from engines.export.atomic import atomic_path

    with atomic_path(path) as temp:
        iio.imwrite(temp, strip_image(decoded), extension=".png")


def write_points_figure(path: Path, decoded) -> None:
    """Models of points: the path's decoded points (their first two coordinates) drawn on a small canvas,
    blue at the first item to red at the last."""
    import imageio.v3 as iio
    import numpy as np

    from engines.export.atomic import atomic_path

    size = 400
    canvas = np.full((size, size, 3), 255, np.uint8)
    pts = np.asarray(decoded, float)[:, :2]
    lo, hi = pts.min(0) - 0.5, pts.max(0) + 0.5
    xy = ((pts - lo) / np.maximum(hi - lo, 1e-9) * (size - 1)).round().astype(int)
    for k, (x, y) in enumerate(xy):
        c = int(255 * k / max(1, len(xy) - 1))
        canvas[max(0, size - 1 - y - 3):size - y + 3, max(0, x - 3):x + 4] = (c, 60, 255 - c)
    with atomic_path(path) as temp:
        iio.imwrite(temp, canvas, extension=".png")
