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
import sys
from pathlib import Path

BUNDLED = {"vae": "digits_vae", "vae-2d": "digits_vae_2d", "nice": "digits_nice"}
STRIP_SCALE = 8


def bundled_checkpoint(name: str = "vae") -> Path:
    import resources

    return resources.path("checkpoints", BUNDLED[name] + ".safetensors")


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
    parser.add_argument("--out", type=Path, required=True, metavar="DIR", help="output folder (created if needed)")


def run(args: argparse.Namespace) -> int:
    import json

    import numpy as np

    from engines.errors import InputError
    from engines.export.atomic import atomic_write_text
    from engines.export.sidecar import write_sidecar
    from engines.export.tables import write_npz
    from engines.latent.analysis import default_pair, encode, interpolate, interpolate_items, prior_pair, data_for, check_fits
    from engines.latent.checkpoint import load_checkpoint
    from engines.latent.data import load_data
    from engines.latent.pathlength import path_length
    from engines.latent.statistics import expected_norm

    if not 2 <= args.steps <= 1000:
        raise InputError(f"--steps must be between 2 and 1000, got {args.steps}")
    if not 10 <= args.pairs <= 100_000:
        raise InputError(f"--pairs must be between 10 and 100000, got {args.pairs}")
    ckpt = load_checkpoint(args.checkpoint or bundled_checkpoint())
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
    out: Path = args.out
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"cannot create the output folder {out}: {exc.strerror}") from None
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


def add_train_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", choices=("vae", "conv-vae", "nice", "cluster-vae"), default="vae",
                        help="vae (MLP), conv-vae, nice (additive-coupling flow) or cluster-vae (default vae)")
    _dataset_arguments(parser, "digits")
    parser.add_argument("--latent", type=int, default=16, metavar="N", help="latent size of the VAEs, 2 to 128 (default 16)")
    parser.add_argument("--epochs", type=int, metavar="N", help="passes over the training items (default: per model, "
                        "vae/cluster-vae 100, conv-vae 60, nice 60)")
    parser.add_argument("--hidden", type=int, metavar="N", help="hidden width (default: vae 128, conv-vae 256, nice 96)")
    parser.add_argument("--layers", type=int, metavar="N", help="coupling layers of the flow (default 4)")
    parser.add_argument("--clusters", type=int, default=10, metavar="K", help="clusters of the cluster-vae (default 10)")
    parser.add_argument("--likelihood", choices=("gaussian", "bernoulli"), default="gaussian",
                        help="VAE pixel likelihood (default gaussian with a learned sigma per pixel)")
    parser.add_argument("--lr", type=float, metavar="LR", help="peak learning rate of the one-cycle schedule "
                        "(default 2e-3, nice 1e-3)")
    parser.add_argument("--batch-size", type=int, default=64, metavar="N", help="batch size (default 64)")
    parser.add_argument("--seed", type=int, default=0, help="seed of initialisation and batches (default 0)")
    parser.add_argument("--out", type=Path, required=True, metavar="CKPT",
                        help="checkpoint to write: CKPT.safetensors and CKPT.json beside it")


def train(args: argparse.Namespace) -> int:
    """Train a VAE, a convolutional VAE, a NICE flow or a clustering VAE and save it.

    writes CKPT.safetensors (the weights) and CKPT.json (architecture, hyperparameters, data set,
    training steps, held-out metrics, version and the sha256 of the weights).

    examples:
      workbench train latent --model vae --dataset digits --latent 16 --out resources/checkpoints/digits_vae
      workbench train latent --model nice --dataset digits --out runs/nice
      workbench train latent --model vae --dataset moons --latent 2 --out runs/moons_vae
      workbench train latent --model conv-vae --dataset images/ --size 28x28 --channels 1 --out runs/mine
    """
    import math

    from engines.jobs import run as run_job
    from engines.latent.checkpoint import save_checkpoint
    from engines.latent.config import DEFAULTS, ModelConfig, TrainConfig
    from engines.latent.training import summary, train_job

    d = DEFAULTS[args.model]
    config = ModelConfig(args.model, latent=args.latent, hidden=args.hidden or d["hidden"],
                         layers=args.layers or d.get("layers", 4), clusters=args.clusters, likelihood=args.likelihood)
    tc = TrainConfig(epochs=args.epochs or d["epochs"], batch_size=args.batch_size, lr=args.lr or d["lr"],
                     seed=args.seed).validated()
    spec = _data_spec(args)
    tty = sys.stderr.isatty()

    def progress(p) -> None:
        if tty and p.fraction is not None:
            print(f"\r{p.message}  {100 * p.fraction:5.1f}%   ", end="", file=sys.stderr, flush=True)

    result = run_job(train_job, config, tc, spec, device=getattr(args, "device", None) or "cpu", on_progress=progress)
    if tty:
        print(file=sys.stderr)
    extra = {"train": tc.as_dict(), "dataset": spec.as_dict(), "run": summary(result),
             "history": {k: [None if isinstance(v, float) and math.isnan(v) else v for v in getattr(result.history, k)]
                         for k in ("epoch", "total", "recon", "kl", "bpd", "test_total")}}
    body = save_checkpoint(args.out, result.state, result.config, extra)
    m = result.metrics
    if result.config.kind == "nice":
        score = f"held-out {m['test_bits_per_dim']:.3f} bits/dim (NLL {m['test_total']:.2f} nats per image)"
    else:
        score = (f"held-out -ELBO {m['test_total']:.2f} nats (reconstruction {m['test_recon']:.2f}, KL {m['test_kl']:.2f}); "
                 f"reconstruction MSE {m['test_recon_mse']:.4f} vs mean image {m['mean_image_mse']:.4f}")
        if "test_purity" in m:
            score += f"; cluster purity {m['test_purity']:.3f}"
    out = Path(args.out)
    print(f"trained {result.config.title} on {spec.describe()} in {m['train_seconds']:.1f} s "
          f"({m['epochs']} epochs, {m['steps']} steps): {score}. Wrote {body['weights']} and its .json to {out.parent}")
    if result.note:
        print(f"note: {result.note}")
    return 0
