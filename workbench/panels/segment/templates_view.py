"""Templates of the segmented lines: a table (template, count, bits saved, examples) whose selection picks
the template the text view highlights, and the parse tree of the line under the text cursor."""
from __future__ import annotations

from PySide6 import QtCore, QtWidgets

from engines.segment import template_catalogue as tc
from workbench.widgets.fonts import cjk_font
from workbench.widgets.option_form import OptionForm
from workbench.widgets.sort_header import use_sort_header

HEADERS = (
    ("template", "the template's words with its slots X, Y (1 to 3 words each)"),
    ("count", "matches used to code the text (their words not taken by a template ranked before)"),
    ("bits saved", "bits the code of the text saves with this template: fewer tokens, less the slot "
                   "lengths and the template's own description (minimum entropy)"),
    ("examples", "matches in the text, slot contents in brackets"),
)


class TemplatesTable(QtWidgets.QWidget):
    """The finder's settings, the templates, most bits saved first (sortable); ``picked`` sends the
    selected template's rank (None: no selection), ``changed`` a change of the settings."""

    picked = QtCore.Signal(object)
    changed = QtCore.Signal()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.summary = QtWidgets.QLabel("templates: waiting for the segmentation…")
        self.summary.setWordWrap(True)
        self.form = OptionForm(tc.OPTIONS)
        self.form.changed.connect(self.changed)
        self.table = QtWidgets.QTableWidget(0, len(HEADERS))
        use_sort_header(self.table)
        for column, (name, tip) in enumerate(HEADERS):
            item = QtWidgets.QTableWidgetItem(name)
            item.setToolTip(tip)
            self.table.setHorizontalHeaderItem(column, item)
        self.table.setFont(cjk_font(11))
        self.table.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QtWidgets.QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QtWidgets.QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(22)
        self.table.horizontalHeader().setStretchLastSection(True)
        for column, width in enumerate((110, 50, 84)):
            self.table.setColumnWidth(column, width)
        self.table.setToolTip("Click a template to highlight its matches in the segmented text")
        self.table.itemSelectionChanged.connect(self._selected)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.form)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.summary)

    def set_templates(self, templates: list, text: str) -> None:
        """Show ``templates`` (engines.segment.templates.Template, most bits saved first) and a summary."""
        self.table.setSortingEnabled(False)
        self.table.clearSelection()
        self.table.setRowCount(len(templates))
        for row, t in enumerate(templates):
            pattern = QtWidgets.QTableWidgetItem(t.pattern)
            pattern.setData(QtCore.Qt.ItemDataRole.UserRole, t.rank)
            pattern.setToolTip(f"{t.pattern}: {' … '.join(t.words)} with slots between")
            self.table.setItem(row, 0, pattern)
            for column, value in ((1, t.count), (2, round(t.bits_saved, 1))):
                item = QtWidgets.QTableWidgetItem()
                item.setData(QtCore.Qt.ItemDataRole.DisplayRole, value)
                item.setTextAlignment(QtCore.Qt.AlignmentFlag.AlignRight | QtCore.Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(row, column, item)
            examples = QtWidgets.QTableWidgetItem(" / ".join(t.examples))
            examples.setToolTip("\n".join(t.examples))
            self.table.setItem(row, 3, examples)
        self.table.setSortingEnabled(True)
        self.table.sortItems(2, QtCore.Qt.SortOrder.DescendingOrder)
        self.summary.setText(text)

    def set_status(self, text: str) -> None:
        self.summary.setText(text)

    def _selected(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        item = self.table.item(rows[0].row(), 0) if rows else None
        self.picked.emit(None if item is None else item.data(QtCore.Qt.ItemDataRole.UserRole))


class ParseTree(QtWidgets.QTreeWidget):
    """The parse of one line: template matches, their literals and slots, nested."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setColumnCount(2)
        self.setHeaderLabels(["parse of the line at the cursor", "what"])
        self.setFont(cjk_font(11))
        self.header().setStretchLastSection(False)
        self.header().setSectionResizeMode(0, QtWidgets.QHeaderView.ResizeMode.Stretch)
        self.setColumnWidth(1, 150)
        self.setToolTip("Click a line of the segmented text to see how its templates nest")

    def set_parse(self, title: str, node, patterns: dict[int, str]) -> None:
        """``node``: an engines.segment.parses.Node (None: nothing to show); ``patterns``: rank -> pattern."""
        self.clear()
        self.setHeaderLabels([title, "what"])
        if node is not None:
            self._add(self.invisibleRootItem(), node, patterns)
            self.expandAll()

    def _add(self, parent: QtWidgets.QTreeWidgetItem, node, patterns: dict[int, str]) -> None:
        """``node``'s children under ``parent``: a template's literals one by one, other runs of plain
        words as one row."""
        run: list[str] = []
        for child in [*node.children, None]:
            if isinstance(child, str) and node.kind != "match":
                run.append(child)
                continue
            if run:
                QtWidgets.QTreeWidgetItem(parent, [" ".join(run), "words" if len(run) > 1 else "word"])
                run = []
            if child is None:
                break
            if isinstance(child, str):
                QtWidgets.QTreeWidgetItem(parent, [child, "literal"])
            elif child.kind == "match":
                item = QtWidgets.QTreeWidgetItem(parent, [patterns.get(child.template, "?"), "template"])
                self._add(item, child, patterns)
            else:
                item = QtWidgets.QTreeWidgetItem(parent, [child.bracketed(), "slot"])
                self._add(item, child, patterns)
