"""Benchmark: held-out NLL on the digits (360 test items, 17 pixel levels) of NICE, the VAE, the f-VAE and the
clustering VAE (and the categorical Gumbel VAE), each trained for the same short budget with the same seed;
the VAEs' latent size is the same. NLL: exact for NICE, importance sampling with K samples per item for the
VAEs (engines/latent/likelihood.py), in nats per image and bits per dimension. Target: f-VAE below the VAE.
Then the Gumbel-softmax vs REINFORCE gradient variance ratio on one 5-way categorical.
Run: python tests/benchmarks/bench_latent_nll.py [--epochs 15] [--latent 16] [--samples 100] [--device cpu]
(prints; no assertions).
"""
from __future__ import annotations

import argparse
import time

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
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args()
    data = load_data(DataSpec())
    print(f"digits, {len(data.test_x)} held-out items; {args.epochs} epochs each, seed 0; VAE latent {args.latent} "
          f"(gumbel-vae: 8 variables x 10 categories); K = {args.samples}")
    print(f"{'model':<12} {'NLL nats':>9} {'bits/dim':>9} {'-ELBO':>9} {'K':>4} {'train s':>8} {'NLL s':>6}")
    for kind in KINDS:
        d = MODELS[kind].defaults()
        latent = 8 if kind == "gumbel-vae" else args.latent
        config = ModelConfig(kind, latent=latent, hidden=d["hidden"])
        t0 = time.perf_counter()
        snap = run(train_job, config, TrainConfig(epochs=args.epochs, lr=d["lr"], seed=0), DataSpec(), device=args.device)
        t1 = time.perf_counter()
        model = checkpoint_from_state(snap.config, snap.state).model
        lk = held_out_nll(model, data.test_x, samples=args.samples, device=args.device)
        t2 = time.perf_counter()
        elbo = "" if snap.config.is_flow else f"{snap.metrics['test_total']:.1f}"
        print(f"{kind:<12} {lk.nll:>9.1f} {lk.bits_per_dim:>9.3f} {elbo:>9} {lk.samples:>4} {t1 - t0:>8.1f} {t2 - t1:>6.1f}")
    print("(-ELBO: of the model's own continuous density, without the pixel-bin width; NICE and f-VAE model "
          "dequantized pixels, the Gaussian VAEs the pixel values)")
    print()
    logits, target = [0.5, -0.3, 0.1, 0.0, -1.0], [0.0, 0.0, 1.0, 0.0, 0.0]
    print(f"gradient of E||onehot(c) - t||^2, logits {logits}, t = category 2, 20,000 samples:")
    print(f"{'tau':>5} {'Var reparam':>12} {'Var REINFORCE':>14} {'ratio':>7}")
    for tau in (0.25, 0.5, 1.0):
        r = gradient_variances(logits, target, temperature=tau, samples=20_000, device=args.device)
        print(f"{tau:>5} {r.reparameterised.variance:>12.4f} {r.reinforce.variance:>14.4f} {r.ratio:>7.3f}")


if __name__ == "__main__":
    main()
