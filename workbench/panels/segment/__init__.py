"""Segmentation: a lexicon emerging from raw Chinese text (minimum entropy), unigram-LM segmentation
scored against gold and jieba; the segmented words go on to the clustering panel's word graph."""
from __future__ import annotations

from typing import TYPE_CHECKING

from workbench.panel_info import PanelInfo

if TYPE_CHECKING:
    from workbench.panel import Panel, PanelContext

INFO = PanelInfo(
    name="segment",
    title="Segmentation",
    accepts=("corpus",),
    ideas=(
        ("Su Jianlin: minimum entropy (2): building a lexicon", "https://kexue.fm/archives/5476"),
        ("bojone/word-discovery: n-gram min-PMI lexicon", "https://github.com/bojone/word-discovery"),
        ("Su Jianlin: when multiprocess speed-up exceeds 1", "https://kexue.fm/archives/6920"),
        ("Sun & Deng 2018: unsupervised neural word segmentation (SLM)", "https://arxiv.org/abs/1810.03167"),
    ),
)


def create(context: "PanelContext") -> "Panel":
    """Build the panel (imports its widgets, not the engines)."""
    from workbench.panels.segment.panel import SegmentPanel

    return SegmentPanel(context)
