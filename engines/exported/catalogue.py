"""The keys of an exported model's manifest, as options (torch-free): each is validated where the manifest
is read and where ``workbench manifest`` parses it, naming the key and its allowed values."""
from __future__ import annotations

from engines.catalogue import Option
from engines.latent.catalogue import LATENT

ROLES = ("latent", "diffusion", "landscape")
ROLE = Option("role", "Role", "choice", "latent", choices=ROLES,
              help="which panel the program serves: latent (a decoder z→x), diffusion (a denoiser (x, t)), "
                   "landscape (a model x→output with a loss and a data set)")
LATENT_SIZE = Option("latent_size", "Latent size", "int", None, LATENT.minimum, LATENT.maximum,
                     help="length of the latent vector z (the latent panel's range)")
DATA_SHAPE = Option("data_shape", "Data shape", "text", None,
                    help="shape of one data item, comma-separated: C,H,W for images, D for points")
ENCODER = Option("encoder", "Encoder", "text", None, help="the encoder's .pt2 beside the manifest (optional)")
ENCODER_OUTPUT = Option("encoder_output", "Encoder output", "choice", "mean_logvar", choices=("mean_logvar", "z"),
                        help="what the encoder returns: a (mean, logvar) pair or the code z itself")
OBJECTIVE = Option("objective", "Objective", "choice", "ddpm", choices=("ddpm", "edm", "flow"),
                   help="how the denoiser was trained: ddpm (net(x_t, t) with t in 0..999 on the ᾱ schedule), edm "
                        "(the raw network F(c_in·x, 250·ln σ) of Karras et al.), flow (net(x_t, 1000·t) → velocity)")
PREDICTION = Option("prediction", "Prediction", "choice", "eps", choices=("eps", "x0", "v"),
                    help="what a ddpm denoiser predicts: the noise ε, the clean x0 or v")
SCHEDULE = Option("schedule", "Schedule", "choice", "linear", choices=("linear", "cosine"),
                  help="a ddpm denoiser's ᾱ schedule (1000 steps)")
LOSS = Option("loss", "Loss", "choice", "cross_entropy", choices=("cross_entropy", "mse"),
              help="the landscape's loss of the model's output against y")
DATASET = Option("dataset", "Data set", "text", None,
                 help="latent: a built-in data set name; landscape: an .npz with arrays x and y, beside the manifest")
SNAPSHOTS = Option("snapshots", "Snapshots", "text", None,
                   help="landscape: a folder beside the manifest of .safetensors snapshots of the model's state dict, "
                        "in name order: the training run's path on the plane")
FORMAT = "workbench-exported"
KEYS = {
    "latent": (LATENT_SIZE, DATA_SHAPE, ENCODER, ENCODER_OUTPUT, DATASET),
    "diffusion": (DATA_SHAPE, OBJECTIVE, PREDICTION, SCHEDULE),
    "landscape": (DATA_SHAPE, LOSS, DATASET, SNAPSHOTS),
}
"""The keys each role takes besides ``format``, ``role`` and ``program``."""
OPTIONS = tuple(dict.fromkeys(o for keys in KEYS.values() for o in keys))
"""Every key a role takes, once."""
