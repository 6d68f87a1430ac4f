"""Walk between two items in a model's latent space and write DIR/strip.png (the decoded path),
DIR/path.npz (t, latents, decoded images), DIR/metrics.json (norms along the path, path lengths) and
DIR/sidecar.json.

examples:
  workbench run latent --from 0 --to 1 --steps 10 --mode slerp --out runs/walk
  workbench run latent --checkpoint my_vae.safetensors --from 5 --to 40 --mode lerp --out runs/lerp
  workbench run latent --prior-seed 3 --steps 12 --out runs/prior    (two random prior samples)

--from and --to index the data set the model was trained on (train items first, then test items);
without --checkpoint the bundled digits VAE is used.
"""
from __future__ import annotations

import argparse
from pathlib import Path

from cli.plumbing import add_out, output_folder

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


def _dataset_arguments(parser: argparse.ArgumentParser, default: str | None) -> None:
    parser.add_argument("--dataset", default=default, metavar="NAME|PATH",
                        help="digits, a 2D toy set (moons circles swiss_roll gaussian_mixture eight_gaussians "
                             "checkerboard rings), or a .npy/.npz image array or a folder of PNG/JPEG images"
                             + (f" (default {default})" if default else " (default: the model's own data set)"))
    parser.add_argument("--labels", type=Path, metavar="FILE", help="labels for a loaded data set (.npy or one per line)")
    parser.add_argument("--size", type=_size, metavar="HxW", help="resize loaded images to HxW")
    parser.add_argument("--channels", type=int, choices=(1, 3), help="convert loaded images to 1 or 3 channels")


def _data_spec(args: argparse.Namespace):
    from engines.data.toy2d import TOY_SETS
    from engines.latent.data import DataSpec

    name = args.dataset
    labels = str(args.labels) if args.labels else None
    if name in ("digits", *TOY_SETS):
        if labels:
            from engines.errors import InputError

            raise InputError("--labels goes with a loaded data set, not a built-in one")
        return DataSpec(name)
    return DataSpec(Path(name).name, path=str(Path(name)), labels=labels, size=args.size, channels=args.channels)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--checkpoint", type=Path, metavar="CKPT",
                        help="a .safetensors (with its .json) or .pt/.pth checkpoint (default: the bundled digits VAE)")
    _dataset_arguments(parser, None)
    parser.add_argument("--from", dest="start", type=int, default=None, metavar="I", help="index of the first item")
    parser.add_argument("--to", dest="end", type=int, default=None, metavar="J", help="index of the last item")
    parser.add_argument("--prior-seed", type=int, default=None, metavar="S",
                        help="walk between two random prior samples drawn with seed S instead of two items")
    parser.add_argument("--steps", type=int, default=10, metavar="N", help="images along the path, ends included (default 10)")
    parser.add_argument("--mode", choices=("lerp", "slerp"), default="slerp", help="linear or spherical path (default slerp)")
    parser.add_argument("--pairs", type=int, default=500, metavar="N",
                        help="random prior pairs for the perceptual path length in metrics.json (default 500)")
    add_out(parser)


