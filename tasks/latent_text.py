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
    return save_text_vae(path, run.model.to("cpu"), run.vocab, extra, version=__version__)


@dataclass(frozen=True)
class TextWalkRequest:
    checkpoint: Path
    start: str
    end: str
    steps: int = int(STEPS.default)
    mode: str = str(MODE.default)
    samples: int = SAMPLES
    seed: int = 0


@dataclass(frozen=True)
class TextWalkResult:
    checkpoint: Any  # TextCheckpoint
    walk: Any  # TextWalk
    samples: tuple[str, ...]


def text_walk_job(reporter, request: TextWalkRequest) -> TextWalkResult:
    """Load the checkpoint, walk between the two lines and draw prior samples."""
    from engines.latent.text_checkpoint import load_text_vae
    from engines.latent.text_walk import sample_lines, walk_text

    reporter.progress(None, f"loading {request.checkpoint}")
    ckpt = load_text_vae(request.checkpoint)
    walk = walk_text(ckpt.model, ckpt.vocab, request.start, request.end, request.steps, request.mode)
    return TextWalkResult(ckpt, walk, sample_lines(ckpt.model, ckpt.vocab, request.samples, request.seed))
