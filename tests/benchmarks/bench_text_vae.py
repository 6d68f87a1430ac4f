"""Benchmark: posterior collapse of the text VAE on the built-in reviews windows, and its remedies one by one:
the plain ELBO, KL annealing alone (Bowman et al. 2016), free bits alone (Kingma et al. 2016, §C.8) and both
(the defaults). Prints per variant the held-out -ELBO, reconstruction and KL (nats per line), the share of
characters the posterior mean reconstructs ("chars ok") and the same with the latent zeroed ("z = 0"), the
unigram baseline (the cross-entropy of the character frequencies, nats per line: what a decoder that ignores z
scores) and the most common character's share (the accuracy of always guessing it), wall and CPU time, and the
walk between two lines. Run: python tests/benchmarks/bench_text_vae.py [LENGTH] [EPOCHS]  (prints; no
assertions).
"""
from __future__ import annotations

import math
import sys
import time
from collections import Counter

import torch

from engines.jobs import run
from engines.latent.text_catalogue import TEXT_VAE
from engines.latent.text_data import read_lines
from engines.latent.text_training import train_text_vae
from engines.latent.text_walk import walk_text

VARIANTS = {"plain ELBO": {"kl_warmup": 0, "free_bits": 0}, "annealing": {"free_bits": 0},
            "free bits": {"kl_warmup": 0}, "both (defaults)": {}}
ENDS = {5: ("质量很不错", "物流太慢了"), 7: ("这本书质量很好", "物流的速度太慢")}


def baselines(lines: list[str]) -> tuple[float, float]:
    """(unigram nats per line, the most common character's share)."""
    counts = Counter(c for line in lines for c in line)
    total = sum(counts.values())
    return -sum(n * math.log(n / total) for n in counts.values()) / len(lines), counts.most_common(1)[0][1] / total


@torch.no_grad()
def zero_latent_accuracy(result, lines: list[str]) -> float:
    model = result.build()
    ids = torch.from_numpy(result.vocab.encode(lines, model.config.length))
    return float((model.decode(torch.zeros(len(ids), model.latent_size)) == ids).float().mean())


def main() -> None:
    length = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    epochs = int(sys.argv[2]) if len(sys.argv) > 2 else int(TEXT_VAE.option("epochs").default)
    _, lines = read_lines("reviews", length, int(TEXT_VAE.option("max_lines").default))
    unigram, common = baselines(lines)
    print(f"{len(lines)} windows of {length} characters, {epochs} epochs; unigram {unigram:.2f} nats per line, "
          f"most common character {common:.3f} of characters")
    print(f"{'variant':>16s} {'test':>6s} {'recon':>6s} {'KL':>6s} {'chars ok':>8s} {'z = 0':>6s} {'wall':>6s} {'cpu':>6s}")
    for name, settings in VARIANTS.items():
        cpu = time.process_time()
        r = run(train_text_vae, "reviews", {"length": str(length), "epochs": epochs, **settings}, lines=lines)
        m = r.metrics
        print(f"{name:>16s} {m['test_total']:6.2f} {m['test_recon']:6.2f} {m['test_kl']:6.2f} "
              f"{m['test_char_accuracy']:8.3f} {zero_latent_accuracy(r, lines[:2000]):6.3f} "
              f"{m['train_seconds']:5.1f}s {time.process_time() - cpu:5.1f}s")
        print(f"{'':>16s} {' → '.join(walk_text(r.build(), r.vocab, *ENDS[length], steps=6).lines)}")


if __name__ == "__main__":
    main()
