"""Latent space: load or train a VAE or a flow, see where the data sits, walk between two points."""
from __future__ import annotations

from typing import TYPE_CHECKING

from workbench.panel_info import PanelInfo

if TYPE_CHECKING:
    from workbench.panel import Panel, PanelContext

INFO = PanelInfo(
    name="latent",
    title="Latent space",
    accepts=("checkpoint", "dataset"),
    ideas=(
        ("Kingma & Welling 2013: Auto-Encoding Variational Bayes", "https://arxiv.org/abs/1312.6114"),
        ("Dinh et al. 2014: NICE, non-linear independent components estimation", "https://arxiv.org/abs/1410.8516"),
        ("Su Jianlin: 细水长flow之NICE", "https://kexue.fm/archives/5776"),
        ("Su Jianlin: 变分自编码器(四):一步到位的聚类方案", "https://kexue.fm/archives/5887"),
        ("Su Jianlin: n维空间下两个随机向量的夹角分布", "https://kexue.fm/archives/7076"),
        ("White 2016: Sampling Generative Networks (slerp)", "https://arxiv.org/abs/1609.04468"),
        ("Karras et al. 2019: StyleGAN (perceptual path length)", "https://arxiv.org/abs/1812.04948"),
    ),
)


def create(context: "PanelContext") -> "Panel":
    """Build the panel (imports its widgets, not the engines)."""
    from workbench.panels.latent.panel import LatentPanel

    return LatentPanel(context)
