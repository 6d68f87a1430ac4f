"""Latent spaces: VAEs (MLP, convolutional, with a clustering prior) and the NICE flow; training as a job,
checkpoints (safetensors + JSON), interpolation (lerp, slerp, analogy), latent statistics (norm shell,
angle density sin^{n-2}), perceptual path length and 2D maps (PCA, t-SNE). What it offers, as plain data,
is in :mod:`engines.latent.catalogue`, which (like this package) imports no torch.

    from engines.jobs import run
    from engines.latent.config import ModelConfig, TrainConfig
    from engines.latent.training import train_job
    result = run(train_job, ModelConfig("vae", latent=16), TrainConfig(epochs=40))
"""
