"""Text-VAE checkpoints: ``NAME.safetensors`` and ``NAME.json`` (format :data:`FORMAT`) holding the config,
the vocabulary as a list of characters (JSON, no pickle), the training settings and metrics. Loading checks
the config and vocabulary (:meth:`Vocabulary.from_json`), that they agree, and the weights' names, shapes
and values before any model is used."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

import torch

from engines.checkpoints import check_weights_fit, match_state_dict, planned_model, read_checkpoint, tensor_shapes
from engines.checkpoints import save_checkpoint as save_checkpoint_file
from engines.errors import InputError
from engines.latent.text_vae import TextVAE, TextVAEConfig
from engines.latent.text_vocab import Vocabulary

FORMAT = "workbench-text-vae"
METADATA_KEY = "workbench_text_vae"


@dataclass
class TextCheckpoint:
    model: TextVAE
    vocab: Vocabulary
    info: dict[str, Any]
    sha256: str
    path: Path | None = None


def save_text_vae(path: str | Path, model: TextVAE, vocab: Vocabulary, extra: Mapping[str, Any],
                  version: str | None = None) -> dict[str, Any]:
    body = {"format": FORMAT, "model": model.config.as_dict(), "vocab": vocab.as_json(), **extra}
    return save_checkpoint_file(path, dict(model.state_dict()), body, metadata_key=METADATA_KEY, version=version,
                                json_only=("run",))


def is_text_vae(path: str | Path) -> bool:
    """Whether ``path`` (a checkpoint or its stem) declares the text-VAE format."""
    from engines.checkpoints.config import read_json_config
    from engines.checkpoints.files import config_path
    from engines.checkpoints.header import declared_format
    from engines.checkpoints.stem import resolve_checkpoint

    try:
        path = resolve_checkpoint(path)
        if path.is_dir():  # a training run or a folder of an exported program, never a text VAE
            return False
        config = path if path.suffix.lower() == ".json" else config_path(path)
        if config.is_file():
            return read_json_config(config).get("format") == FORMAT
        return declared_format(path) == FORMAT
    except (InputError, OSError):
        return False


def load_text_vae(path: str | Path) -> TextCheckpoint:
    tensors, body, digest, weights = read_checkpoint(path, metadata_key=METADATA_KEY)
    if body is None or body.get("format") != FORMAT:
        raise InputError(f"{weights.name} is not a text-VAE checkpoint (its config does not say format {FORMAT})")
    config = TextVAEConfig.from_dict(body.get("model"), weights.name)
    vocab = Vocabulary.from_json(body.get("vocab"), weights.name)
    if vocab.size != config.vocab_size:
        raise InputError(f"{weights.name}: its vocabulary holds {vocab.size - 1} characters but the model was "
                         f"built for {config.vocab_size - 1}")
    check_weights_fit(planned_model(lambda: TextVAE(config)), tensor_shapes(tensors), weights.name, weights.name)
    model = TextVAE(config)
    matched = match_state_dict(model, tensors, weights.name)
    if not all(torch.isfinite(v).all() for v in matched.values() if v.is_floating_point()):
        raise InputError(f"{weights.name} holds NaN or infinite weights")
    model.load_state_dict(matched)
    model.eval()
    info = {k: v for k, v in body.items() if k not in ("model", "vocab")}
    return TextCheckpoint(model, vocab, info, digest, weights)
