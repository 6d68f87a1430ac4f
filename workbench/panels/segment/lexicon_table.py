"""The lexicon as a sortable, filterable table; new words (absent from jieba's dictionary) highlighted."""
from __future__ import annotations

from PySide6 import QtCore, QtGui, QtWidgets

from workbench.panels.segment.text_view import cjk_font

HEADERS = ("word", "count", "score", "length", "new")
NEW_BRUSH = QtGui.QBrush(QtGui.QColor("#e6f4ea"))


class LexiconModel(QtCore.QAbstractTableModel):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.rows: list = []

    def set_rows(self, rows: list) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def rowCount(self, parent=QtCore.QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QtCore.QModelIndex()) -> int:  # noqa: N802
        return len(HEADERS)

    def headerData(self, section, orientation, role=QtCore.Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if role == QtCore.Qt.ItemDataRole.DisplayRole and orientation == QtCore.Qt.Orientation.Horizontal:
            return HEADERS[section]
        return None

    def data(self, index, role=QtCore.Qt.ItemDataRole.DisplayRole):
        row = self.rows[index.row()]
        col = index.column()
        if role == QtCore.Qt.ItemDataRole.DisplayRole:
            value = row[col]
            if col == 2:
                return "∞" if value == float("inf") else f"{value:.2f}"
            if col == 4:
                return "new" if value else ""
            return str(value) if col else value
        if role == QtCore.Qt.ItemDataRole.UserRole:  # sort key
            return row[col]
        if role == QtCore.Qt.ItemDataRole.BackgroundRole and row[4]:
            return NEW_BRUSH
        if role == QtCore.Qt.ItemDataRole.TextAlignmentRole and col in (1, 2, 3):
            return int(QtCore.Qt.AlignmentFlag.AlignRight | QtCore.Qt.AlignmentFlag.AlignVCenter)
        return None


class LexiconTable(QtWidgets.QWidget):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.model = LexiconModel(self)
        self.proxy = QtCore.QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(QtCore.Qt.ItemDataRole.UserRole)
        self.proxy.setFilterKeyColumn(0)
        self.search = QtWidgets.QLineEdit(placeholderText="search words (regular expression)")
        self.search.textChanged.connect(self._filter)
        self.only_new = QtWidgets.QCheckBox("only new words")
        self.only_new.toggled.connect(self._filter)
        self.view = QtWidgets.QTableView()
        self.view.setModel(self.proxy)
        self.view.setSortingEnabled(True)
        self.view.sortByColumn(1, QtCore.Qt.SortOrder.DescendingOrder)
        self.view.setFont(cjk_font(11))
        self.view.verticalHeader().setDefaultSectionSize(22)
        self.view.horizontalHeader().setStretchLastSection(True)
        self.summary = QtWidgets.QLabel("")
        top = QtWidgets.QHBoxLayout()
        top.addWidget(self.search, 1)
        top.addWidget(self.only_new)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.summary)

    def _filter(self) -> None:
        text = self.search.text().strip()
        if self.only_new.isChecked():
            rows = [r for r in self._all if r[4]]
        else:
            rows = self._all
        self.model.set_rows(rows)
        self.proxy.setFilterRegularExpression(QtCore.QRegularExpression(text))

    def set_rows(self, rows: list) -> None:
        self._all = rows
        self._filter()
        new = sum(1 for r in rows if r[4])
        self.summary.setText(f"{len(rows):,} words of two or more units; {new:,} not in jieba's dictionary (green)")
        for column, width in enumerate((110, 64, 56, 50, 40)):
            self.view.setColumnWidth(column, width)
