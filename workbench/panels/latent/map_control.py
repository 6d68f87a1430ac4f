"""What the latent map shows for the loaded model: its projection (PCA, or t-SNE and UMAP computed on request),
its colouring (label, norm, or clusters: the Clustering panel's when it clustered these rows, else the model's
own, else k-means on the codes, see :func:`tasks.latent_map.map_clusters`) and the decoded grid of a 2D latent."""
from __future__ import annotations

from typing import Callable, Optional

import numpy as np
from PySide6 import QtCore

import tasks.latent as latent
from engines.latent.catalogue import PROJECTIONS
from tasks.latent_map import kmeans_job, map_clusters, map_job

DEBOUNCE_MS = 150


class MapControl(QtCore.QObject):
    """Draws the map of ``overview()`` (an :class:`engines.latent.analysis.Overview`, None before a load) in the
    panel's map tab as its map box asks; redraws when the Clustering panel publishes a clustering."""

    def __init__(self, panel, overview: Callable[[], Optional[object]]) -> None:
        super().__init__(panel)
        self.box, self.tab, self._overview = panel.map_box, panel.map_tab, overview
        self.clusters = panel.context.clusters  # tasks.cluster_store.ClusterStore shared by the panels
        self.grid_job = panel.job_slot("grid")
        self.embedding_job = panel.job_slot("embedding")
        self.kmeans_job = panel.job_slot("kmeans")
        self.embeddings: dict = {}  # the t-SNE and UMAP maps of the loaded model's codes, once computed
        self.kmeans: Optional[np.ndarray] = None  # k-means clusters of the codes, once computed
        self.caption = ""  # whose clusters colour the map ("" when it is not coloured by cluster)
        self.grid_timer = QtCore.QTimer(self, singleShot=True, interval=DEBOUNCE_MS)
        self.grid_timer.timeout.connect(self.update_grid)
        self.box.colour_changed.connect(self.draw)
        self.box.projection_changed.connect(self._projection_changed)
        self.box.grid_toggled.connect(self.grid_timer.start)
        self.tab.map_view.range_changed.connect(self.grid_timer.start)
        self.clusters.subscribe(self._published)

    @property
    def jobs(self) -> tuple:
        """The slots whose results belong to the loaded model."""
        return self.grid_job, self.embedding_job, self.kmeans_job

    def new_model(self) -> None:
        """A model was loaded: its PCA map drawn, its other maps and k-means forgotten, the grid on its way."""
        self.embeddings, self.kmeans = {}, None
        self.draw()
        self.grid_timer.start()

    def draw(self) -> None:
        ov = self._overview()
        if ov is None:
            return
        enc = ov.encoded
        title, clusters, norms = f"{len(enc.z)} items encoded by the {ov.checkpoint.config.title}", None, None
        self.caption = ""
        if self.box.by_cluster():
            chosen = map_clusters(enc, self.clusters.latest(enc.data.name), self.kmeans)
            if chosen.needs_kmeans and not self.kmeans_job.running:
                handle = self.kmeans_job.start("k-means of the codes", kmeans_job, enc.z, enc.labels)
                handle.succeeded.connect(self._kmeans_done)
            clusters, title = chosen.clusters, "<br>".join([title, *chosen.caption.split("\n")])
            self.caption = chosen.caption.replace("\n", " ")
        if self.box.by_norm():
            norms = np.linalg.norm(enc.z, axis=1)
            title += f"<br>coloured by ‖z‖ (prior shell √n = {np.sqrt(enc.z.shape[1]):.3g})"
        shown = self.embeddings.get(self.box.projection_name(), enc.map)
        self.tab.show_map(enc, shown, title, self.box.by_cluster(), clusters, norms)

    def _published(self, shared) -> None:
        ov = self._overview()
        if ov is not None and self.box.by_cluster() and shared.dataset == ov.encoded.data.name:
            self.draw()

    def _kmeans_done(self, clusters: np.ndarray) -> None:
        self.kmeans = clusters
        self.draw()

    def update_grid(self) -> None:
        """The decoded grid behind the points of a 2D image latent, over the visible region."""
        ov, view = self._overview(), self.tab.map_view
        if ov is None or not self.box.wants_grid():
            self.grid_job.cancel()
            view.set_grid(None)
            return
        r = view.visible_rect()
        box = view.getPlotItem().getViewBox().boundingRect()
        handle = self.grid_job.start("Decoded grid", latent.manifold_job, ov.checkpoint.model,
                                     (r.left(), r.right()), (r.top(), r.bottom()),
                                     *latent.grid_shape(box.width(), box.height()))
        handle.succeeded.connect(view.set_grid)

    def _projection_changed(self, name: str) -> None:
        ov = self._overview()
        if name in ("tsne", "umap") and name not in self.embeddings and ov is not None:
            handle = self.embedding_job.start(f"{PROJECTIONS[name].label} of the codes", map_job, ov.encoded.z, name,
                                              process=True)
            handle.succeeded.connect(self.embedding_done)
            return
        self.draw()
        self.update_grid()

    def embedding_done(self, m) -> None:
        """A t-SNE or UMAP map of the codes (``engines.latent.maps.LatentMap``), kept and drawn."""
        self.embeddings[m.method] = m
        self.draw()
        self.update_grid()
