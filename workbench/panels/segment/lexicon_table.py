"""The lexicon as a sortable, searchable table; new words (absent from jieba's dictionary) highlighted.

A lazy model over :class:`tasks.lexicon_view.LexiconColumns`: sorting and searching run as a job
(:func:`tasks.lexicon_view.arrange_job`) and the model only reads the cells on screen, so a lexicon of
100,000 words never blocks the window. Class units are written in the catalogue's notation (``#年``), and
the length counts the characters of the word as written (one per unit)."""
from __future__ import annotations

import numpy as np
from PySide6 import QtCore, QtGui, QtWidgets

from engines.errors import InputError
from engines.segment.catalogue import CLASS_NOTATION, CLASS_UNITS
from tasks.lexicon_view import FIELDS, Arrangement, arrange_job, search
from workbench.jobs import JobSlot
from workbench.widgets.fonts import cjk_font
from workbench.widgets.sort_header import use_sort_header

# (header, LexiconColumns field, header tooltip), in the order of tasks.lexicon_view.FIELDS
COLUMNS = (
    ("word", "word", CLASS_NOTATION),
    ("class", "unit_class", "the class units in the word: " + ", ".join(f"{c.name} ({c.symbol})" for c in CLASS_UNITS)),
    ("count", "count", "how often the word occurs in the segmented text"),
    ("cand.", "candidates", "how often the cut pass produced the word as a candidate piece (what the segmenter's "
                            "probabilities were estimated from)"),
    ("score", "score", "min-PMI cohesion: ln(N·n(w)/(n(left)·n(right))) at the word's weakest split"),
    ("length", "length", "characters of the word as written here (a number or latin run is one)"),
    ("new", "new", "not in jieba's dictionary"),
    ("in base", "in_base", "how often the base corpus writes the word (0, green: new in this text; blank: no base "
                           "corpus chosen)"),
)
SEARCH_TIP = "A Python regular expression matched anywhere in the word, e.g. ^中 or 国$"
NUMERIC = {"count", "cand.", "score", "length", "in base"}
NEW_BRUSH = QtGui.QBrush(QtGui.QColor("#e6f4ea"))
_DESCRIPTIONS = {c.name: f"{c.symbol}: {c.description}" for c in CLASS_UNITS}


class LexiconModel(QtCore.QAbstractTableModel):
    """The rows ``order`` picks from ``columns``, read cell by cell; ``sort`` asks the table to re-arrange."""

    sort_requested = QtCore.Signal(int, bool)  # column, descending

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.columns = None
        self.order = np.zeros(0, np.int64)

    def show(self, columns, order: np.ndarray) -> None:
        self.beginResetModel()
        self.columns, self.order = columns, order
        self.endResetModel()

    def rowCount(self, parent=QtCore.QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.order)

    def columnCount(self, parent=QtCore.QModelIndex()) -> int:  # noqa: N802
        return len(COLUMNS)

    def sort(self, column: int, order=QtCore.Qt.SortOrder.AscendingOrder) -> None:
        self.sort_requested.emit(column, order == QtCore.Qt.SortOrder.DescendingOrder)

    def headerData(self, section, orientation, role=QtCore.Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation != QtCore.Qt.Orientation.Horizontal:
            return None
        if role == QtCore.Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section][0]
        if role == QtCore.Qt.ItemDataRole.ToolTipRole:
            return COLUMNS[section][2]
        return None

    def data(self, index, role=QtCore.Qt.ItemDataRole.DisplayRole):
        i = int(self.order[index.row()])
        header, name, _ = COLUMNS[index.column()]
        cols = self.columns
        if role == QtCore.Qt.ItemDataRole.DisplayRole:
            value = getattr(cols, name)[i]
            if header == "score":
                return "∞" if value == float("inf") else f"{value:.2f}"
            if header == "new":
                return "new" if value else ""
            if header == "in base":
                return "" if value < 0 else ("0 (new)" if value == 0 else str(value))
            return str(value)
        if role == QtCore.Qt.ItemDataRole.ToolTipRole and cols.unit_class[i]:
            return "\n".join(_DESCRIPTIONS[c] for c in cols.unit_class[i].split("+"))
        if role == QtCore.Qt.ItemDataRole.BackgroundRole and (cols.new[i] or cols.in_base[i] == 0):
            return NEW_BRUSH
        if role == QtCore.Qt.ItemDataRole.TextAlignmentRole and header in NUMERIC:
            return int(QtCore.Qt.AlignmentFlag.AlignRight | QtCore.Qt.AlignmentFlag.AlignVCenter)
        return None


