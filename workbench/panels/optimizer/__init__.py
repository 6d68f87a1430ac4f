"""Optimizer trajectories: watch optimizers (and the wrappers derived from them) walk a loss surface."""
from __future__ import annotations

from typing import TYPE_CHECKING

from engines import formats
from workbench.panel_info import PanelInfo

if TYPE_CHECKING:
    from workbench.panel import Panel, PanelContext

INFO = PanelInfo(
    name="optimizer",
    title="Optimizer trajectories",
    accepts=("checkpoint",),
    formats=(formats.TRAINING_RUN, formats.BARE, formats.LATENT, formats.DIFFUSION, formats.exported("landscape")),
    ideas=(
        ("Distill: Why Momentum Really Works (Goh, 2017)", "https://distill.pub/2017/momentum/"),
        ("Su Jianlin: 6 derived optimizers (2019)", "https://kexue.fm/archives/7094"),
        ("Su Jianlin: optimization from the dynamics view", "https://kexue.fm/archives/5655"),
        ("Li et al. 2018: Visualizing the Loss Landscape of Neural Nets", "https://arxiv.org/abs/1712.09913"),
        ("Kingma & Ba 2014: Adam", "https://arxiv.org/abs/1412.6980"),
        ("Chen et al. 2023: Lion (symbolic discovery of optimizers)", "https://arxiv.org/abs/2302.06675"),
        ("Zhang et al. 2019: Lookahead optimizer", "https://arxiv.org/abs/1907.08610"),
    ),
)


__all__ = ["INFO", "create"]


def create(context: "PanelContext") -> "Panel":
    """Build the panel (imports its widgets, not the engines)."""
    from workbench.panels.optimizer.panel import OptimizerPanel

    return OptimizerPanel(context)