def run(args: argparse.Namespace) -> int:
    import json

    import numpy as np

    from engines.errors import InputError
    from engines.export.atomic import atomic_write_text
    from engines.export.tables import write_npz
    from engines.latent.analysis import default_pair, encode, interpolate, interpolate_items, prior_pair, data_for, check_fits
    from engines.latent.checkpoint import load_checkpoint
    from engines.latent.data import load_data
    from engines.latent.pathlength import path_length
    from engines.latent.statistics import expected_norm
    from tasks.bundled import bundled
    from tasks.outputs import write_sidecar

    if not 2 <= args.steps <= 1000:
        raise InputError(f"--steps must be between 2 and 1000, got {args.steps}")
    if not 10 <= args.pairs <= 100_000:
        raise InputError(f"--pairs must be between 10 and 100000, got {args.pairs}")
    ckpt = load_checkpoint(args.checkpoint or bundled("latent")[0].path)
    model = ckpt.model
    if args.prior_seed is not None:
        if args.start is not None or args.end is not None:
            raise InputError("--prior-seed replaces --from/--to; give one or the other")
        z0, z1 = prior_pair(model.latent_size, args.prior_seed)
        interp = interpolate(model, z0, z1, args.steps, (f"prior sample (seed {args.prior_seed})", "prior sample"))
        ends = None
    else:
        spec = _data_spec(args) if args.dataset else data_for(ckpt)
        data = load_data(spec)
        check_fits(ckpt, data)
        encoded = encode(model, data)
        i, j = default_pair(encoded)
        i = i if args.start is None else args.start
        j = j if args.end is None else args.end
        interp = interpolate_items(model, encoded, i, j, args.steps)
        ends = (i, j)
    out = output_folder(args.out)
    mode = args.mode
    codes, decoded = interp.codes[mode], interp.decoded[mode]
    if ckpt.config.is_image:
        write_strip(out / "strip.png", decoded)
    else:
        write_points_figure(out / "strip.png", decoded)
    write_npz(out / "path.npz", {"t": interp.t, "latents": codes, "decoded": decoded,
                                 "norms": interp.norms[mode]})
    along = path_length(model, mode=mode, z0=np.repeat(codes[:1], 200, 0), z1=np.repeat(codes[-1:], 200, 0),
                        t=np.linspace(0, 1 - 1e-4, 200))
    ppl = {m: path_length(model, args.pairs, m, "pixel", seed=0) for m in ("lerp", "slerp")}
    steps_distance = float(np.sqrt(((decoded[1:] - decoded[:-1]) ** 2).reshape(len(decoded) - 1, -1).sum(-1)).sum())
    n = model.latent_size
    metrics = {
        "mode": mode, "steps": args.steps, "latent_size": n, "endpoints": list(interp.endpoints),
        "items": list(ends) if ends else None,
        "norms": interp.norms[mode].tolist(),
        "norms_lerp": interp.norms["lerp"].tolist(), "norms_slerp": interp.norms["slerp"].tolist(),
        "prior_shell_sqrt_n": float(np.sqrt(n)), "prior_expected_norm": expected_norm(n),
        "decoded_step_distance_sum": steps_distance,
        "path_length_this_path": along.mean,
        "perceptual_path_length": {m: {"mean": r.mean, "median": r.median, "pairs": args.pairs, "epsilon": 1e-4,
                                       "distance": "pixel"} for m, r in ppl.items()},
    }
    atomic_write_text(out / "metrics.json", json.dumps(metrics, indent=2) + "\n")
    parameters = {"panel": "latent", "checkpoint": str(ckpt.path), "checkpoint_sha256": ckpt.sha256,
                  "model": ckpt.config.as_dict(), "from": ends[0] if ends else None, "to": ends[1] if ends else None,
                  "prior_seed": args.prior_seed, "steps": args.steps, "mode": mode, "pairs": args.pairs,
                  "dataset": args.dataset, "seed": args.prior_seed if args.prior_seed is not None else 0}
    write_sidecar(out, parameters)
    print(f"wrote strip.png, path.npz, metrics.json and sidecar.json to {out} "
          f"(path length {mode}: {along.mean:.4g}; PPL lerp {ppl['lerp'].mean:.4g}, slerp {ppl['slerp'].mean:.4g})")
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
    """2D models: the path's decoded points drawn on a small canvas."""
    import imageio.v3 as iio
    import numpy as np

    from engines.export.atomic import atomic_path

    size = 400
    canvas = np.full((size, size, 3), 255, np.uint8)
    pts = np.asarray(decoded, float)
    lo, hi = pts.min(0) - 0.5, pts.max(0) + 0.5
    xy = ((pts - lo) / np.maximum(hi - lo, 1e-9) * (size - 1)).round().astype(int)
    for k, (x, y) in enumerate(xy):
        c = int(255 * k / max(1, len(xy) - 1))
        canvas[max(0, size - 1 - y - 3):size - y + 3, max(0, x - 3):x + 4] = (c, 60, 255 - c)
    with atomic_path(path) as temp:
        iio.imwrite(temp, canvas, extension=".png")
