"""Word modules as text: each InfoMap module's most frequent words, biggest module first."""
from __future__ import annotations

import html

from PySide6 import QtWidgets

from workbench.widgets.fonts import cjk_font

SHOWN_MODULES = 60
SHOWN_WORDS = 30


class WordModulesView(QtWidgets.QTextBrowser):
    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFont(cjk_font(12))

    def set_modules(self, modules) -> None:
        """Show :class:`engines.cluster.words.WordModules`: the codelengths, then the first modules."""
        parts = [f"<p>{len(modules.modules)} modules of {len(modules.words)} words; codelength "
                 f"{modules.codelength:.3f} bits vs {modules.one_level_codelength:.3f} in one module "
                 f"(saving {100 * modules.saving:.1f}%)</p>"]
        for i, group in enumerate(modules.modules[:SHOWN_MODULES]):
            words = " ".join(html.escape(w) for w, _ in group[:SHOWN_WORDS])
            parts.append(f"<p><b>module {i + 1}</b> ({len(group)} words): {words}</p>")
        self.setHtml("".join(parts))
