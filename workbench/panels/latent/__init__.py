"""Latent space: load or train a VAE or a flow, see where the data sits, walk between two points."""
from __future__ import annotations

from typing import TYPE_CHECKING

from engines.latent.catalogue import citations
from engines import formats
from workbench.panel_info import PanelInfo

if TYPE_CHECKING:
    from workbench.panel import Panel, PanelContext

INFO = PanelInfo(
    name="latent",
    title="Latent space",
    accepts=("checkpoint", "dataset"),
    formats=(formats.LATENT, formats.exported("latent")),
    ideas=(  # the models', maps' and measures' sources, and two articles behind the pictures
        *citations(),
        ("Su Jianlin: 细水长flow之NICE", "https://kexue.fm/archives/5776"),
        ("Su Jianlin: n维空间下两个随机向量的夹角分布", "https://kexue.fm/archives/7076"),
    ),
)


def create(context: "PanelContext") -> "Panel":
    """Build the panel (imports its widgets, not the engines)."""
    from workbench.panels.latent.panel import LatentPanel

    return LatentPanel(context)