class LexiconTable(QtWidgets.QWidget):
    """Search box, new-words filter, the table and a summary; ``arranged`` fires when the rows shown
    follow the latest lexicon, sort and search."""

    arranged = QtCore.Signal()

    def __init__(self, slot: JobSlot, parent=None) -> None:
        super().__init__(parent)
        self._slot = slot
        self._rows: list = []
        self._columns = None  # tasks.lexicon_view.LexiconColumns of _rows, once a job built them
        self._sort = ("count", True)
        self.summary = QtWidgets.QLabel("")
        self.summary.setWordWrap(True)
        self.model = LexiconModel(self)
        self.model.sort_requested.connect(self._sort_by)
        self.search = QtWidgets.QLineEdit(placeholderText="search words (regular expression)")
        self.search.setToolTip(SEARCH_TIP)
        self.search.setClearButtonEnabled(True)
        self._debounce = QtCore.QTimer(self, singleShot=True, interval=250)
        self._debounce.timeout.connect(self._arrange)
        self.search.textChanged.connect(self._debounce.start)
        self.only_new = QtWidgets.QCheckBox("only new words")
        self.only_new.setToolTip("Only the words missing from jieba's dictionary")
        self.only_new.toggled.connect(self._arrange)
        self.view = QtWidgets.QTableView()
        self.view.setModel(self.model)
        use_sort_header(self.view)
        self.view.setSortingEnabled(True)
        self.view.horizontalHeader().setSortIndicator(FIELDS.index("count"), QtCore.Qt.SortOrder.DescendingOrder)
        self.view.setFont(cjk_font(11))
        rows = self.view.verticalHeader()
        rows.setSectionResizeMode(QtWidgets.QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(22)
        self.view.horizontalHeader().setStretchLastSection(True)
        self._fitted = False  # columns sized to their header and the rows on screen once per lexicon
        top = QtWidgets.QHBoxLayout()
        top.addWidget(self.search, 1)
        top.addWidget(self.only_new)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.summary)

    def set_rows(self, rows: list) -> None:
        """A new lexicon (:class:`engines.segment.lexicon.LexiconRow` list, most frequent first)."""
        self._rows, self._columns, self._fitted = rows, None, False
        self._arrange()

    def _sort_by(self, column: int, descending: bool) -> None:
        self._sort = (FIELDS[column], descending)
        self._arrange()

    def _arrange(self) -> None:
        self._debounce.stop()
        try:
            search(self.search.text())
        except InputError as exc:
            self.search.setStyleSheet("QLineEdit { color: #c62828; }")
            self.search.setToolTip(str(exc))
            return
        self.search.setStyleSheet("")
        self.search.setToolTip(SEARCH_TIP)
        if not self._rows:  # nothing to arrange (also before the first lexicon): no job, no "0 words"
            self._slot.cancel()
            self.model.show(None, np.zeros(0, np.int64))
            self.summary.setText("")
            return
        how = Arrangement(*self._sort, pattern=self.search.text(), only_new=self.only_new.isChecked())
        handle = self._slot.start("Sort and search the lexicon", arrange_job, self._rows, self._columns, how)
        handle.succeeded.connect(self._arranged)

    def _arranged(self, done) -> None:
        self._columns = done.columns
        self.model.show(done.columns, done.order)
        base = done.columns.in_base is not None and bool((done.columns.in_base >= 0).any())
        self.view.setColumnHidden(FIELDS.index("in_base"), not base)  # shown only with a base corpus
        if not self._fitted:  # no column narrower than its header or the cells on screen; later sorts keep widths
            header = self.view.horizontalHeader()
            header.setStretchLastSection(False)  # a stretched section never shrinks below its width before
            self.view.resizeColumnsToContents()
            header.setStretchLastSection(True)  # the last column shown fills the rest
            self._fitted = True
        total, new = len(done.columns), int(done.columns.new.sum())
        shown = f"{len(done.order):,} shown of " if len(done.order) != total else ""
        self.summary.setText(f"{shown}{total:,} words of two or more units; {new:,} not in jieba's dictionary "
                             "(green). " + " ".join(f"{c.symbol} {c.label}." for c in CLASS_UNITS))
        self.arranged.emit()
