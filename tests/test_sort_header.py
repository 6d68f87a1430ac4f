"""A sorted column's header arrow points the way the column runs: down when the largest value comes first."""
import numpy as np
import pytest
from PySide6 import QtCore, QtGui, QtWidgets

from workbench.widgets.sort_header import SortHeader, use_sort_header


def _arrow_rows(header: QtWidgets.QHeaderView) -> list[int]:
    """Dark pixels per row of the sorted section, top to bottom (the section has no text: only its arrow)."""
    image = header.grab().toImage().convertToFormat(QtGui.QImage.Format.Format_Grayscale8)
    width, height = image.width(), image.height()
    grey = np.frombuffer(image.constBits(), np.uint8).reshape(height, image.bytesPerLine())[:, :width]
    left = header.sectionViewportPosition(0)
    section = grey[:, left:left + header.sectionSize(0)]
    rows = (section < 110).sum(axis=1)
    return [int(r) for r in rows if r]


@pytest.mark.parametrize("order, widest_first", [(QtCore.Qt.SortOrder.DescendingOrder, True),
                                                  (QtCore.Qt.SortOrder.AscendingOrder, False)])
def test_the_arrow_points_down_over_a_descending_column(qtbot, order, widest_first):
    model = QtGui.QStandardItemModel(3, 2)
    model.setHorizontalHeaderLabels(["", "other"])
    view = QtWidgets.QTableView()
    qtbot.addWidget(view)
    view.setModel(model)
    header = use_sort_header(view)
    assert isinstance(view.horizontalHeader(), SortHeader)
    view.setSortingEnabled(True)
    header.setSortIndicator(0, order)
    view.resize(300, 150)
    view.show()
    qtbot.waitExposed(view)
    rows = _arrow_rows(header)
    assert len(rows) >= 3  # an arrow was drawn
    assert (rows[0] > rows[-1]) == widest_first  # ▼: wide top, narrow tip below; ▲ the other way
