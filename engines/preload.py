"""Libraries the first jobs would import on first use, loaded once at start-up in a job of their own: an
import cannot be interrupted, so one inside a job the user cancels is a pause no check can shorten (torch's
compiler front-end for the meta-device layout of a checkpoint; scikit-learn's data sets and splits for the
digits)."""
from __future__ import annotations

import importlib

LIBRARIES = ("torch._dynamo", "sklearn.datasets", "sklearn.model_selection")


def preload(reporter) -> None:
    """Job: import :data:`LIBRARIES`, checking for cancellation between them."""
    for k, name in enumerate(LIBRARIES):
        reporter.progress(k / len(LIBRARIES), f"loading {name.split('.')[0]}")
        importlib.import_module(name)
