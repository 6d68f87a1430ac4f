"""Benchmark: the text VAE on the built-in reviews (5- and 7-character windows), with -ELBO per epoch, held-out
-ELBO, reconstruction and KL (nats per line), the share of characters the posterior mean reconstructs, the
unigram baseline (cross-entropy of the character frequencies, nats per line: what a decoder that ignores z
scores) and time. Run: python tests/benchmarks/bench_text_vae.py [EPOCHS]  (prints; no assertions).
"""
from __future__ import annotations

import math
import sys
from collections import Counter

from engines.jobs import run
from engines.latent.text_data import read_lines
from engines.latent.text_training import train_text_vae

LINES = 20_000


def unigram_nats(lines: list[str]) -> float:
    counts = Counter(c for line in lines for c in line)
    total = sum(counts.values())
    return -sum(n * math.log(n / total) for n in counts.values()) / len(lines)


def main() -> None:
    epochs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    print(f"{'length':>6s} {'lines':>6s} {'first':>7s} {'last':>7s} {'test':>7s} {'recon':>7s} {'KL':>6s} "
          f"{'chars ok':>8s} {'unigram':>8s} {'time':>6s}")
    for length in ("5", "7"):
        _, lines = read_lines("reviews", int(length), LINES)
        r = run(train_text_vae, "reviews", {"length": length, "epochs": epochs, "max_lines": LINES}, lines=lines)
        m = r.metrics
        print(f"{length:>6s} {len(lines):6d} {r.losses[0]:7.2f} {r.losses[-1]:7.2f} {m['test_total']:7.2f} "
              f"{m['test_recon']:7.2f} {m['test_kl']:6.2f} {m['test_char_accuracy']:8.3f} {unigram_nats(lines):8.2f} "
              f"{m['train_seconds']:5.1f}s")


if __name__ == "__main__":
    main()
