"""Train a VAE, a convolutional VAE, a NICE flow or a clustering VAE and save it.

writes CKPT.safetensors (the weights) and CKPT.json (architecture, hyperparameters, data set,
training steps, held-out metrics, version and the sha256 of the weights).

examples:
  workbench train latent --model vae --dataset digits --latent 16 --out resources/checkpoints/digits_vae
  workbench train latent --model nice --dataset digits --out runs/nice
  workbench train latent --model vae --dataset moons --latent 2 --out runs/moons_vae
  workbench train latent --model conv-vae --dataset images/ --size 28x28 --channels 1 --out runs/mine
"""
from __future__ import annotations

import argparse
from pathlib import Path

from cli.plumbing import run_task
from cli.run_latent import _data_spec, _dataset_arguments

VERB, NAME = "train", "latent"
HELP = "Latent space: train a VAE or a flow and save it"


def add_arguments(parser: argparse.ArgumentParser) -> None:
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


def run(args: argparse.Namespace) -> int:
    import math

    from engines.latent.checkpoint import save_checkpoint
    from engines.latent.config import DEFAULTS, ModelConfig, TrainConfig
    from engines.latent.training import summary, train_job
    from tasks import __version__

    d = DEFAULTS[args.model]
    config = ModelConfig(args.model, latent=args.latent, hidden=args.hidden or d["hidden"],
                         layers=args.layers or d.get("layers", 4), clusters=args.clusters, likelihood=args.likelihood)
    tc = TrainConfig(epochs=args.epochs or d["epochs"], batch_size=args.batch_size, lr=args.lr or d["lr"],
                     seed=args.seed).validated()
    spec = _data_spec(args)
    result = run_task(train_job, config, tc, spec, device=getattr(args, "device", None) or "cpu")
    extra = {"train": tc.as_dict(), "dataset": spec.as_dict(), "run": summary(result),
             "history": {k: [None if isinstance(v, float) and math.isnan(v) else v for v in getattr(result.history, k)]
                         for k in ("epoch", "total", "recon", "kl", "bpd", "test_total")}}
    body = save_checkpoint(args.out, result.state, result.config, extra, version=__version__)
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
