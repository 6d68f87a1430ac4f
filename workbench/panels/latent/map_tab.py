"""The first tab: the latent map beside the decoded paths (strips for images, paths among the points for
2D data) and the norms along them."""
from __future__ import annotations

from typing import Iterator, Optional

import numpy as np
from PySide6 import QtCore, QtWidgets

from workbench.panels.latent.map_view import MapView, axes_of
from workbench.panels.latent.plots import NormPlot
from workbench.panels.latent.strips import PointsView, StripView
from workbench.panels.latent.style import LERP_COLOR, SLERP_COLOR, colored_modes

GIF_SCALE = 16
STRIP_TITLES = {"lerp": f"<span style='color:{LERP_COLOR}'>lerp</span>",
                "slerp": f"<span style='color:{SLERP_COLOR}'>slerp</span>"}


class MapTab(QtWidgets.QSplitter):
    """Draws a :class:`tasks.latent.PathResult` (:meth:`set_paths`) for the model set by :meth:`set_model`."""

    def __init__(self) -> None:
        super().__init__(QtCore.Qt.Orientation.Horizontal)
        self.map_view = MapView()
        self.strips = StripView()
        self.points_view = PointsView("decoded paths in data space")
        self.strip_stack = QtWidgets.QStackedWidget()
        self.strip_stack.addWidget(self.strips)
        self.strip_stack.addWidget(self.points_view)
        self.path_norms = NormPlot("‖z‖ along this path")
        right = QtWidgets.QSplitter(QtCore.Qt.Orientation.Vertical)
        right.addWidget(self.strip_stack)
        right.addWidget(self.path_norms)
        right.setStretchFactor(0, 3)
        right.setStretchFactor(1, 2)
        self.addWidget(self.map_view)
        self.addWidget(right)
        self.setStretchFactor(0, 5)
        self.setStretchFactor(1, 4)
        self.paths = None  # tasks.latent.PathResult shown
        self.latent_map = None  # engines.latent.maps.LatentMap the points are placed by
        self.is_image = True

    def set_model(self, is_image: bool, points: Optional[np.ndarray]) -> None:
        """A new model: strips for images, else the paths among the data ``points``; nothing drawn yet."""
        self.is_image = is_image
        self.paths = None
        self.map_view.set_paths({}, None)
        self.map_view.set_grid(None)
        self.strip_stack.setCurrentWidget(self.strips if is_image else self.points_view)
        if not is_image:
            self.points_view.set_data(points)

    def show_map(self, encoded, latent_map, title: str, by_cluster: bool, clusters=None, norms=None) -> None:
        """The ``encoded`` items placed by ``latent_map`` (PCA, the 2D latent, t-SNE or UMAP), with the paths;
        ``clusters`` (default: the model's own) and ``norms`` as :meth:`MapView.set_items` takes them."""
        self.latent_map = latent_map
        clusters = encoded.clusters if clusters is None else clusters
        self.map_view.set_items(latent_map.xy, axes_of(latent_map), encoded.labels, clusters, encoded.images,
                                title, by_cluster, encoded.data.all_rows, norms)
        self._paths_on_map()

    def set_neighbours(self, result, rows: np.ndarray, labels: np.ndarray) -> None:
        """A :class:`tasks.latent_neighbours.Neighbours`: the item and its nearest codes decoded, with their
        rows and the range of latent distances in the row's title (images; 2D data has no strips)."""
        i, d = result.index, result.distances
        head = f"row {int(rows[i])}" + (f" (label {int(labels[i])})" if labels[i] >= 0 else "")
        span = f", latent distance {d.min():.2f}–{d.max():.2f}" if len(d) else ""
        self.strips.set_row("neighbours", result.decoded if self.is_image else None,
                            f"{head}: {len(d)} nearest{span}<br>rows "
                            + ", ".join(str(int(rows[k])) for k in result.indices), pad=2)

    def set_paths(self, result, n: int, variables: Optional[int] = None) -> None:
        """The paths of ``result`` in an ``n``-dimensional latent space (of ``variables`` one-hot blocks for a
        categorical latent), decoded and on the map."""
        self.paths = result
        interp = result.interpolation
        a, b = interp.endpoints
        if self.is_image:
            for m, title in STRIP_TITLES.items():
                nums = result.numbers[m]
                self.strips.set_row(m, interp.decoded[m], f"{title}: {a} → {b}<br>path length {nums.path_length:.4g}, "
                                                          f"decoded steps {nums.step_distance:.3g}")
            if result.analogy is not None:
                na, nb, nc = (name.replace("item ", "#") for name in result.analogy.names)
                self.strips.set_row("analogy", result.analogy.decoded, f"analogy a − b + c:<br>{na} − {nb} + {nc} =", pad=2)
        else:
            self.points_view.set_paths(interp.decoded)
            lengths = colored_modes({m: f"{nums.path_length:.4g}" for m, nums in result.numbers.items()})
            self.points_view.getPlotItem().setTitle(f"decoded paths in data space<br>path length {lengths}", size="9pt")
        self.path_norms.set_interpolation(interp, n, variables)
        self._paths_on_map()

    def _paths_on_map(self) -> None:
        """The paths on the PCA (or 2D latent) map; on a t-SNE or UMAP map, which cannot place new points, only the
        two items walked between."""
        if self.paths is None or self.latent_map is None:
            return
        if self.latent_map.method not in ("latent", "pca"):
            r = self.paths.request
            self.map_view.set_paths({}, None if r.prior_seed is not None else self.latent_map.xy[[r.start, r.end]])
            return
        paths = self.paths.on_map
        self.map_view.set_paths(paths, np.stack([paths["lerp"][0], paths["lerp"][-1]]))

    def path_data(self) -> dict[str, np.ndarray]:
        """The paths shown, for export."""
        if self.paths is None:
            return {}
        i = self.paths.interpolation
        return {"t": i.t, "latents_lerp": i.codes["lerp"], "latents_slerp": i.codes["slerp"],
                "decoded_lerp": i.decoded["lerp"], "decoded_slerp": i.decoded["slerp"],
                "norm_lerp": i.norms["lerp"], "norm_slerp": i.norms["slerp"]}

    def frame_count(self) -> int:
        return 0 if self.paths is None or not self.is_image else len(self.paths.interpolation.t)

    def frames(self) -> Iterator[np.ndarray]:
        """The decoded paths step by step, lerp above slerp, enlarged, as RGB frames."""
        i = self.paths.interpolation
        for k in range(len(i.t)):
            pair = np.concatenate([i.decoded["lerp"][k], np.ones_like(i.decoded["lerp"][k][:1]),
                                   i.decoded["slerp"][k]], axis=0)
            frame = np.repeat(np.repeat(pair, GIF_SCALE, axis=0), GIF_SCALE, axis=1)
            if frame.shape[-1] == 1:
                frame = np.repeat(frame, 3, axis=-1)
            yield (np.clip(frame, 0, 1) * 255).round().astype(np.uint8)
