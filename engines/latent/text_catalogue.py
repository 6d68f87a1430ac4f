"""What the text VAE offers, as plain data (no torch): its settings (those it shares with the image models
keep their ranges, with its own defaults), and the built-in text (the ``reviews`` corpus of :mod:`engines.segment.corpus`). ``workbench train latent --model
text-vae`` and its ``--help`` take them from here."""
from __future__ import annotations

from dataclasses import replace

from engines.catalogue import Entry, Option
from engines.latent import catalogue as images

BUILTIN_TEXT = "reviews"  # a built-in corpus whose Han runs are cut into fixed-length windows
LENGTHS = ("5", "7")

LENGTH = Option("length", "Line length", "choice", "5", choices=LENGTHS,
                help="characters per line: five- or seven-character lines (五言, 七言)")
VOCAB = Option("vocab", "Vocabulary", "int", 2000, 16, 20_000,
               help="most frequent characters kept; the rest map to the unknown id")
EMBED = Option("embed", "Embedding", "int", 64, 8, 512, help="character embedding size")
HIDDEN = replace(images.HIDDEN, default=64, help="channels of the gated convolutions")
LATENT = replace(images.LATENT, default=32, help="latent size")
MAX_LINES = Option("max_lines", "Lines", "int", 10_000, 20, 500_000, help="lines read at most from the text")
KL_WARMUP = Option("kl_warmup", "KL warm-up", "float", 2.0, 0.0, 1000.0, unit="epochs", step=0.5, decimals=1,
                   help="epochs over which the KL's weight rises linearly from 0 to 1 (KL annealing, Bowman et al. "
                        "2016); 0: weight 1 from the start")
FREE_BITS = Option("free_bits", "Free bits", "float", 0.5, 0.0, 10.0, unit="nats", step=0.05, decimals=2,
                   help="nats of KL per latent dimension left free: below it a dimension's KL is not penalised "
                        "(Kingma et al. 2016, §C.8); 0: the plain ELBO")
EPOCHS = replace(images.EPOCHS, default=10)
LR = replace(images.LR, default=2e-3, help="Adam's learning rate")
BATCH_SIZE = images.BATCH_SIZE
SEED = images.SEED

TEXT_VAE = Entry(
    "text-vae", "VAE of text lines (gated convolutions)",
    "VAE over fixed-length lines of Chinese characters: embedding, gated 1-D convolutions, per-position logits",
    (LENGTH, VOCAB, EMBED, HIDDEN, LATENT, MAX_LINES, KL_WARMUP, FREE_BITS, EPOCHS, LR, BATCH_SIZE, SEED),
    "Su Jianlin: 基于CNN和VAE的作诗机器人:随机成诗", "https://kexue.fm/archives/5332")
