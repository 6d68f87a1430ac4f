"""Compute device choice: CUDA, then Apple MPS, then CPU, unless the user says otherwise.

:func:`as_device` is the one way engines turn what they are given (a preference string or a
``torch.device``) into a device; the application layer resolves the user's preference once per job, at
its boundary, off the GUI thread. Importing this module does not import torch (the choices are read by
menus and argparse).
"""
from __future__ import annotations


from typing import TYPE_CHECKING, Optional, Union

from engines.errors import InputError

if TYPE_CHECKING:
    import torch

# preference -> label (View ▸ Device, --device)
CHOICES = {
    "auto": "Automatic (CUDA, then MPS, then CPU)",
    "cpu": "CPU",
    "cuda": "CUDA",
    "mps": "Apple MPS",
}
DeviceLike = Union[str, "torch.device", None]


def _mps_available() -> bool:
    import torch

    backend = getattr(torch.backends, "mps", None)
    return bool(backend is not None and backend.is_available())


def pick_device(preference: Optional[str] = None) -> "torch.device":
    """The device for ``preference`` ("auto"/None, "cpu", "cuda", "mps"); InputError if unavailable."""
    import torch

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


def as_device(device: DeviceLike) -> "torch.device":
    """A ``torch.device`` as it is, or the device a preference string names (see :func:`pick_device`);
    a concrete name such as "cuda:1" is taken as written."""
    import torch

    if isinstance(device, torch.device):
        return device
    if isinstance(device, str) and ":" in device:
        return torch.device(device)
    return pick_device(device)


def describe_device(device: "torch.device") -> str:
    """A short label for the status bar, e.g. "CUDA: NVIDIA H100" or "CPU: 2 threads"."""
    import torch

    if device.type == "cuda":
        return f"CUDA: {torch.cuda.get_device_name(device)}"
    if device.type == "mps":
        return "MPS: Apple GPU"
    return f"CPU: {torch.get_num_threads()} threads"


def probe(reporter, preference: Optional[str] = None) -> str:
    """Job: resolve ``preference`` to a device and describe it (runs off the GUI thread: it loads torch)."""
    reporter.progress(None, "loading torch")
    return describe_device(pick_device(preference))
