"""Diffusion sampling: every model call as a frame, samplers side by side at equal NFE, quality against NFE."""
from __future__ import annotations

from typing import TYPE_CHECKING

from engines.diffusion.catalogue import citations
from engines.diffusion.catalogue_likelihood import LIKELIHOOD_CITATIONS
from engines import formats
from workbench.panel_info import PanelInfo

if TYPE_CHECKING:
    from workbench.panel import Panel, PanelContext

INFO = PanelInfo(
    name="diffusion",
    title="Diffusion sampling",
    accepts=("checkpoint", "dataset"),
    formats=(formats.DIFFUSION, formats.DIFFUSERS, formats.exported("diffusion")),
    ideas=(*citations(), *(c for c in LIKELIHOOD_CITATIONS if c[1] not in {u for _, u in citations()}),
           ("Su Jianlin: DDPM = autoregressive VAE", "https://kexue.fm/archives/9152")),
)


def create(context: "PanelContext") -> "Panel":
    """Build the panel (imports its widgets, not the engines)."""
    from workbench.panels.diffusion.panel import DiffusionPanel

    return DiffusionPanel(context)
