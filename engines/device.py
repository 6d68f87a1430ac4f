"""Compute device choice: CUDA, then Apple MPS, then CPU, unless the user says otherwise."""
from __future__ import annotations

from typing import Optional

import torch

from engines.errors import InputError

CHOICES = ("auto", "cpu", "cuda", "mps")


def _mps_available() -> bool:
    backend = getattr(torch.backends, "mps", None)
    return bool(backend is not None and backend.is_available())


def pick_device(preference: Optional[str] = None) -> torch.device:
    """The device for ``preference`` ("auto"/None, "cpu", "cuda", "mps"); InputError if unavailable."""
    pref = (preference or "auto").lower()
    if pref not in CHOICES:
        raise InputError(f"unknown device {preference!r}; choose one of {', '.join(CHOICES)}")
    if pref == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        if _mps_available():
            return torch.device("mps")
        return torch.device("cpu")
    if pref == "cuda" and not torch.cuda.is_available():
        raise InputError("CUDA was requested but torch sees no CUDA device")
    if pref == "mps" and not _mps_available():
        raise InputError("MPS was requested but this torch build or machine has no Apple MPS")
    return torch.device(pref)


def describe_device(device: torch.device) -> str:
    """A short label for the status bar, e.g. "CUDA: NVIDIA H100" or "CPU: 2 threads"."""
    if device.type == "cuda":
        return f"CUDA: {torch.cuda.get_device_name(device)}"
    if device.type == "mps":
        return "MPS: Apple GPU"
    return f"CPU: {torch.get_num_threads()} threads"


def probe(reporter, preference: Optional[str] = None) -> str:
    """Job: resolve ``preference`` to a device and describe it (runs off the GUI thread: it loads torch)."""
    reporter.progress(None, "loading torch")
    return describe_device(pick_device(preference))
