"""The segmented text: words on alternating shades, a thin mark at every boundary whose tooltip gives the
statistic that decided it, and gold differences in colour (red: merged across a gold boundary, orange:
a piece of a gold word that was cut)."""
from __future__ import annotations

import html

from PySide6 import QtCore, QtGui, QtWidgets

from engines.segment.catalogue import STATISTICS
from workbench.widgets.fonts import cjk_font

SHADES = ("#dbe8fb", "#fde7cc")
MERGE = "#c62828"
SPLIT = "#e67e00"
MARKS = {"literal": "background-color:#43a047;color:white;font-weight:bold;",  # a template's word
         "slot": "background-color:#fff176;"}  # a word in its slot

def _spans(words: list[str]) -> list[tuple[int, int]]:
    out, pos = [], 0
    for w in words:
        out.append((pos, pos + len(w)))
        pos += len(w)
    return out


def word_status(words: list[str], gold: list[str] | None) -> list[str]:
    """"ok", "merge" (swallows a gold boundary) or "split" (inside a gold word) for each word."""
    if gold is None:
        return ["ok"] * len(words)
    gold_spans = set(_spans(gold))
    gold_starts = {s for s, _ in gold_spans} | {e for _, e in gold_spans}
    out = []
    for s, e in _spans(words):
        if (s, e) in gold_spans:
            out.append("ok")
        elif any(s < b < e for b in gold_starts):
            out.append("merge")
        else:
            out.append("split")
    return out


def entropy_line(word: str, nxt: str, entropies: tuple[float, float] | None) -> str:
    """The branching entropies at a gap, as the hover says them (empty when not computed)."""
    if entropies is None:
        return ""
    return (f"branching entropy: H_R({word}) = {entropies[0]:.2f}, "
            f"H_L({nxt}) = {entropies[1]:.2f} nats\n")


class SegmentedText(QtWidgets.QTextBrowser):
    """The first lines of the segmented corpus, one paragraph each, added a few lines per event-loop turn
    so that a long text never blocks the window (Qt lays out rich text on the GUI thread)."""

    LINES_PER_TURN = 10  # ~30 ms of layout
    line_selected = QtCore.Signal(int)  # the line under the text cursor (a click)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setOpenLinks(False)
        self.setFont(cjk_font(13))
        self.setMouseTracking(True)
        self._gaps: dict[str, str] = {}
        self.highlighted.connect(self._hover)
        self.threshold = 0.0
        self._bonus = 0.0
        self._statistic = "pmi"
        self._lines: list = []
        self._shown = 0
        self._more = QtCore.QTimer(self, singleShot=True, interval=0)
        self._more.timeout.connect(self._add_lines)
        self._marks: dict[int, dict[int, str]] = {}  # line -> word -> "literal" or "slot"
        self._goto: int | None = None  # a line to scroll to once it is laid out
        self.cursorPositionChanged.connect(lambda: self.line_selected.emit(self.textCursor().blockNumber()))

    def _hover(self, url: QtCore.QUrl) -> None:
        text = self._gaps.get(url.toString())
        if text:
            QtWidgets.QToolTip.showText(QtGui.QCursor.pos(), text, self)
        else:
            QtWidgets.QToolTip.hideText()

    @property
    def complete(self) -> bool:
        """True once every line given to :meth:`set_lines` is in the document."""
        return self._shown >= len(self._lines)

    def set_lines(self, lines, threshold: float, bonus: float, statistic: str = "pmi") -> None:
        self.threshold, self._bonus, self._statistic = threshold, bonus, statistic
        self._lines, self._marks, self._goto = list(lines), {}, None
        self._render()

    def _render(self) -> None:
        self._gaps = {}
        self._shown = 0
        self.clear()
        self._add_lines()

    def set_marks(self, marks: dict[int, dict[int, str]]) -> None:
        """Highlight words (line -> word index -> "literal" or "slot") and scroll to the first marked line."""
        self._marks = marks
        self._goto = min(marks) if marks else None
        self._render()

    def _add_lines(self) -> None:
        end = min(self._shown + self.LINES_PER_TURN, len(self._lines))
        text = "".join(self._line_html(li, self._lines[li]) for li in range(self._shown, end))
        if self._shown == 0:
            self.setHtml(text)
        else:
            cursor = QtGui.QTextCursor(self.document())
            cursor.movePosition(QtGui.QTextCursor.MoveOperation.End)
            cursor.insertBlock()  # else the first new paragraph joins the last one
            cursor.insertHtml(text)
        self._shown = end
        if self._goto is not None and self._goto < end:
            block = self.document().findBlockByNumber(self._goto)
            self.setTextCursor(QtGui.QTextCursor(block))
            top = self.document().documentLayout().blockBoundingRect(block).top()
            self.verticalScrollBar().setValue(int(top))  # the line at the top of the view
            self._goto = None
        if not self.complete:
            self._more.start()

    def _verdict(self, gap: float) -> str:
        """Why the gap is cut, in words (the pair's PMI decides alone only under the PMI statistic)."""
        if self._statistic != "pmi":
            return f"boundary statistic: {STATISTICS[self._statistic].label}; the best path Σ(log p(w) + bonus) cuts here"
        if gap <= self.threshold:
            return "weak pair (below the threshold)"
        return "strong pair, but the best path Σ(log p(w) + bonus) cuts here"

    def _line_html(self, li: int, line) -> str:
        status = word_status(line.words, line.gold)
        threshold, bonus = self.threshold, self._bonus
        cells = []
        marks = self._marks.get(li, {})
        for wi, (word, st) in enumerate(zip(line.words, status)):
            shade = SHADES[wi % 2]
            style = f"background-color:{shade};" + MARKS.get(marks.get(wi, ""), "")
            if st == "merge":
                style += f"color:{MERGE};font-weight:bold;"
            elif st == "split":
                style += f"color:{SPLIT};font-weight:bold;"
            cells.append(f'<span style="{style}">{html.escape(word)}</span>')
            if wi < len(line.words) - 1:
                gap = line.gaps[wi] if wi < len(line.gaps) else None
                key = f"gap:{li}:{wi}"
                nxt = line.words[wi + 1]
                if gap is None:
                    tip = f"{word} | {nxt}\ncut: punctuation, a number/latin run or a separator"
                else:
                    tip = f"{word[-1]} | {nxt[0]}\nPMI = ln(N·n(ab)/(n(a)·n(b))) = {gap:.2f}\n"
                    tip += entropy_line(word, nxt, line.entropies[wi] if line.entropies else None)
                    tip += f"pair threshold {threshold:.2f}, word bonus {bonus:.1f}\n{self._verdict(gap)}"
                self._gaps[key] = tip
                cells.append(f'<a href="{key}" style="color:#9aa0a6;text-decoration:none">│</a>')
        if line.gold is not None:
            merges, splits = status.count("merge"), status.count("split")
            if merges or splits:
                cells.append(f'<span style="color:#888;font-size:small">&nbsp;&nbsp;[{merges} merged, '
                             f'{splits} split pieces]</span>')
        return f'<p style="margin:0;line-height:165%">{"".join(cells)}</p>'
