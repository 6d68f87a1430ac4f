"""A table header whose sort arrow points the way the column runs: ▲ ascending, ▼ descending (Qt's styles draw
the arrow the other way round: an up arrow over a column sorted from the largest value down)."""
from __future__ import annotations

from PySide6 import QtCore, QtWidgets

_FLIPPED = {QtWidgets.QStyleOptionHeader.SortIndicator.SortUp: QtWidgets.QStyleOptionHeader.SortIndicator.SortDown,
            QtWidgets.QStyleOptionHeader.SortIndicator.SortDown: QtWidgets.QStyleOptionHeader.SortIndicator.SortUp}


class SortHeader(QtWidgets.QHeaderView):
    """A horizontal header drawing ▼ over a descending column and ▲ over an ascending one."""

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(QtCore.Qt.Orientation.Horizontal, parent)
        self.setSectionsClickable(True)
        self.setHighlightSections(True)

    def initStyleOptionForIndex(self, option: QtWidgets.QStyleOptionHeader, logical_index: int) -> None:  # noqa: N802
        super().initStyleOptionForIndex(option, logical_index)
        option.sortIndicator = _FLIPPED.get(option.sortIndicator, option.sortIndicator)


def use_sort_header(view: QtWidgets.QTableView) -> SortHeader:
    """Give ``view`` a :class:`SortHeader` (before its columns are sized: a new header forgets their widths)."""
    header = SortHeader(view)
    view.setHorizontalHeader(header)
    return header
