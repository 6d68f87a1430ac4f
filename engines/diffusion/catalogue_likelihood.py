"""Settings of the likelihood view and of reflow training, as plain data (no torch): the GUI's forms, the
command line's options and the engines' checks read these (see :mod:`engines.catalogue`)."""
from __future__ import annotations

from engines.catalogue import Option

ROWS = Option("rows", "Data rows", "int", 256, 2, 20000,
              help="held-out rows the likelihood is averaged over (the confidence intervals are over them)")
PROBES = Option("probes", "Hutchinson probes", "int", 2, 1, 64,
                help="random probe vectors per row for Hutchinson's divergence estimate in the ODE likelihood")
ODE_STEPS = Option("ode_steps", "ODE steps", "int", 64, 4, 2000,
                   help="RK4 steps (uniform in log σ) of the probability-flow ODE from σ_min to σ_max")
LIKELIHOOD_OPTIONS = (ROWS, PROBES, ODE_STEPS)

REFLOW = Option("reflow", "Reflow rounds", "int", 0, 0, 10,
                help="rounds of reflow after flow matching: each retrains on (noise, sample) pairs drawn by the "
                     "previous model's ODE (Liu et al. 2022)")
PAIRS = Option("pairs", "Reflow pairs", "int", 4096, 64, 200000,
               help="(noise, sample) pairs generated for each reflow round")
PAIR_STEPS = Option("pair_steps", "Pair ODE steps", "int", 100, 2, 1000,
                    help="Euler steps of the previous model's ODE that generate each pair and measure straightness")
REFLOW_OPTIONS = (REFLOW, PAIRS, PAIR_STEPS)

LIKELIHOOD_CITATIONS = (
    ("Ho et al. 2020: Denoising Diffusion Probabilistic Models (eq. 5, the ELBO's terms)",
     "https://arxiv.org/abs/2006.11239"),
    ("Kingma et al. 2021: Variational Diffusion Models (the KL terms as SNR differences)",
     "https://arxiv.org/abs/2107.00630"),
    ("Song et al. 2021: Score-Based Generative Modeling through SDEs (likelihood by the probability-flow ODE)",
     "https://arxiv.org/abs/2011.13456"),
    ("Liu et al. 2022: Flow Straight and Fast: Rectified Flow (reflow, straightness)",
     "https://arxiv.org/abs/2209.03003"),
)
