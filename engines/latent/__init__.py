"""Latent spaces: VAEs (MLP, convolutional, with a clustering prior) and the NICE flow; training as a job,
checkpoints (safetensors + JSON), interpolation (lerp, slerp, analogy), latent statistics (norm shell,
angle density sin^{n-2}), perceptual path length and 2D maps (PCA, t-SNE).

    from engines.jobs import run
    from engines.latent import ModelConfig, TrainConfig, train_job
    result = run(train_job, ModelConfig("vae", latent=16), TrainConfig(epochs=40))
"""
from engines.latent.checkpoint import Checkpoint, load_checkpoint, save_checkpoint
from engines.latent.config import KINDS, ModelConfig, TrainConfig
from engines.latent.data import DataSpec, LatentData, load_data
from engines.latent.interpolation import analogy, lerp, path, slerp
from engines.latent.models import build_model
from engines.latent.training import TrainSnapshot, evaluate, train_job

__all__ = ["Checkpoint", "DataSpec", "KINDS", "LatentData", "ModelConfig", "TrainConfig", "TrainSnapshot",
           "analogy", "build_model", "evaluate", "lerp", "load_checkpoint", "load_data", "path", "save_checkpoint",
           "slerp", "train_job"]
