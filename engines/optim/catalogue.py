"""What the optimizer engine offers, as plain data (no torch): the base optimizers with their
hyperparameter defaults, the derived-optimizer wrappers, and the 2-D test surfaces with their parameters.

The spec parser, ``workbench run optimizer --help``, the panel's forms and pickers and the engine's own
builders read these, so each name, default, range, description and citation is written here once. An
entry names its implementation by a dotted path (``"engines.optim.optimizers.adam:Adam"``), imported when
it is first built: adding an optimizer is one stepper class plus one :class:`OptimizerEntry`, a wrapper one
class (or factory) plus one :class:`WrapperEntry`, a surface one builder function plus one
:class:`SurfaceEntry`.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from engines.catalogue import MAX_SEED, Catalogue, Entry, Option


def show(value: Any) -> str:
    """A default as the spec grammar writes it: numbers %g, tuples joined with "/"."""
    if isinstance(value, tuple):
        return "/".join(show(v) for v in value)
    return f"{value:g}" if isinstance(value, (int, float)) else str(value)


@dataclass(frozen=True)
class OptimizerEntry(Entry):
    """A base optimizer: ``stepper`` is the ``"module:Class"`` of its :class:`~engines.optim.optimizers.base.Stepper`,
    built as ``Class(params, batch_dims, **hyper, **fixed)``; ``hyper`` are the hyperparameters a spec may set,
    with their defaults (torch.optim's; flags are 0/1), ``fixed`` the settings the name implies."""

    stepper: str = ""
    hyper: Mapping[str, Any] = field(default_factory=dict)
    fixed: Mapping[str, Any] = field(default_factory=dict)
    ranges: Mapping[str, Option] = field(default_factory=dict)  # where a name means something else here

    def parameter(self, key: str) -> Option:
        """The option (range) of hyperparameter ``key``: this entry's own, else :data:`PARAMETERS`'."""
        return self.ranges.get(key) or PARAMETERS[key]

    def defaults(self) -> dict[str, Any]:
        return dict(self.hyper)

    def describe_defaults(self) -> str:
        return ", ".join(f"{k}={show(v)}" for k, v in self.hyper.items())


@dataclass(frozen=True)
class WrapperEntry(Entry):
    """A derived optimizer: ``factory`` is the ``"module:name"`` of ``factory(inner_stepper, **params)``;
    ``params`` its parameters with defaults, or, with ``step_keys``, free ``STEP=FACTOR`` points."""

    factory: str = ""
    params: Mapping[str, float] = field(default_factory=dict)
    step_keys: bool = False

    def defaults(self) -> dict[str, Any]:
        return dict(self.params)

    def describe_defaults(self) -> str:
        if self.step_keys:
            return "STEP=FACTOR,..."
        return ", ".join(f"{k}={show(v)}" for k, v in self.params.items())


@dataclass(frozen=True)
class SurfaceEntry(Entry):
    """A 2-D test surface: ``builder`` is the ``"module:function"`` that returns its
    :class:`~engines.optim.surfaces.Surface` given a value for each option (the surface's parameters)."""

    builder: str = ""
    # learning rates worth sweeping on it (for unit curvature when the surface has a "scale" option)
    step_range: tuple[float, float] = (1e-4, 1e-2)


def _flag(name: str, label: str) -> Option:
    return Option(name, label, "int", minimum=0, maximum=1, help="0 off, 1 on")


MAX_ZO_SAMPLES = 10_000  # zeroth_order's function evaluations per step and start
# the range of every optimizer hyperparameter and wrapper parameter a spec may set, by name (a name means the
# same thing wherever it occurs); a tuple's numbers (betas) are each checked against its option
PARAMETERS: dict[str, Option] = {o.name: o for o in (
    Option("lr", "learning rate", minimum=0.0, maximum=1e4),
    Option("momentum", "momentum", minimum=0.0, maximum=1.0),
    Option("dampening", "dampening", minimum=0.0, maximum=1.0),
    Option("weight_decay", "weight decay", minimum=0.0, maximum=1e3),
    Option("eps", "ε", minimum=0.0, maximum=10.0, help="added to denominators"),
    Option("lr_decay", "lr decay", minimum=0.0, maximum=1e3),
    Option("initial_accumulator_value", "initial accumulator", minimum=0.0, maximum=1e6),
    Option("alpha", "α", minimum=0.0, maximum=1.0),
    Option("rho", "ρ", minimum=0.0, maximum=1.0),
    Option("betas", "β", minimum=0.0, maximum=0.99999, help="each of the moment decays β1/β2"),
    Option("momentum_decay", "momentum decay", minimum=0.0, maximum=1.0),
    _flag("nesterov", "Nesterov"), _flag("amsgrad", "AMSGrad"), _flag("centered", "centered"),
    _flag("decoupled_weight_decay", "decoupled weight decay"),
    Option("samples", "samples", "int", minimum=1, maximum=MAX_ZO_SAMPLES, help="function evaluations per step"),
    Option("baseline", "baseline", "int", minimum=0, maximum=2, help="0 none, 1 f(x), 2 optimal"),
    Option("seed", "seed", "int", minimum=0, maximum=MAX_SEED),
    Option("rate", "rate", minimum=0.0, maximum=1e3),
    Option("steps", "steps", minimum=1.0, maximum=1e7),
    Option("floor", "floor", minimum=0.0, maximum=1.0, help="the lr's final fraction"),
    Option("k", "k", "int", minimum=1, maximum=1_000_000),
    Option("factor", "factor", minimum=0.0, maximum=1e4, help="piecewise_lr's lr multiplier at a step"),
)}


_OPTIMIZERS = "engines.optim.optimizers"
_ADAM = {"lr": 1e-3, "betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 0.0}

OPTIMIZERS: Catalogue[OptimizerEntry] = Catalogue("optimizer", (
    OptimizerEntry(
        "sgd", "SGD", "gradient descent, as torch.optim.SGD",
        citation="Robbins & Monro 1951: A Stochastic Approximation Method",
        stepper=f"{_OPTIMIZERS}.sgd:SGD",
        hyper={"lr": 1e-3, "momentum": 0.0, "dampening": 0.0, "weight_decay": 0.0, "nesterov": 0}),
    OptimizerEntry(
        "momentum", "Momentum", "heavy-ball momentum",
        citation="Polyak 1964: Some methods of speeding up the convergence of iteration methods",
        stepper=f"{_OPTIMIZERS}.sgd:SGD",
        hyper={"lr": 1e-3, "momentum": 0.9, "dampening": 0.0, "weight_decay": 0.0}, fixed={"nesterov": 0}),
    OptimizerEntry(
        "nesterov", "Nesterov", "Nesterov accelerated gradient",
        citation="Sutskever et al. 2013: On the importance of initialization and momentum in deep learning",
        stepper=f"{_OPTIMIZERS}.sgd:SGD",
        hyper={"lr": 1e-3, "momentum": 0.9, "weight_decay": 0.0}, fixed={"nesterov": 1, "dampening": 0.0}),
    OptimizerEntry(
        "adagrad", "Adagrad", "per-coordinate step γ/√Σg²",
        citation="Duchi et al. 2011: Adaptive Subgradient Methods for Online Learning and Stochastic Optimization",
        stepper=f"{_OPTIMIZERS}.adaptive:Adagrad",
        hyper={"lr": 1e-2, "lr_decay": 0.0, "weight_decay": 0.0, "initial_accumulator_value": 0.0, "eps": 1e-10}),
    OptimizerEntry(
        "rmsprop", "RMSprop", "step γ/√EMA(g²)",
        citation="Hinton 2012: Neural Networks for Machine Learning, lecture 6e",
        stepper=f"{_OPTIMIZERS}.adaptive:RMSprop",
        hyper={"lr": 1e-2, "alpha": 0.99, "eps": 1e-8, "weight_decay": 0.0, "momentum": 0.0, "centered": 0}),
    OptimizerEntry(
        "adadelta", "Adadelta", "unit-corrected RMSprop",
        citation="Zeiler 2012: ADADELTA: An Adaptive Learning Rate Method", url="https://arxiv.org/abs/1212.5701",
        stepper=f"{_OPTIMIZERS}.adaptive:Adadelta",
        hyper={"lr": 1.0, "rho": 0.9, "eps": 1e-6, "weight_decay": 0.0}),
    OptimizerEntry(
        "adam", "Adam", "bias-corrected moments",
        citation="Kingma & Ba 2015: Adam: A Method for Stochastic Optimization", url="https://arxiv.org/abs/1412.6980",
        stepper=f"{_OPTIMIZERS}.adam:Adam",
        hyper={**_ADAM, "amsgrad": 0}, fixed={"decoupled_weight_decay": 0}),
    OptimizerEntry(
        "adamw", "AdamW", "Adam with decoupled weight decay",
        citation="Loshchilov & Hutter 2019: Decoupled Weight Decay Regularization",
        url="https://arxiv.org/abs/1711.05101",
        stepper=f"{_OPTIMIZERS}.adam:Adam",
        hyper={**_ADAM, "weight_decay": 1e-2, "amsgrad": 0}, fixed={"decoupled_weight_decay": 1}),
    OptimizerEntry(
        "amsgrad", "AMSGrad", "Adam with the running maximum of v",
        citation="Reddi et al. 2018: On the Convergence of Adam and Beyond",
        stepper=f"{_OPTIMIZERS}.adam:Adam",
        hyper=dict(_ADAM), fixed={"amsgrad": 1, "decoupled_weight_decay": 0}),
    OptimizerEntry(
        "nadam", "NAdam", "Nesterov-accelerated Adam",
        citation="Dozat 2016: Incorporating Nesterov Momentum into Adam",
        stepper=f"{_OPTIMIZERS}.adam:NAdam",
        hyper={**_ADAM, "lr": 2e-3, "momentum_decay": 4e-3, "decoupled_weight_decay": 0}),
    OptimizerEntry(
        "radam", "RAdam", "variance-rectified Adam",
        citation="Liu et al. 2020: On the Variance of the Adaptive Learning Rate and Beyond",
        url="https://arxiv.org/abs/1908.03265",
        stepper=f"{_OPTIMIZERS}.adam:RAdam",
        hyper={**_ADAM, "decoupled_weight_decay": 0}),
    OptimizerEntry(
        "lion", "Lion", "sign of interpolated momentum",
        citation="Chen et al. 2023: Symbolic Discovery of Optimization Algorithms",
        url="https://arxiv.org/abs/2302.06675",
        stepper=f"{_OPTIMIZERS}.lion:Lion",
        hyper={"lr": 1e-4, "betas": (0.9, 0.99), "weight_decay": 0.0}),
    OptimizerEntry(
        "zeroth_order", "Zeroth order",
        "gradient estimated from f(x+εu), u~N(0,I); baseline 0 none, 1 f(x), 2 optimal",
        citation="Nesterov & Spokoiny 2017: Random Gradient-Free Minimization of Convex Functions",
        stepper=f"{_OPTIMIZERS}.zeroth_order:ZerothOrder",
        hyper={"lr": 1e-3, "eps": 1e-2, "samples": 8, "baseline": 1, "momentum": 0.0, "seed": 0},
        ranges={"eps": Option("eps", "probe size ε", minimum=1e-8, maximum=10.0, help="the step of f(x+εu)")}),
))

_WRAPPERS = "engines.optim.wrappers"
_SU = "Su Jianlin 2019: 6个派生优化器的简单介绍及其实现"
_SU_URL = "https://kexue.fm/archives/7094"

WRAPPERS: Catalogue[WrapperEntry] = Catalogue("wrapper", (
    WrapperEntry("weight_decay", "Weight decay", "θ −= γ λ θ after each update", citation=_SU, url=_SU_URL,
                 factory=f"{_WRAPPERS}:WeightDecay", params={"rate": 0.01}),
    WrapperEntry("layer_adaptation", "Layer adaptation", "trust ratio ‖θ‖/‖h‖ per tensor (LAMB)",
                 citation="You et al. 2020: Large Batch Optimization for Deep Learning: Training BERT in 76 minutes",
                 url="https://arxiv.org/abs/1904.00962", factory=f"{_WRAPPERS}:LayerAdaptation"),
    WrapperEntry("piecewise_lr", "Piecewise lr", "lr × piecewise-linear {step: factor}", citation=_SU, url=_SU_URL,
                 factory=f"{_WRAPPERS}:piecewise_lr", step_keys=True),
    WrapperEntry("warmup", "Warm-up", "linear warm-up of the lr from 0", citation=_SU, url=_SU_URL,
                 factory=f"{_WRAPPERS}:warmup", params={"steps": 100.0}),
    WrapperEntry("cosine", "Cosine decay", "cosine decay of the lr to floor",
                 citation="Loshchilov & Hutter 2017: SGDR: Stochastic Gradient Descent with Warm Restarts",
                 url="https://arxiv.org/abs/1608.03983", factory=f"{_WRAPPERS}:cosine",
                 params={"steps": 1000.0, "floor": 0.0}),
    WrapperEntry("accumulate", "Gradient accumulation", "update every k steps with the mean gradient", citation=_SU,
                 url=_SU_URL, factory=f"{_WRAPPERS}:Accumulate", params={"k": 4.0}),
    WrapperEntry("lookahead", "Lookahead", "slow weights pulled towards fast every k steps",
                 citation="Zhang et al. 2019: Lookahead Optimizer: k steps forward, 1 step back",
                 url="https://arxiv.org/abs/1907.08610", factory=f"{_WRAPPERS}:Lookahead",
                 params={"k": 5.0, "alpha": 0.5}),
    WrapperEntry("lazy", "Lazy updates", "rows with zero gradient stay untouched (embeddings)", citation=_SU,
                 url=_SU_URL, factory=f"{_WRAPPERS}:Lazy"),
))

_SURFACES = "engines.optim.surfaces"
_VLSE = "Surjanovic & Bingham: Virtual Library of Simulation Experiments"
_VLSE_URL = "https://www.sfu.ca/~ssurjano/optimization.html"

SURFACES: Catalogue[SurfaceEntry] = Catalogue("surface", (
    SurfaceEntry(
        "rosenbrock", "Rosenbrock", "(a − x)² + b(y − x²)²: a curved, narrow valley; minimum (a, a²)",
        (Option("a", "a", default=1.0, minimum=-100.0, maximum=100.0, step=0.1, help="the minimum sits at (a, a²)"),
         Option("b", "b", default=100.0, minimum=0.0, maximum=1e4, step=10.0, help="steepness of the valley's walls")),
        citation=_VLSE, url=_VLSE_URL, builder=f"{_SURFACES}:rosenbrock"),
    SurfaceEntry("beale", "Beale", "three squared terms; sharp ridges, minimum (3, 0.5)",
                 citation=_VLSE, url=_VLSE_URL, builder=f"{_SURFACES}:beale"),
    SurfaceEntry(
        "rastrigin", "Rastrigin", "a bowl covered by a lattice of local minima; global minimum (0, 0)",
        (Option("A", "A", default=10.0, minimum=0.0, maximum=1e3, step=1.0, help="amplitude of the cosine ripples"),),
        citation=_VLSE, url=_VLSE_URL, builder=f"{_SURFACES}:rastrigin"),
    SurfaceEntry("himmelblau", "Himmelblau", "four minima of value 0",
                 citation="Himmelblau 1972: Applied Nonlinear Programming", builder=f"{_SURFACES}:himmelblau"),
    SurfaceEntry("booth", "Booth", "a tilted quadratic bowl; minimum (1, 3)",
                 citation=_VLSE, url=_VLSE_URL, builder=f"{_SURFACES}:booth"),
    SurfaceEntry("styblinski_tang", "Styblinski–Tang", "quartic with four basins; minimum (−2.9035, −2.9035)",
                 citation=_VLSE, url=_VLSE_URL, builder=f"{_SURFACES}:styblinski_tang"),
    SurfaceEntry("saddle", "Saddle", "x² − y²: a saddle point, no minimum", builder=f"{_SURFACES}:saddle"),
    SurfaceEntry("monkey_saddle", "Monkey saddle", "x³ − 3xy²: three descending valleys, no minimum",
                 builder=f"{_SURFACES}:monkey_saddle"),
    SurfaceEntry(
        "quadratic", "Quadratic bowl", "½θᵀHθ with condition number kappa, rotated by angle (Distill's bowl)",
        (Option("kappa", "kappa", default=10.0, minimum=1.0, maximum=1e6, step=1.0, help="condition number λmax/λmin"),
         Option("angle", "angle", default=30.0, minimum=-360.0, maximum=360.0, step=5.0, unit="°", help="direction of the flat eigenvector"),
         Option("scale", "scale", default=1.0, maximum=1e4, step=0.1, help="the largest eigenvalue λmax (positive)")),
        citation="Goh 2017: Why Momentum Really Works", url="https://distill.pub/2017/momentum/",
        builder=f"{_SURFACES}:quadratic", step_range=(0.05, 5.0)),  # holds α* = (2/(√λmin + √λmax))² < 4/scale
))

EXPRESSION_HELP = ("A formula in x and y: numbers, + − * / **, pi, e and sin cos tan exp log sqrt abs tanh "
                   "sinh cosh atan min max. Example: sin(x)*cos(y) + 0.1*(x**2 + y**2)")
