"""InfoMap's modules as a tree to open level by level: top modules → submodules → points or words, with each
level's module count and codelength above it. Module numbers are InfoMap's own, so a row's path (1:3:2)
is the path the exported .tree gives its nodes."""
from __future__ import annotations

import numpy as np
from PySide6 import QtWidgets

from workbench.widgets.fonts import cjk_font

SHOWN_LEAVES = 200  # points or words listed under one module (the rest summed up in one row)


class ModuleTree(QtWidgets.QWidget):
    """The levels' codelengths and the module tree of an InfoMap result (``levels`` and ``paths``)."""

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.levels = QtWidgets.QLabel("")
        self.levels.setWordWrap(True)
        self.levels.setToolTip("level 0 is the root (every node in one module); level k cuts the hierarchy k "
                               "modules deep: its module count and the two-level codelength of that partition "
                               "(bits per step of the random walk)")
        self.tree = QtWidgets.QTreeWidget()
        self.tree.setHeaderLabels(["module / member", "members"])
        self.tree.setFont(cjk_font(11))
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QtWidgets.QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QtWidgets.QHeaderView.ResizeMode.ResizeToContents)
        self.tree.setIndentation(14)
        self.setMinimumWidth(240)
        self.tree.setToolTip("InfoMap's modules: open one to see its submodules, down to the points or words")
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.levels)
        layout.addWidget(self.tree, 1)

    def set_hierarchy(self, paths: np.ndarray, names: list[str], levels, codelength: float) -> None:
        """Show the modules of ``paths`` ((n, depth) module numbers per node, from the top down) over the nodes
        ``names``; ``levels``: engines.cluster.hierarchy.Level rows; ``codelength``: InfoMap's own."""
        rows = [f"L{lv.level}: {lv.modules:,} module{'s' if lv.modules != 1 else ''}, {lv.codelength:.3f} bits"
                for lv in levels]
        self.levels.setText(f"<b>codelength {codelength:.3f} bits</b> ({len(levels) - 1} level"
                            f"{'s' if len(levels) != 2 else ''} below the root)<br>" + "<br>".join(rows))
        self.tree.clear()
        self._add(self.tree.invisibleRootItem(), paths, np.arange(len(paths)), names, 0, "")

    def _add(self, parent, paths: np.ndarray, members: np.ndarray, names: list[str], level: int, prefix: str) -> None:
        if level == paths.shape[1] or len(np.unique(paths[members, level:], axis=0)) == 1 and level > 0:
            for i in members[:SHOWN_LEAVES]:
                QtWidgets.QTreeWidgetItem(parent, [names[i], ""])
            if len(members) > SHOWN_LEAVES:
                QtWidgets.QTreeWidgetItem(parent, [f"… {len(members) - SHOWN_LEAVES:,} more", ""])
            return
        numbers = paths[members, level]
        for number in np.unique(numbers):
            inside = members[numbers == number]
            path = f"{prefix}{int(number)}"
            item = QtWidgets.QTreeWidgetItem(parent, [f"module {path}", f"{len(inside):,}"])
            self._add(item, paths, inside, names, level + 1, path + ":")
