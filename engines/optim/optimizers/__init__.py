"""Base optimizers, one module per family; :func:`build_optimizer` assembles a spec."""
from engines.optim.optimizers.base import Stepper
from engines.optim.optimizers.registry import OPTIMIZERS, OptimizerInfo, build_optimizer

__all__ = ["OPTIMIZERS", "OptimizerInfo", "Stepper", "build_optimizer"]
