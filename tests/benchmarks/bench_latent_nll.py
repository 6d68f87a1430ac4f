"""Benchmark: held-out NLL on the digits (360 test items, 17 pixel levels) of NICE, the VAE, the f-VAE and the
clustering VAE (and the categorical Gumbel VAE), each trained for the same short budget with the same seeds;
the VAEs' latent size is the same. Every figure is the same quantity (engines/latent/likelihood.py): an upper
bound on −log P(k) of the discrete pixels by uniform dequantization, every model trained on dequantized pixels;
log p(y) exact for NICE, importance sampling with K samples per item for the VAEs; nats per image and bits
per dimension. Target: f-VAE below the VAE. Then the Gumbel-softmax vs REINFORCE gradient variance ratio on
one 5-way categorical.
Run: python tests/benchmarks/bench_latent_nll.py [--epochs 15] [--latent 16] [--samples 100] [--seeds 0 1 2]
[--kinds vae fvae] [--hidden 256] [--device cpu] (prints; no assertions).
"""
from __future__ import annotations

import argparse
import time

import numpy as np

from engines.jobs import run
from engines.latent.catalogue import MODELS
from engines.latent.checkpoint import checkpoint_from_state
from engines.latent.config import ModelConfig, TrainConfig
from engines.latent.data import DataSpec, load_data
from engines.latent.gradient_variance import gradient_variances
from engines.latent.likelihood import held_out_nll
from engines.latent.training import train_job

KINDS = ("nice", "vae", "fvae", "cluster-vae", "gumbel-vae")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=15)
    parser.add_argument("--latent", type=int, default=16)
    parser.add_argument("--samples", type=int, default=100)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument("--kinds", nargs="+", default=list(KINDS), choices=KINDS)
    parser.add_argument("--hidden", type=int, help="hidden width of every model (default: each kind's own)")
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args()
    data = load_data(DataSpec())
    print(f"digits, {len(data.test_x)} held-out items; {args.epochs} epochs each, seeds {args.seeds}; VAE latent "
          f"{args.latent} (gumbel-vae: 8 variables x 10 categories); K = {args.samples}", flush=True)
    print(f"{'model':<12} {'seed':>4} {'params':>7} {'NLL nats':>9} {'bits/dim':>9} {'-ELBO':>9} {'K':>4} "
          f"{'train s':>8} {'NLL s':>6}", flush=True)
    nll: dict[str, list[float]] = {kind: [] for kind in args.kinds}
    for seed in args.seeds:
        for kind in args.kinds:
            d = MODELS[kind].defaults()
            latent = 8 if kind == "gumbel-vae" else args.latent
            config = ModelConfig(kind, latent=latent, hidden=args.hidden or d["hidden"])
            t0 = time.perf_counter()
            snap = run(train_job, config, TrainConfig(epochs=args.epochs, lr=d["lr"], seed=seed), DataSpec(),
                       device=args.device)
            t1 = time.perf_counter()
            model = checkpoint_from_state(snap.config, snap.state).model
            lk = held_out_nll(model, data.test_x, samples=args.samples, seed=seed, device=args.device)
            t2 = time.perf_counter()
            nll[kind].append(lk.nll)
            params = sum(p.numel() for p in model.parameters())
            elbo = "" if snap.config.is_flow else f"{snap.metrics['test_total']:.1f}"
            print(f"{kind:<12} {seed:>4} {params:>7} {lk.nll:>9.1f} {lk.bits_per_dim:>9.3f} {elbo:>9} "
                  f"{lk.samples:>4} {t1 - t0:>8.1f} {t2 - t1:>6.1f}", flush=True)
    print("(-ELBO: of the model's own continuous density at the bin centres, without the bin width)")
    print(f"\nover {len(args.seeds)} seed(s): NLL nats per digit, mean ± standard deviation [min, max]")
    for kind, values in nll.items():
        v = np.asarray(values)
        print(f"{kind:<12} {v.mean():>7.1f} ± {v.std(ddof=1) if len(v) > 1 else 0.0:>5.1f} [{v.min():.1f}, {v.max():.1f}]")
    if "vae" in nll and "fvae" in nll:
        gap = np.asarray(nll["fvae"]) - np.asarray(nll["vae"])
        print(f"f-VAE − VAE, seed by seed: {', '.join(f'{g:+.1f}' for g in gap)}; f-VAE below in "
              f"{int((gap < 0).sum())} of {len(gap)}")
    print()
    logits, target = [0.5, -0.3, 0.1, 0.0, -1.0], [0.0, 0.0, 1.0, 0.0, 0.0]
    print(f"gradient of E||onehot(c) - t||^2, logits {logits}, t = category 2, 20,000 samples:")
    print(f"{'tau':>5} {'Var reparam':>12} {'Var REINFORCE':>14} {'ratio':>7}")
    for tau in (0.25, 0.5, 1.0):
        r = gradient_variances(logits, target, temperature=tau, samples=20_000, device=args.device)
        print(f"{tau:>5} {r.reparameterised.variance:>12.4f} {r.reinforce.variance:>14.4f} {r.ratio:>7.3f}")


if __name__ == "__main__":
    main()
