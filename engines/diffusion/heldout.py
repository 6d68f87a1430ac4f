"""The held-out data a checkpoint's samples are scored against: the rows of its training data that training
did not see, found again from what its JSON records (the data file's place and sha256,
:mod:`engines.data.provenance`, and the seeded split, :data:`engines.diffusion.data.SPLIT_RULE`), or from
a data set named on the command line. When there is none, one sentence says why no metrics are written."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping, Optional

import numpy as np

from engines.data.provenance import REMEDY, DataFile, locate_data
from engines.diffusion.catalogue import TRAINING_SETS
from engines.errors import InputError

FORWARD_ITEMS = 2000  # training items kept for the forward-process view


@dataclass(frozen=True)
class HeldOut:
    """Reference data (model space) for the metrics and a sample of the training data, or None for both
    with ``note`` saying why; ``about`` describes the reference for the sidecar."""

    reference: Optional[np.ndarray] = None
    data: Optional[np.ndarray] = None
    note: Optional[str] = None
    about: Optional[str] = None


def _seed(body: Mapping[str, Any]) -> int:
    """The seed the training data was split (or drawn) with: the recorded split's, else the training run's."""
    for section in ("split", "train"):
        value = (body.get(section) or {}).get("seed") if isinstance(body.get(section), Mapping) else None
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    return 0


def _source(body: Mapping[str, Any], checkpoint: Path) -> tuple[Optional[str], Optional[str], Optional[str]]:
    """(data set to load, its label column, a note) as the JSON records them; (None, None, why) when it does not."""
    record = DataFile.from_body(body)
    dataset = body.get("dataset")
    if record is not None:
        found = locate_data(record, checkpoint, f"{REMEDY} (in the window: put it back and open the checkpoint again)")
        return str(found.path), record.labels, found.note
    if isinstance(dataset, str) and dataset in TRAINING_SETS.names:
        return dataset, None, None
    if isinstance(dataset, str):
        return None, None, (f"{checkpoint.name} names its data set {dataset} but not where it lies (it was saved "
                            f"before Workbench recorded that): give --dataset PATH")
    return None, None, f"{checkpoint.name} does not say what data it was trained on: give --dataset NAME|PATH"


def recorded_heldout(body: Mapping[str, Any], checkpoint: str | Path, shape: tuple[int, ...],
                     dataset: Optional[str] = None) -> HeldOut:
    """The held-out rows of the data a checkpoint was trained on (``dataset``, when given, overrides the
    recorded one: then a data set that cannot be read, or that does not fit, is an InputError)."""
    from engines.diffusion.data import load_data

    checkpoint, seed = Path(checkpoint), _seed(body)
    if checkpoint.suffix.lower() == ".json" and isinstance(body.get("weights"), str):
        checkpoint = checkpoint.with_name(Path(body["weights"]).name)  # messages name the weights, as elsewhere
    try:
        if dataset is not None:
            record = DataFile.from_body(body)
            source, labels, note = dataset, record.labels if record else None, None
        else:
            source, labels, note = _source(body, checkpoint)
            if source is None:
                return HeldOut(note=f"no quality metrics: {note}")
        data = load_data(source, seed, labels)
        if data.shape != tuple(shape):
            raise InputError(f"{data.name} holds items of shape {list(data.shape)} but {checkpoint.name} makes "
                             f"{list(shape)}")
    except InputError as exc:
        if dataset is not None:
            raise
        return HeldOut(note=f"no quality metrics: {exc}")
    about = (f"{len(data.heldout)} of the {data.split['rows']} rows of {data.name} held out by the training split "
             f"(seed {seed})" if data.split else f"held-out data of {data.name}")
    return HeldOut(data.heldout, data.train[:FORWARD_ITEMS], note, about)
