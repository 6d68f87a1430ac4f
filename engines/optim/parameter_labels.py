"""Names of optimizer and wrapper hyperparameters in words, for forms and legends (SPEC lines keep the
short names torch.optim uses: ``lr``, ``betas``, ``weight_decay``)."""
from __future__ import annotations

LABELS = {
    "alpha": "α (smoothing / step back)", "amsgrad": "AMSGrad max (0/1)", "baseline": "baseline (0/1)",
    "betas": "β₁/β₂", "centered": "centred (0/1)", "dampening": "dampening", "decoupled_weight_decay":
    "decoupled decay (0/1)", "eps": "ε", "floor": "floor (× lr)", "initial_accumulator_value": "initial accumulator",
    "k": "k (steps)", "lr": "learning rate", "lr_decay": "lr decay", "momentum": "momentum",
    "momentum_decay": "momentum decay", "nesterov": "Nesterov (0/1)", "rate": "rate", "rho": "ρ", "samples":
    "samples per step", "seed": "seed", "steps": "steps", "weight_decay": "weight decay",
}


def label(name: str) -> str:
    """``name`` in words (its own name with spaces when it has no entry)."""
    return LABELS.get(name, name.replace("_", " "))
