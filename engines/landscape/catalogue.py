"""The settings of a real-network landscape comparison (``workbench run landscape`` and the panel's
compare mode), as catalogue options: names, defaults and ranges written once. Imports no torch."""
from __future__ import annotations

from engines.catalogue import Option, seed_option

BN = Option("bn", "BatchNorm", "choice", "off", choices=("off", "on", "both"),
            choice_labels=("without BatchNorm", "with BatchNorm", "both, side by side"),
            help="the built-in digits MLP without BatchNorm, with it, or both side by side (one landscape each)")
PLANE = Option("plane", "Plane", "choice", "pca", choices=("pca", "endpoints", "random"),
               choice_labels=("PCA of all runs' weights", "start and two runs' end points", "random directions"),
               help="pca: PCA of every run's snapshots together; endpoints: through the common start and the "
                    "first two runs' end points; random: filter-normalised random directions around the mean "
                    "of the end points")
GRID = Option("grid", "Grid", "int", 31, minimum=5, maximum=201, help="grid points per axis of the plane")
STEPS = Option("steps", "Steps", "int", 200, minimum=3, maximum=100_000, step=50,
               help="minibatch steps per run (the same minibatches for every optimizer)")
BATCH_SIZE = Option("batch_size", "Batch size", "int", 64, minimum=1, maximum=65_536, help="minibatch size")
SEED = seed_option("Seed", "seed of the initial weights, the minibatch order and the random plane")
CURVATURE_EVERY = Option("curvature_every", "Curvature every", "int", 10, minimum=0, maximum=100_000,
                         help="top Hessian eigenvalue at every k-th snapshot (of about 40 per run) and the last (0: none)")
SNAPSHOTS = 40  # snapshots per run (every max(1, steps // 40) steps): the paths' points and the measures' steps
