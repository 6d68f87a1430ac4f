"""Diffusion sampling: every model call as a frame, samplers side by side at equal NFE, quality against NFE."""
from __future__ import annotations

from typing import TYPE_CHECKING

from workbench.panel_info import PanelInfo

if TYPE_CHECKING:
    from workbench.panel import Panel, PanelContext

INFO = PanelInfo(
    name="diffusion",
    title="Diffusion sampling",
    accepts=("checkpoint", "dataset"),
    ideas=(
        ("Ho et al. 2020: Denoising Diffusion Probabilistic Models", "https://arxiv.org/abs/2006.11239"),
        ("Song et al. 2020: DDIM", "https://arxiv.org/abs/2010.02502"),
        ("Karras et al. 2022: Elucidating the Design Space (EDM)", "https://arxiv.org/abs/2206.00364"),
        ("Lu et al. 2022: DPM-Solver++", "https://arxiv.org/abs/2211.01095"),
        ("Song et al. 2021: Score-based SDEs", "https://arxiv.org/abs/2011.13456"),
        ("Lipman et al. 2022: Flow Matching", "https://arxiv.org/abs/2210.02747"),
        ("Su Jianlin: DDPM = autoregressive VAE", "https://kexue.fm/archives/9152"),
    ),
)


def create(context: "PanelContext") -> "Panel":
    """Build the panel (imports its widgets, not the engines)."""
    from workbench.panels.diffusion.panel import DiffusionPanel

    return DiffusionPanel(context)
