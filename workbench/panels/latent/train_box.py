"""The Train box: a model kind, a data set and the kind's settings, a form generated from the latent
engine's catalogue; the button trains (and stops a running training)."""
from __future__ import annotations

from PySide6 import QtCore, QtWidgets

from engines.latent.catalogue import DATASETS, MODELS, SETTINGS
from engines.latent.data import DataSpec
from tasks.latent import TrainRequest
from workbench.widgets.option_form import OptionForm


class TrainBox(QtWidgets.QGroupBox):
    """Emits ``train_clicked`` (train, or stop the running training); :meth:`request` says what to train."""

    train_clicked = QtCore.Signal()

    def __init__(self) -> None:
        super().__init__("Train")
        form = QtWidgets.QFormLayout(self)
        self.kind_combo = QtWidgets.QComboBox()
        for kind in MODELS:
            self.kind_combo.addItem(kind.label, kind.name)
            self.kind_combo.setItemData(self.kind_combo.count() - 1, kind.description, QtCore.Qt.ItemDataRole.ToolTipRole)
        self.data_combo = QtWidgets.QComboBox()
        for data in DATASETS:
            self.data_combo.addItem(data.label, DataSpec(data.name))
            self.data_combo.setItemData(self.data_combo.count() - 1, data.description, QtCore.Qt.ItemDataRole.ToolTipRole)
        self.settings = OptionForm(SETTINGS)
        self.button = QtWidgets.QPushButton("Train")
        self.button.setToolTip("Train in a worker process; curves and samples refresh as it runs.\n"
                               "Stop keeps the last good weights.")
        self.button.clicked.connect(self.train_clicked)
        form.addRow("Model", self.kind_combo)
        form.addRow("Data", self.data_combo)
        form.addRow(self.settings)
        form.addRow(self.button)
        self.kind_combo.currentIndexChanged.connect(self._kind_changed)
        self._kind_changed()

    def _kind_changed(self, *_) -> None:
        kind = MODELS[self.kind_combo.currentData()]
        self.settings.show_only(o.name for o in kind.options)
        self.settings.set_values(kind.defaults())

    def request(self) -> TrainRequest:
        """What to train."""
        kind = MODELS[self.kind_combo.currentData()]
        return TrainRequest(kind.name, self.data_combo.currentData(),
                            self.settings.values(o.name for o in kind.options))

    def add_dataset(self, title: str, spec: DataSpec) -> None:
        """A loaded data set, made current."""
        self.data_combo.addItem(title, spec)
        self.data_combo.setCurrentIndex(self.data_combo.count() - 1)

    def set_running(self, running: bool) -> None:
        self.button.setText("Stop (keeps the weights)" if running else "Train")
