"""The Segmentation panel: a thin client of :mod:`tasks.segmentation`.

Jobs run in slots: discovering a corpus (count, lexicon, segment) replaces and silences whatever was
computed for the previous one (re-segmentation, sweep, jieba); moving a setting re-segments from the
cached counts. The segmented words can be sent to the clustering panel's word graph. After each
segmentation the templates of its first lines are found (a table beside the lexicon; a click highlights a
template's matches in the text, and the line under the cursor shows its parse below the text).
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6 import QtCore, QtWidgets

from engines.segment.catalogue import CORPORA
from tasks.segmentation import SWEEP
from workbench.panel import Figure, Panel, PanelContext
from workbench.panels.segment import INFO
from workbench.panels.segment.controls import SegmentControls
from workbench.panels.segment.lexicon_table import LexiconTable
from workbench.panels.segment.templates_view import ParseTree, TemplatesTable
from workbench.panels.segment.text_view import SegmentedText
from workbench.panels.segment.threshold_chart import ThresholdChart

LEGEND = ('<span style="background:#dbe8fb">&nbsp;word&nbsp;</span><span style="background:#fde7cc">&nbsp;word&nbsp;'
          '</span> alternate; <b style="color:#c62828">red</b>: merged across a gold boundary; '
          '<b style="color:#e67e00">orange</b>: cut inside a gold word. Hover a │ for its statistic.')


class SegmentPanel(Panel):
    info = INFO

    def __init__(self, context: PanelContext, parent=None) -> None:
        super().__init__(context, parent)
        self._sweep_job = self.job_slot("sweep")
        self._jieba_job = self.job_slot("jieba")
        self._resegment_job = self.job_slot("resegment")
        self._templates_job = self.job_slot("templates")
        self._discover_job = self.job_slot("discover", invalidates=(self._resegment_job, self._sweep_job,
                                                                    self._jieba_job, self._templates_job))
        self._templates = None  # tasks.segment_templates.Templates of the lines shown
        self.state = None  # tasks.segmentation.Segmentation shown
        self._jieba = None  # engines.segment.reference.Baseline of the corpus shown
        self._first_done = False
        self._swept = None  # the settings of the last sweep, its own threshold zeroed
        self._last_sweep = None  # tasks.segmentation.Sweep drawn (the sweep so far)

        # ---- sidebar
        self.controls = SegmentControls()
        self.controls.corpus_chosen.connect(self.discover)
        self.controls.changed.connect(self._schedule)
        self._corpus = self.controls.corpus  # (corpus, gold) of the last discovery
        self.metrics_label = QtWidgets.QLabel("counting the built-in corpus…")
        self.metrics_label.setWordWrap(True)
        self.metrics_label.setTextFormat(QtCore.Qt.TextFormat.RichText)
        self.jieba_button = QtWidgets.QPushButton("Compare with jieba")
        self.jieba_button.clicked.connect(self.run_jieba)
        self.words_button = QtWidgets.QPushButton("Cluster these words")
        self.words_button.setToolTip("Send the words of the first segmented lines to the clustering panel, "
                                     "which finds modules of their co-occurrence graph (InfoMap)")
        self.words_button.setEnabled(False)
        self.words_button.clicked.connect(self.send_words)
        legend = QtWidgets.QLabel(LEGEND)
        legend.setWordWrap(True)
        sidebar = QtWidgets.QWidget()
        side = QtWidgets.QVBoxLayout(sidebar)
        side.addWidget(self.controls)
        side.addWidget(self.metrics_label)
        side.addWidget(self.jieba_button)
        side.addWidget(self.words_button)
        side.addWidget(legend)
        side.addStretch(1)
        sidebar.setFixedWidth(300)
        self._rerun = QtCore.QTimer(self, singleShot=True, interval=400)
        self._rerun.timeout.connect(self.resegment)

        # ---- views
        self.text = SegmentedText()
        self.lexicon = LexiconTable(self.job_slot("lexicon"))
        self.chart = ThresholdChart()
        self.templates = TemplatesTable()
        self.templates.picked.connect(self._pick_template)
        self._refind = QtCore.QTimer(self, singleShot=True, interval=400)
        self._refind.timeout.connect(self.run_templates)
        self.templates.changed.connect(self._refind.start)
        self.parse_tree = ParseTree()
        self.text.line_selected.connect(self._show_parse)
        self.tabs = QtWidgets.QTabWidget()
        self.tabs.addTab(self.lexicon, "Lexicon")
        self.tabs.addTab(self.templates, "Templates")
        right = QtWidgets.QSplitter(QtCore.Qt.Orientation.Vertical)
        right.addWidget(self.tabs)
        right.addWidget(self.chart)
        right.setSizes([520, 300])
        left = QtWidgets.QSplitter(QtCore.Qt.Orientation.Vertical)
        left.addWidget(self.text)
        left.addWidget(self.parse_tree)
        left.setSizes([600, 200])
        views = QtWidgets.QSplitter()
        views.addWidget(left)
        views.addWidget(right)
        views.setSizes([540, 540])  # the lexicon's columns fit at 1280 px (without a base corpus's column)
        layout = QtWidgets.QHBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(sidebar)
        layout.addWidget(views, 1)

    def params(self):
        return self.controls.params()

    # ------------------------------------------------------------------ jobs
    def start(self) -> None:
        self.discover(*self.controls.corpus)

    def discover(self, corpus: str, gold: str | None) -> None:
        """Count ``corpus``, learn its lexicon, segment it and score it against ``gold``."""
        from tasks.segmentation import SegmentRequest, discover_job

        self._corpus = (corpus, gold)
        self._jieba = None
        self.chart.set_sweep([], [], [])  # the old corpus's curves leave with it
        self._swept = self._last_sweep = None
        name = CORPORA[corpus].label if corpus in CORPORA.names else Path(corpus).name
        self.metrics_label.setText(f"reading and counting {name}…")
        base, weight = self.controls.base
        request = SegmentRequest(corpus, gold, self.params(), device=self.context.device(),
                                 scheduler=self.controls.scheduler, base_corpus=base, base_weight=weight)
        handle = self._discover_job.start("Discover a lexicon", discover_job, request)
        handle.succeeded.connect(self._discovered)
        handle.failed.connect(self._failed)

    def _schedule(self) -> None:
        self._rerun.start()

    def resegment(self) -> None:
        """The settings changed: a new lexicon and segmentation from the cached counts (while a corpus is
        being counted this waits: the discovery re-segments when it is done if the settings moved)."""
        if self.state is None or self._discover_job.running:
            return
        from tasks.segmentation import resegment_job

        handle = self._resegment_job.start("Re-segment", resegment_job, self.state, self.params())
        handle.succeeded.connect(self._show)
        handle.failed.connect(self._failed)

    def _discovered(self, state) -> None:
        self._show(state)
        if state.params != self.params():  # the settings moved while the corpus was counted
            self.resegment()
        self.run_sweep()  # the first launch counts as drawn once the sweep chart is drawn too

    def _show(self, state) -> None:
        self.state = state
        self.text.set_lines(state.result.lines, state.params.threshold(2), state.params.word_bonus,
                            state.params.statistic)
        self.lexicon.set_rows(state.rows)
        self.chart.set_current(state.params.threshold(2))
        if self._swept is not None and self._held(state.params) != self._swept:
            self.run_sweep()  # a setting the sweep holds fixed moved: its curves are of other settings
        elif self._last_sweep is not None:
            self._show_sweep(self._last_sweep)  # the statistic may have changed: its curve is drawn bold
        self.words_button.setEnabled(bool(state.result.sample))
        self._show_metrics()
        self.run_templates()

    def _failed(self, error) -> None:
        self.metrics_label.setText(f'<span style="color:#c62828">{error.message}</span>')
        self.context.show_message(error.message)
        self._mark_first()

    def _mark_first(self, *_args) -> None:
        if not self._first_done:
            self._first_done = True
            self.first_job_done.emit()

    def _show_metrics(self) -> None:
        s = self.state
        r, c = s.result, s.counted
        lines = [f"<b>{c.name}</b>: {c.stats.describe()}, {c.n_chars:,} characters"
                 + (f" (+ base corpus, {c.pooled.n_chars - c.n_chars:,} characters)" if c.pooled is not None else ""),
                 f"lexicon: {r.lexicon_size:,} words; bits/char {r.bits_before:.3f} → <b>{r.bits_after:.3f}</b>",
                 "times: " + ", ".join(f"{k[:-2]} {v:.1f} s" for k, v in s.timings.items())]
        if r.scores is not None:
            sc = r.scores
            oov = f", OOV recall {sc.oov_recall:.3f}" if sc.oov_recall is not None else ""
            lines.append(f"P {sc.precision:.3f}  R {sc.recall:.3f}  <b>F1 {sc.f1:.4f}</b>{oov}")
            lines.append(f"over-merges {int(sc.over_merge.sum()):,}, over-splits {int(sc.over_split.sum()):,}")
        if self._templates is not None:
            r = self._templates.result
            lines.append(f"templates ({r.stream.n_lines:,} lines): bits/char {r.bits_words:.3f} → "
                         f"<b>{r.bits_templates:.3f}</b>")
        if self._jieba is not None:
            js, secs = self._jieba.scores, self._jieba.seconds
            if js is not None:
                lines.append(f"jieba: F1 <b>{js.f1:.4f}</b> (P {js.precision:.3f}, R {js.recall:.3f}) in {secs:.1f} s")
            else:
                lines.append(f"jieba: {secs:.1f} s (no gold to score)")
        self.metrics_label.setText("<br>".join(lines))

    def run_templates(self) -> None:
        """Find the templates of the segmented sample lines and parse them (after the lexicon)."""
        from engines.segment.templates import params_of
        from tasks.segment_templates import templates_job

        if self.state is None:
            return
        self._templates = None
        self.templates.set_templates([], "finding templates in the first segmented lines…")
        self.parse_tree.set_parse("parse of the line at the cursor", None, {})
        handle = self._templates_job.start("Find templates", templates_job, self.state.result.sample,
                                           params_of(self.templates.form.values()))
        handle.succeeded.connect(self._templates_found)
        handle.failed.connect(self._failed)

    def _templates_found(self, found) -> None:
        self._templates = found
        r = found.result
        self.templates.set_templates(found.templates, (
            f"{len(found.templates):,} templates in the first {r.stream.n_lines:,} lines; bits/char of their "
            f"words {r.bits_words:.3f} → <b>{r.bits_templates:.3f}</b> with templates. Click one to see its "
            "matches (green: its words, yellow: its slots)."))
        self._show_parse(self.text.textCursor().blockNumber())
        self._show_metrics()

    def _pick_template(self, rank) -> None:
        """Highlight the matches of the template of ``rank`` in the lines shown (None: none)."""
        from engines.segment.parses import line_matches

        marks: dict[int, dict[int, str]] = {}
        if rank is not None and self._templates is not None:
            result = self._templates.result
            for k in range(min(len(self.state.result.lines), result.stream.n_lines)):
                for row in line_matches(result, rank, k):
                    line = marks.setdefault(k, {})
                    line.update({p: "slot" for p in range(row[0] + 1, row[-1])})
                    line.update({p: "literal" for p in row})
        self.text.set_marks(marks)

    def _show_parse(self, k: int) -> None:
        """The parse tree of line ``k`` under the text."""
        from engines.segment.parses import parse_line

        found = self._templates
        if found is None or not 0 <= k < found.result.stream.n_lines:
            return
        node = parse_line(found.result, k)
        self.parse_tree.set_parse(f"parse of line {k + 1}", node, {t.rank: t.pattern for t in found.templates})
        self.parse_tree.setToolTip(node.bracketed())

    def run_sweep(self) -> None:
        if self.state is None:
            return
        from tasks.segmentation import sweep_job

        self._swept = self._held(self.state.params)
        handle = self._sweep_job.start("Threshold sweep", sweep_job, self.state)
        handle.partial.connect(self._show_sweep)
        handle.succeeded.connect(self._show_sweep)
        handle.done.connect(self._mark_first)

    @staticmethod
    def _held(params):
        """What the sweep holds fixed: the settings but the pair threshold and the statistic (it sweeps both)."""
        return params.with_values({"threshold_2": 0.0, "statistic": "pmi"})

    def _show_sweep(self, done) -> None:
        self._last_sweep = done
        current = self.state.params.statistic if self.state is not None else "pmi"
        self.chart.set_sweep(done.thresholds, done.f1, done.sizes, done.statistics, current)
        if done.statistics.count(done.statistics[0]) >= len(SWEEP):  # the current statistic's curve is drawn
            self._mark_first()

    def run_jieba(self) -> None:
        if self.state is None:
            return
        from tasks.segmentation import jieba_job

        handle = self._jieba_job.start("jieba baseline", jieba_job, self.state)
        handle.succeeded.connect(self._jieba_done)
        handle.failed.connect(self._failed)

    def _jieba_done(self, baseline) -> None:
        self._jieba = baseline
        self._show_metrics()

    def send_words(self) -> bool:
        """Send the words of the segmented sample lines to the clustering panel (its word graph)."""
        if self.state is None:
            return False
        return self.context.send_to("cluster", "words", self.state.words())

    # ------------------------------------------------------------------ shell interface
    def open_path(self, kind: str, path: Path) -> None:
        from engines.errors import InputError

        if kind != "corpus":
            raise InputError(f"the segmentation panel does not open {kind} files")
        if not path.exists():
            raise InputError(f"{path} does not exist")
        self.controls.add_corpus(path.name, str(path))
        self.discover(str(path), None)

    def figures(self) -> list[Figure]:
        return [Figure("F1 and lexicon size against the threshold", self.chart, self.chart.data)]

    def parameters(self) -> dict[str, Any]:
        base, weight = self.controls.base
        return {"panel": INFO.name, "corpus": self._corpus[0], "gold": self._corpus[1], **self.params().as_dict(),
                "base_corpus": base, "base_weight": weight, **self.templates.form.values()}
