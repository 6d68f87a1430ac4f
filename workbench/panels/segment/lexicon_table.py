"""The lexicon as a sortable, filterable table; new words (absent from jieba's dictionary) highlighted.

Rows are :class:`engines.segment.lexicon.LexiconRow`: class units are written in the catalogue's notation
(``#年``), and the length counts the characters of the word as written (one per unit)."""
from __future__ import annotations

from PySide6 import QtCore, QtGui, QtWidgets

from engines.segment.catalogue import CLASS_NOTATION, CLASS_UNITS
from workbench.widgets.fonts import cjk_font

# (header, LexiconRow field, header tooltip)
COLUMNS = (
    ("word", "word", CLASS_NOTATION),
    ("class", "unit_class", "the class units in the word: " + ", ".join(f"{c.name} ({c.symbol})" for c in CLASS_UNITS)),
    ("count", "count", "how often the word occurs in the cut text"),
    ("score", "score", "min-PMI cohesion: ln(N·n(w)/(n(left)·n(right))) at the word's weakest split"),
    ("length", "length", "characters of the word as written here (a number or latin run is one)"),
    ("new", "new", "not in jieba's dictionary"),
)
NUMERIC = {"count", "score", "length"}
NEW_BRUSH = QtGui.QBrush(QtGui.QColor("#e6f4ea"))
_DESCRIPTIONS = {c.name: f"{c.symbol}: {c.description}" for c in CLASS_UNITS}


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
        return len(COLUMNS)

    def headerData(self, section, orientation, role=QtCore.Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation != QtCore.Qt.Orientation.Horizontal:
            return None
        if role == QtCore.Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section][0]
        if role == QtCore.Qt.ItemDataRole.ToolTipRole:
            return COLUMNS[section][2]
        return None

    def data(self, index, role=QtCore.Qt.ItemDataRole.DisplayRole):
        row = self.rows[index.row()]
        header, name, _ = COLUMNS[index.column()]
        value = getattr(row, name)
        if role == QtCore.Qt.ItemDataRole.DisplayRole:
            if header == "score":
                return "∞" if value == float("inf") else f"{value:.2f}"
            if header == "new":
                return "new" if value else ""
            return str(value)
        if role == QtCore.Qt.ItemDataRole.UserRole:  # sort key
            return value
        if role == QtCore.Qt.ItemDataRole.ToolTipRole and row.unit_class:
            return "\n".join(_DESCRIPTIONS[c] for c in row.unit_class.split("+"))
        if role == QtCore.Qt.ItemDataRole.BackgroundRole and row.new:
            return NEW_BRUSH
        if role == QtCore.Qt.ItemDataRole.TextAlignmentRole and header in NUMERIC:
            return int(QtCore.Qt.AlignmentFlag.AlignRight | QtCore.Qt.AlignmentFlag.AlignVCenter)
        return None


class LexiconTable(QtWidgets.QWidget):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._all: list = []
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
        self.view.sortByColumn(2, QtCore.Qt.SortOrder.DescendingOrder)
        self.view.setFont(cjk_font(11))
        self.view.verticalHeader().setDefaultSectionSize(22)
        self.view.horizontalHeader().setStretchLastSection(True)
        self.summary = QtWidgets.QLabel("")
        self.summary.setWordWrap(True)
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
        self.model.set_rows([r for r in self._all if r.new] if self.only_new.isChecked() else self._all)
        self.proxy.setFilterRegularExpression(QtCore.QRegularExpression(text))

    def set_rows(self, rows: list) -> None:
        self._all = rows
        self._filter()
        new = sum(1 for r in rows if r.new)
        self.summary.setText(f"{len(rows):,} words of two or more units; {new:,} not in jieba's dictionary (green). "
                             + " ".join(f"{c.symbol} {c.label}." for c in CLASS_UNITS))
        for column, width in enumerate((96, 66, 64, 56, 50, 40)):
            self.view.setColumnWidth(column, width)
