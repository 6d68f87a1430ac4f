"""The Latent map box: colour by label, cluster or norm, the projection (PCA, t-SNE or UMAP), the decoded grid of a 2D
latent, and sending the codes to the clustering panel."""
from __future__ import annotations

from PySide6 import QtCore, QtWidgets

from engines.latent.catalogue import PROJECTIONS


class MapBox(QtWidgets.QGroupBox):
    """Emits ``colour_changed``, ``projection_changed(name)``, ``grid_toggled`` and ``cluster_clicked``."""

    colour_changed = QtCore.Signal()
    projection_changed = QtCore.Signal(str)
    grid_toggled = QtCore.Signal()
    cluster_clicked = QtCore.Signal()

    def __init__(self) -> None:
        super().__init__("Latent map")
        form = QtWidgets.QFormLayout(self)
        self.colour = QtWidgets.QComboBox()
        self.colour.addItems(["label", "cluster", "norm ‖z‖"])
        self.colour.setToolTip("label; cluster (the Clustering panel's latest clusters of this data set when they "
                               "cover every item shown, else the model's own, else k-means on the codes, as the title "
                               "says); or the norm of each code, with a colour bar")
        self.colour.currentIndexChanged.connect(lambda *_: self.colour_changed.emit())
        self.projection = QtWidgets.QComboBox()
        for entry in PROJECTIONS:
            self.projection.addItem(entry.label, entry.name)
            self.projection.setItemData(self.projection.count() - 1, entry.description,
                                        QtCore.Qt.ItemDataRole.ToolTipRole)
        self.projection.currentIndexChanged.connect(lambda *_: self.projection_changed.emit(self.projection_name()))
        self.grid = QtWidgets.QCheckBox("decoded grid behind the points")
        self.grid.setToolTip("For 2D latents: the images the decoder makes over the visible region")
        self.grid.setChecked(True)
        self.grid.toggled.connect(lambda *_: self.grid_toggled.emit())
        self.cluster_button = QtWidgets.QPushButton("Cluster these encodings")
        self.cluster_button.setToolTip("Send the codes (and labels) to the Clustering panel, which clusters them "
                                       "with its chosen method")
        self.cluster_button.setEnabled(False)
        self.cluster_button.clicked.connect(self.cluster_clicked)
        form.addRow("Colour", self.colour)
        form.addRow("Map", self.projection)
        form.addRow(self.grid)
        form.addRow(self.cluster_button)

    def set_model(self, has_clusters: bool, grid_possible: bool) -> None:
        """A new model: the colouring kept, the grid only for a 2D image latent, the
        PCA map (its t-SNE and UMAP are computed on request)."""
        for combo, keep in ((self.colour, True), (self.projection, False)):
            combo.blockSignals(True)
            combo.setCurrentIndex(combo.currentIndex() if keep else 0)
            combo.blockSignals(False)
        self.grid.setEnabled(grid_possible)
        self.cluster_button.setEnabled(True)

    def by_cluster(self) -> bool:
        return self.colour.currentIndex() == 1

    def by_norm(self) -> bool:
        return self.colour.currentIndex() == 2

    def projection_name(self) -> str:
        return self.projection.currentData()

    def wants_grid(self) -> bool:
        """The decoded grid is wanted and possible (a 2D image latent on its own map)."""
        return self.grid.isChecked() and self.grid.isEnabled() and self.projection.currentIndex() == 0
