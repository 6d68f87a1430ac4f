"""The clustering panel: the controls on the left; the scatter (or the word modules) with its metrics on
the right. Its jobs are those of :mod:`tasks.clustering`, in one slot: a new clustering replaces the last."""
from __future__ import annotations

import html
from pathlib import Path
from typing import Any

import numpy as np
from PySide6 import QtWidgets

from engines.cluster.catalogue import EMBEDDINGS, METHODS, METRICS, describe_metric
from workbench.panel import Figure, Panel, PanelContext
from workbench.panels.cluster import INFO
from workbench.panels.cluster.controls import ClusterControls
from workbench.panels.cluster.module_tree import ModuleTree
from workbench.panels.cluster.modules_view import WordModulesView
from workbench.panels.cluster.scatter import ClusterScatter
from workbench.widgets.sidebar import beside_sidebar, sidebar


class ClusterPanel(Panel):
    """Clusters of points or words; see :data:`workbench.panels.cluster.INFO`."""

    info = INFO

    def __init__(self, context: PanelContext, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(context, parent)
        from tasks.clustering import FIRST_LAUNCH

        self.cluster_job = self.job_slot()
        self.result = None  # the clustering shown: tasks.clustering.ClusterResult or engines.cluster.words.WordModules
        self._parameters: dict[str, Any] = {}
        self._export_name = ""
        self._first_done = False

        self.controls = ClusterControls()
        self.controls.set_request(FIRST_LAUNCH)
        self.summary = QtWidgets.QLabel("")
        self.summary.setWordWrap(True)  # a long error message wraps instead of widening the window
        self.scatter = ClusterScatter()
        self.modules_view = WordModulesView()
        self.views = QtWidgets.QStackedWidget()
        self.views.addWidget(self.scatter)
        self.views.addWidget(self.modules_view)
        self.module_tree = ModuleTree()
        self.module_tree.hide()  # InfoMap's results only
        self._build_layout()
        self.controls.run_requested.connect(self.run_cluster)
        self.controls.export_requested.connect(self._export_clicked)

    def _build_layout(self) -> None:
        side = QtWidgets.QWidget()
        column = QtWidgets.QVBoxLayout(side)
        column.setContentsMargins(4, 4, 4, 4)
        column.addWidget(self.controls)
        column.addStretch(1)
        shown = QtWidgets.QWidget()
        right = QtWidgets.QVBoxLayout(shown)
        right.setContentsMargins(0, 0, 0, 0)
        right.addWidget(self.summary)
        split = QtWidgets.QSplitter()
        split.addWidget(self.views)
        split.addWidget(self.module_tree)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)
        split.setSizes([780, 240])
        right.addWidget(split, 1)
        beside_sidebar(self, sidebar(side), shown)

    # ------------------------------------------------------------------ jobs
    def start(self) -> None:
        """First launch: the best method on the digits, unless another panel's data is being clustered."""
        if self.cluster_job.running:
            return  # its result is the first one drawn
        if self.result is not None:
            self._mark_first()
            return
        self.run_cluster()

    def run_cluster(self) -> None:
        """Cluster what the controls show, replacing the clustering running."""
        from tasks.clustering import (WordsRequest, cluster_points_job, cluster_words_job, in_process,
                                      points_parameters, words_parameters)

        source = self.controls.source()
        if self.controls.clustering_words():
            request = WordsRequest(levels=self.controls.options.values(["levels"])["levels"])
            parameters = {"panel": INFO.name, **words_parameters(source, request)}
            self.summary.setText(f"InfoMap on the word co-occurrence graph of {source.name}…")
            handle = self.cluster_job.start("InfoMap on words", cluster_words_job, source, request, process=True)
            handle.succeeded.connect(lambda modules: self._show_modules(modules, parameters))
        else:
            request = self.controls.request()
            device = self.context.device()
            name = source if isinstance(source, str) else source.name
            method, embedding = METHODS[request.method].label, EMBEDDINGS[request.embedding].label
            self.summary.setText(f"{method} on {embedding} of {self.controls.source_label()}…")
            self.scatter.waiting(f"{method} on {embedding} of {self.controls.source_label()}…")
            handle = self.cluster_job.start(f"Clustering ({method})", cluster_points_job, source, request, device,
                                            process=in_process(request))
            handle.succeeded.connect(lambda result: self._show_points(
                result, {"panel": INFO.name, **points_parameters(request, result, name, device)}))
        handle.failed.connect(self._failed)

    def _failed(self, error) -> None:
        self.summary.setText(f'<span style="color:#c62828">{html.escape(error.message)}</span>')
        self.context.show_message(error.message)
        self._mark_first()

    def _mark_first(self) -> None:
        if not self._first_done:
            self._first_done = True
            self.first_job_done.emit()

    def _show_points(self, result, parameters: dict[str, Any]) -> None:
        self._shown(result, parameters, self.scatter, f"clusters {result.method} {result.data_name}")
        self.context.clusters.publish(result)  # the latent panel may colour the same rows by these clusters
        self.scatter.set_result(result)
        rows = result.rows if result.rows is not None else np.arange(len(result.assignments))
        names = [f"point {int(r)}" + (f", class {result.labels[i]}" if result.labels is not None else "")
                 for i, r in enumerate(rows)]
        self._show_tree(result, names, result.metrics.get("codelength"))
        m = result.metrics
        self.summary.setText(" · ".join(describe_metric(k, v) for k, v in m.items()) + f" · {result.seconds:.1f} s")
        self.summary.setToolTip("\n".join(f"{METRICS[k][0]}: {METRICS[k][2]}" for k in m if k in METRICS))
        self._mark_first()

    def _show_modules(self, modules, parameters: dict[str, Any]) -> None:
        self._shown(modules, parameters, self.modules_view, "word modules")
        self.modules_view.set_modules(modules)
        self._show_tree(modules, list(modules.words), modules.codelength)
        self.summary.setText(f"InfoMap: {len(modules.modules)} modules, saving {100 * modules.saving:.1f}%")
        self._mark_first()

    def _show_tree(self, result, names: list[str], codelength: float | None) -> None:
        """InfoMap's module tree beside the view (hidden for the other methods)."""
        paths = getattr(result, "paths", None)
        self.module_tree.setVisible(paths is not None)
        if paths is not None:
            self.module_tree.set_hierarchy(paths, names, result.levels, codelength)

    def _shown(self, result, parameters: dict[str, Any], view: QtWidgets.QWidget, export_name: str) -> None:
        self.result = result
        self._parameters = parameters
        self._export_name = export_name
        self.controls.export_button.setEnabled(True)
        self.views.setCurrentWidget(view)

    # ------------------------------------------------------------------ export
    def _export_clicked(self) -> None:
        from workbench.export.dialogs import CSV, ask_save_path

        filters = [CSV] + (["InfoMap modules (*.clu)", "InfoMap tree (*.tree)"] if self.result.clu is not None else [])
        path = ask_save_path(self, self.context.settings, "Export clusters", filters, self._export_name)
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
        from engines.errors import InputError
        from engines.export.staging import staged_outputs
        from tasks.clustering import write_clusters
        from tasks.outputs import write_sidecar

        if self.result is None:
            raise InputError("there is no clustering to export yet")
        with staged_outputs(path.parent) as stage:
            staged = write_clusters(self.result, stage / path.with_suffix(".csv").name, stage / path.stem)
            for p in staged:
                write_sidecar(p, self.parameters())
        return [path.parent / p.name for p in staged]

    # ------------------------------------------------------------------ shell interface
    def open_path(self, kind: str, path: Path) -> None:
        """A dataset of vectors (.npy, .npz, .csv): clustered at once with the method chosen."""
        from engines.errors import InputError

        if kind != "dataset":
            raise InputError(f"the {INFO.title} panel does not open {kind} files")
        if not path.exists():
            raise InputError(f"{path} does not exist")
        self.controls.add_source(path.name, str(path))
        self.run_cluster()

    def receive(self, kind: str, payload: Any) -> None:
        """``"vectors"`` (:class:`tasks.clustering.Vectors`, e.g. a model's codes): clustered with the method
        chosen; ``"words"`` (:class:`tasks.clustering.Words`, segmented text): its word modules."""
        from tasks.clustering import checked_words, points_from_vectors

        if kind == "vectors":
            data = points_from_vectors(payload)
            self.controls.add_source(f"{data.name} ({len(data.x):,} × {data.x.shape[1]})", data)
        elif kind == "words":
            words = checked_words(payload)
            self.controls.add_source(f"words of {words.name}", words)
        else:
            return super().receive(kind, payload)  # refuses it
        self.run_cluster()

    def figures(self) -> list[Figure]:
        return [Figure("Clusters", self.scatter, self.scatter.data)]

    def parameters(self) -> dict[str, Any]:
        return dict(self._parameters) if self._parameters else {"panel": INFO.name}
