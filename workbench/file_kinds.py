"""Which kind of file a path is (corpus, checkpoint, dataset), so the shell can route it to a panel."""
from __future__ import annotations

from pathlib import Path

CORPUS_SUFFIXES = {".txt", ".gz", ".bz2", ".xz"}
CHECKPOINT_SUFFIXES = {".safetensors", ".pt", ".pth", ".ckpt"}
DATASET_SUFFIXES = {".npy", ".npz", ".csv", ".png", ".jpg", ".jpeg"}

FILTERS = {
    "corpus": "Text corpora (*.txt *.gz *.bz2 *.xz);;All files (*)",
    "checkpoint": "Checkpoints (*.safetensors *.pt *.pth *.ckpt);;All files (*)",
    "dataset": "Datasets (*.npy *.npz *.csv);;All files (*)",
}


def classify(path: Path) -> str | None:
    """The kind of ``path``, or None when Workbench does not know what to do with it."""
    if path.is_dir():
        suffixes = {p.suffix.lower() for p in path.iterdir() if p.is_file()}
        for kind, known in (("checkpoint", CHECKPOINT_SUFFIXES), ("dataset", DATASET_SUFFIXES), ("corpus", CORPUS_SUFFIXES)):
            if suffixes & known:
                return kind
        return None
    suffix = path.suffix.lower()
    if suffix in CORPUS_SUFFIXES:
        return "corpus"
    if suffix in CHECKPOINT_SUFFIXES:
        return "checkpoint"
    if suffix in DATASET_SUFFIXES:
        return "dataset"
    return None
