"""The text VAE for the GUI and the CLI: train and save, load, interpolate between two lines, sample."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from tasks.latent import MODE, STEPS

SAMPLES = 8


@dataclass(frozen=True)
class TextTrainRequest:
    """A run: the text (a path or ``reviews``) and the settings that differ from the catalogue's defaults."""

    text: str = "reviews"
    settings: Mapping[str, Any] = field(default_factory=dict)


def train_text_job(reporter, request: TextTrainRequest, device: str = "cpu"):
    """Train (see :func:`engines.latent.text_training.train_text_vae`); returns the :class:`TextRun`."""
    from engines.device import pick_device
    from engines.latent.text_training import train_text_vae

    return train_text_vae(reporter, request.text, request.settings, device=pick_device(device))


def save_text_job(reporter, path: Path, run) -> dict[str, Any]:
    """Write the run's checkpoint (weights, config, vocabulary, settings, metrics); returns the JSON written."""
    from engines.latent.text_checkpoint import save_text_vae
    from tasks import __version__

    reporter.progress(None, f"saving {path}")
    extra = {"train": dict(run.settings), "dataset": {"name": run.text, "lines": run.lines},
             "run": {"losses": run.losses, "metrics": run.metrics, "note": run.note}}
    return save_text_vae(path, run.build(), run.vocab, extra, version=__version__)


@dataclass(frozen=True)
class TextWalkRequest:
    """Walk between two lines of a model: a checkpoint path, or a training run (its latest weights)."""

    source: Any  # Path | engines.latent.text_training.TextRun
    start: str
    end: str
    steps: int = int(STEPS.default)
    mode: str = str(MODE.default)
    samples: int = SAMPLES
    seed: int = 0


@dataclass(frozen=True)
class TextWalkResult:
    walk: Any  # engines.latent.text_walk.TextWalk
    samples: tuple[str, ...]
    config: Any  # engines.latent.text_vae.TextVAEConfig
    checkpoint: Any = None  # the TextCheckpoint loaded (None for a training run's weights)


def text_walk_job(reporter, request: TextWalkRequest) -> TextWalkResult:
    """Load the model, walk between the two lines and draw prior samples."""
    from engines.latent.text_checkpoint import load_text_vae
    from engines.latent.text_walk import sample_lines, walk_text

    ckpt = None
    if isinstance(request.source, (str, Path)):
        reporter.progress(None, f"loading {request.source}")
        ckpt = load_text_vae(request.source)
        model, vocab = ckpt.model, ckpt.vocab
    else:
        model, vocab = request.source.build(), request.source.vocab
    walk = walk_text(model, vocab, request.start, request.end, request.steps, request.mode)
    return TextWalkResult(walk, sample_lines(model, vocab, request.samples, request.seed), model.config, ckpt)
