"""Base optimizers, one module per family; :func:`build_optimizer` assembles a spec (the names, defaults
and descriptions are in :mod:`engines.optim.catalogue`)."""
from engines.optim.optimizers.base import Stepper
from engines.optim.optimizers.registry import build_optimizer

__all__ = ["Stepper", "build_optimizer"]
