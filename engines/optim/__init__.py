"""Optimizer trajectories on 2D surfaces and beyond (pure torch/numpy; never imports Qt).

Surfaces and user formulas, optimizers from a one-line spec (``adam:lr=0.01+lookahead:k=5``) with the
derived wrappers, and batched jobs: trajectories, basin maps, hyperparameter sweeps; plus the theory of
momentum on quadratics.
"""
from engines.optim.basins import BasinMap, basin_map
from engines.optim.expression import compile_expression
from engines.optim.optimizers import OPTIMIZERS, Stepper, build_optimizer
from engines.optim.quadratic import gd_rate, momentum_rate, optimal_momentum, optimal_step, rate_gd, rate_momentum
from engines.optim.spec import OptimizerSpec, WrapperSpec, format_spec, parse_spec
from engines.optim.surfaces import SURFACES, Surface, get_surface
from engines.optim.sweeps import SweepResult, sweep
from engines.optim.trajectories import TrajectoryRequest, TrajectoryResult, run_trajectories
from engines.optim.wrappers import WRAPPERS

__all__ = [
    "BasinMap", "OPTIMIZERS", "OptimizerSpec", "SURFACES", "Stepper", "Surface", "SweepResult",
    "TrajectoryRequest", "TrajectoryResult", "WRAPPERS", "WrapperSpec", "basin_map", "build_optimizer",
    "compile_expression", "format_spec", "gd_rate", "get_surface", "momentum_rate", "optimal_momentum",
    "optimal_step", "parse_spec", "rate_gd", "rate_momentum", "run_trajectories", "sweep",
]
