"""The clustering sidebar: what to cluster, the method, its embedding and options (generated from
:mod:`engines.cluster.catalogue`), and the Cluster and Export buttons."""
from __future__ import annotations

from typing import Any

from PySide6 import QtCore, QtWidgets

from engines.cluster.catalogue import EMBEDDINGS, K, LEVELS, MARKOV_TIME, METHODS, NEIGHBOURS
from tasks.clustering import DIGITS, PointsRequest, Words
from workbench.widgets.option_form import OptionForm

DIGITS_LABEL = "digits (1,797 images)"
WORDS_ABOUT = ("InfoMap on the co-occurrence graph of the most frequent words: words that occur near the same "
               "words fall into one module.")
INFOMAP_K = "k (≤ 1.5 k modules)"  # InfoMap's k: its automatic Markov time leaves at most 1.5 k modules


def _about(entry) -> str:
    cite = f'<br><a href="{entry.url}">{entry.citation}</a>' if entry.url else ""
    return f"{entry.description}{cite}"


class ClusterControls(QtWidgets.QGroupBox):
    """Emits ``run_requested`` (Cluster) and ``export_requested`` (Export clusters…)."""

    run_requested = QtCore.Signal()
    export_requested = QtCore.Signal()

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__("Clustering", parent)
        self.data = QtWidgets.QComboBox()
        self.data.setToolTip("What to cluster: the digits, a dataset you opened, or what another panel sent")
        self.data.setSizeAdjustPolicy(QtWidgets.QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.data.addItem(DIGITS_LABEL, DIGITS)
        self.method = QtWidgets.QComboBox()
        for entry in METHODS:
            self.method.addItem(entry.label, entry.name)
            self.method.setItemData(self.method.count() - 1, entry.description, QtCore.Qt.ItemDataRole.ToolTipRole)
        self.embedding = QtWidgets.QComboBox()
        for entry in EMBEDDINGS:
            self.embedding.addItem(entry.label, entry.name)
            self.embedding.setItemData(self.embedding.count() - 1, entry.description, QtCore.Qt.ItemDataRole.ToolTipRole)
        self.options = OptionForm((K, NEIGHBOURS, MARKOV_TIME, LEVELS))
        self.about = QtWidgets.QLabel()
        self.about.setWordWrap(True)
        self.about.setOpenExternalLinks(True)
        self.run_button = QtWidgets.QPushButton("Cluster")
        self.export_button = QtWidgets.QPushButton("Export clusters…")
        self.export_button.setToolTip("Save the clustering shown as CSV (index, cluster[, label]; word modules: "
                                      "index, word, cluster); an InfoMap result also in InfoMap's own .clu and "
                                      ".tree formats")
        self.export_button.setEnabled(False)
        form = QtWidgets.QFormLayout(self)
        form.addRow("Data", self.data)
        form.addRow("Method", self.method)
        form.addRow("Embedding", self.embedding)
        form.addRow(self.options)
        form.addRow(self.about)
        form.addRow(self.run_button)
        form.addRow(self.export_button)
        self.method.currentIndexChanged.connect(self._method_changed)
        self.data.currentIndexChanged.connect(self._data_changed)
        self.options.changed.connect(self._data_changed)
        self.run_button.clicked.connect(self.run_requested)
        self.export_button.clicked.connect(self.export_requested)
        self._method_changed()

    # ------------------------------------------------------------------ what to cluster
    def add_source(self, label: str, data: Any) -> None:
        """Add (or refresh) a data entry and select it."""
        index = self.data.findText(label)
        if index < 0:
            self.data.addItem(label, data)
            index = self.data.count() - 1
        else:
            self.data.setItemData(index, data)
        self.data.setCurrentIndex(index)
        self._data_changed()  # also when the entry was selected already

    def source(self) -> Any:
        """``"digits"``, a path (str), points (engines.cluster.data.ClusterData) or words (tasks.clustering.Words)."""
        return self.data.currentData()

    def source_label(self) -> str:
        return self.data.currentText()

    def clustering_words(self) -> bool:
        return isinstance(self.source(), Words)

    # ------------------------------------------------------------------ how
    def request(self) -> PointsRequest:
        """The request for points that the controls show."""
        values = self.options.values()
        return PointsRequest(self.method.currentData(), values["k"], self.embedding.currentData(),
                             values["neighbours"], values["markov_time"], levels=values["levels"])

    def set_request(self, request: PointsRequest) -> None:
        self.method.setCurrentIndex(self.method.findData(request.method))
        entry = METHODS[request.method]
        self.embedding.setCurrentIndex(self.embedding.findData(request.embedding or entry.embedding))
        self.options.set_values({"k": request.k, "neighbours": request.neighbours, "markov_time": request.markov_time})
        self._data_changed()  # set_values is silent: the rows shown follow the Markov time here

    def _method_changed(self, *_args) -> None:
        entry = METHODS[self.method.currentData()]
        self.embedding.setCurrentIndex(self.embedding.findData(entry.embedding))
        self._data_changed()

    def _data_changed(self, *_args) -> None:
        words = self.clustering_words()
        entry = METHODS[self.method.currentData()]
        self.method.setEnabled(not words)
        self.embedding.setEnabled(not words and entry.uses_embedding)
        # InfoMap finds its own number of modules: k only bounds its automatic Markov time, so the k row
        # shows (as a bound) while that time is automatic and hides once a Markov time is fixed
        infomap = entry.name == "infomap"
        fixed_time = infomap and self.options.values(["markov_time"])["markov_time"] is not None
        shown = {o.name for o in entry.options} - ({"k"} if fixed_time else set())
        # the word graph's InfoMap takes only the levels
        self.options.show_only(["levels"] if words else shown)
        k = self.options.editors["k"]
        self.options.layout_.labelForField(k).setText(INFOMAP_K if infomap else K.label)
        self.about.setText(WORDS_ABOUT if words else _about(entry))
