"""The panel's templates: found after the lexicon on the segmented sample, a table beside the lexicon, a
click marks the template's matches in the text, the line at the cursor shows its parse."""
import pytest
from PySide6 import QtCore

TIMEOUT_MS = 90_000


@pytest.fixture
def panel(qtbot, make_panel):
    import workbench.panels.segment as segment

    return make_panel(segment)


def test_templates_table_marks_and_parse(qtbot, panel, tmp_path):
    from engines.segment.corpus import builtin_paths

    lines = builtin_paths("peoples-daily")[0].read_text(encoding="utf-8").splitlines()[:1500]
    path = tmp_path / "pd1500.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    panel.discover(str(path), None)
    qtbot.waitUntil(lambda: panel._templates is not None and panel.templates.table.rowCount() > 0,
                    timeout=TIMEOUT_MS)
    found = panel._templates
    assert found.result.stream.n_lines == 1500
    table = panel.templates.table
    assert table.rowCount() == len(found.templates)
    assert "bits/char" in panel.templates.summary.text() and "templates" in panel.metrics_label.text()
    # pick a template that matches in the lines shown
    shown = range(len(panel.state.result.lines))
    from engines.segment.parses import line_matches
    row = next(r for r in range(table.rowCount())
               if any(line_matches(found.result, table.item(r, 0).data(QtCore.Qt.ItemDataRole.UserRole), k) for k in shown))
    rank = table.item(row, 0).data(QtCore.Qt.ItemDataRole.UserRole)
    table.selectRow(row)
    marked = panel.text._marks
    first = min(marked)
    words = panel.state.result.lines[first].words
    literal = [words[p] for p, kind in sorted(marked[first].items()) if kind == "literal"]
    template = next(t for t in found.templates if t.rank == rank)
    assert literal[: len(template.words)] == list(template.words)
    qtbot.waitUntil(lambda: panel.text.complete, timeout=TIMEOUT_MS)
    assert "#43a047" in panel.text.toHtml()
    assert panel.text.textCursor().blockNumber() == first  # scrolled to the first match
    tree = panel.parse_tree
    assert tree.headerItem().text(0) == f"parse of line {first + 1}"
    kinds = []
    items = [tree.topLevelItem(i) for i in range(tree.topLevelItemCount())]
    while items:
        item = items.pop()
        kinds.append(item.text(1))
        items += [item.child(i) for i in range(item.childCount())]
    assert "template" in kinds and "slot" in kinds
    table.clearSelection()
    assert panel.text._marks == {}
    before = len(found.templates)
    panel.templates.form.editors["template_min_count"].setValue(60)
    qtbot.waitUntil(lambda: panel._templates is not None and panel._templates is not found, timeout=TIMEOUT_MS)
    counts = [t.count for t in panel._templates.templates]
    assert len(counts) < before and min(counts) >= 60
    assert panel.parameters()["template_min_count"] == 60
