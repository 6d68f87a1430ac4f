"""The loss surface as a heatmap with contours, minima, start points and optimizer trajectories."""
from __future__ import annotations

from typing import Sequence

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtWidgets

from engines.optim.contours import SurfaceLayer
from workbench.panels.optimizer.heatmap import Heatmap
from workbench.panels.optimizer.layering import line_width, mark_every, mark_indices, symbol
from workbench.panels.optimizer.overlaps import hidden_under
from workbench.panels.optimizer.style import START_COLOR, color, finite_or_nan, nan_joined
from workbench.widgets.legend_corner import place_legend

HOVER_RADIUS_PX = 12.0
THIN_LINES_ABOVE = 16  # starts per optimizer beyond which trajectories are drawn one pixel wide
HOVER_MAX_POINTS = 400_000  # beyond this many drawn points the hover looks only at the current heads
GLYPH_PX = (10.0, 120.0)  # state glyphs shorter/longer than this are rescaled to stay visible
BASE_MARGINS = (1.0, 8.0, 1.0, 1.0)  # the plot layout's margins (room for the top tick label), widened to shape the frame


class SurfaceView(pg.PlotWidget):
    """Heatmap of L(x, y); trajectories drawn up to the current step, one colour and symbol per optimizer
    (earlier ones wider, marks every :attr:`every` steps, the symbol larger at the end; see layering).

    Left click on the surface emits :attr:`start_clicked`; hovering a trajectory point shows its step,
    position, loss and the optimizer state there (momentum push as an arrow, per-coordinate step size
    as an ellipse).
    """

    start_clicked = QtCore.Signal(float, float)

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setToolTip("")
        plot = self.getPlotItem()
        plot.setLabel("bottom", "x")
        plot.setLabel("left", "y")
        plot.setMenuEnabled(False)
        self.heatmap = Heatmap(plot, label="loss")
        self._log = True
        self._layers: dict[bool, SurfaceLayer] | None = None
        self._rect = (0.0, 0.0, 1.0, 1.0)
        self._contours = pg.PlotDataItem(pen=pg.mkPen(255, 255, 255, 60, width=1), connect="finite")
        self._contours.setParentItem(self.heatmap.image)  # follows the image's transform (grid index -> data)
        self._contours.setPos(0.5, 0.5)  # samples sit at pixel centres
        self.legend = plot.addLegend(offset=(8, 8), labelTextColor="w", brush=pg.mkBrush(0, 0, 0, 150))
        self.minima = pg.ScatterPlotItem(symbol="star", size=16, pen=pg.mkPen("k"), brush=pg.mkBrush("w"))
        self.minima.setZValue(20)
        plot.addItem(self.minima)
        self.starts = pg.ScatterPlotItem(symbol="o", size=9, pen=pg.mkPen("k", width=1.5), brush=pg.mkBrush(START_COLOR))
        self.starts.setZValue(30)
        plot.addItem(self.starts)
        self._curves: list[pg.PlotDataItem] = []
        self._heads: list[pg.ScatterPlotItem] = []
        self._marks: list[pg.ScatterPlotItem] = []
        self._mark_key = pg.PlotDataItem(pen=None, symbol="o", symbolSize=7, symbolPen=pg.mkPen("k"),
                                         symbolBrush=pg.mkBrush(200, 200, 200))  # the legend's "marks" entry
        self._mark_key.visibleChanged.connect(self._marks_toggled)
        self.every = 1  # steps between two marks
        self._mark_at = np.zeros(0, int)  # recorded-step indices of the marks
        self._ode: list[pg.PlotDataItem] = []
        self._positions: np.ndarray | None = None  # (C, S, T, 2)
        self._losses: np.ndarray | None = None
        self._states: dict[str, np.ndarray] = {}
        self._steps: np.ndarray | None = None
        self._labels: list[str] = []
        self._index = 0
        self._arrow_line = pg.PlotDataItem(pen=pg.mkPen("w", width=2))
        self._arrow_head = pg.ArrowItem(angle=0, headLen=12, pen=pg.mkPen("k"), brush=pg.mkBrush("w"))
        self._ellipse = QtWidgets.QGraphicsEllipseItem()
        self._ellipse.setPen(pg.mkPen("w", width=2, style=QtCore.Qt.PenStyle.DashLine, cosmetic=True))
        self._marker = pg.ScatterPlotItem(size=14, pen=pg.mkPen("w", width=2), brush=pg.mkBrush(None))
        for item in (self._arrow_line, self._arrow_head, self._ellipse, self._marker):
            item.setZValue(40)
            plot.addItem(item)
        self._hide_glyphs()
        self.scene().sigMouseClicked.connect(self._clicked)
        self.scene().sigMouseMoved.connect(self._hovered)

    # ------------------------------------------------------------------ surface
    def set_surface(self, x: np.ndarray, y: np.ndarray, layers: dict[bool, SurfaceLayer],
                    minima: Sequence[Sequence[float]] = ()) -> None:
        """Show the grid L(x[j], y[i]) (1-D x, y; ``layers`` from :func:`surface_layers`) and mark the minima."""
        x, y = np.asarray(x, float), np.asarray(y, float)
        dx = (x[-1] - x[0]) / max(len(x) - 1, 1)
        dy = (y[-1] - y[0]) / max(len(y) - 1, 1)
        self._rect = (x[0] - dx / 2, y[0] - dy / 2, x[-1] - x[0] + dx, y[-1] - y[0] + dy)
        self._layers = layers
        self._redraw_surface()
        pts = np.asarray(list(minima), float).reshape(-1, 2)
        self.minima.setData(pos=pts)
        self._extent = (x[0], x[-1], y[0], y[-1])
        self._fit()

    @staticmethod
    def symmetric(x: np.ndarray, y: np.ndarray) -> bool:
        """True when the grid spans as much on x as on y (then equal axes are the natural default)."""
        return bool(np.isclose(x[-1] - x[0], y[-1] - y[0], rtol=1e-6))

    def set_equal_axes(self, on: bool) -> None:
        """Lock one unit on x to one unit on y (the surface's true shape) or let the plot fill the view."""
        self.getPlotItem().getViewBox().setAspectLocked(bool(on), ratio=1.0)
        self._fit()

    def _fit(self) -> None:
        if getattr(self, "_extent", None) is not None:
            self._shape_frame()
            x0, x1, y0, y1 = self._extent
            self.getPlotItem().setRange(xRange=(x0, x1), yRange=(y0, y1), padding=0)

    def _shape_frame(self) -> None:
        """With equal axes, shrink the plot's frame (centred in the widget) to the surface's shape, so the
        surface fills the frame instead of leaving empty bands beside it; without, the frame fills the widget."""
        plot = self.getPlotItem()
        plot.layout.setContentsMargins(*BASE_MARGINS)
        plot.layout.activate()
        vb = plot.getViewBox()
        extent = getattr(self, "_extent", None)
        if not vb.state["aspectLocked"] or extent is None:
            return
        x0, x1, y0, y1 = extent
        width, height = vb.width(), vb.height()
        if width <= 0 or height <= 0 or x1 <= x0 or y1 <= y0:
            return
        aspect = (x1 - x0) / (y1 - y0)
        spare_x = max(0.0, width - height * aspect) / 2
        spare_y = max(0.0, height - width / aspect) / 2
        left, top, right, bottom = BASE_MARGINS
        plot.layout.setContentsMargins(left + spare_x, top + spare_y, right + spare_x, bottom + spare_y)
        plot.layout.activate()

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        if self.getPlotItem() is not None:  # None once the widget is closed
            self._fit()

    def set_log_scale(self, on: bool) -> None:
        self._log = bool(on)
        self._redraw_surface()

    def _redraw_surface(self) -> None:
        if self._layers is None:
            return
        layer = self._layers[self._log]
        label = "log₁₀(loss − min)" if self._log else "loss"
        self.heatmap.set(layer.shown, self._rect, layer.levels, label)
        self._contours.setData(layer.contours[:, 0], layer.contours[:, 1], connect="finite")

    # ------------------------------------------------------------------ starts and trajectories
    def set_starts(self, starts: np.ndarray) -> None:
        self.starts.setData(pos=np.asarray(starts, float).reshape(-1, 2))

    def set_trajectories(
        self,
        positions: np.ndarray,
        losses: np.ndarray,
        steps: np.ndarray,
        labels: Sequence[str],
        states: dict[str, np.ndarray] | None = None,
    ) -> None:
        """positions (C, S, T, 2), losses (C, S, T), steps (T,); states name -> (C, S, T, 2)."""
        self._positions = finite_or_nan(positions)
        self._losses = np.asarray(losses, float)
        self._steps = np.asarray(steps)
        self._states = dict(states or {})
        if list(labels) != self._labels or len(self._curves) != len(labels):
            self._rebuild_items(list(labels))
        few = positions.shape[1] <= THIN_LINES_ABOVE
        for i, curve in enumerate(self._curves):
            width = line_width(i, len(self._curves), 2) if few else 1  # wide lines cost ~5x to draw
            if curve.opts["pen"].widthF() != width:
                curve.setPen(pg.mkPen(color(i), width=width))
        self.every = mark_every(int(self._steps[-1])) if len(self._steps) else 1
        self._mark_at = mark_indices(self._steps, self.every) if few else np.zeros(0, int)
        self.legend.removeItem(self._mark_key)
        if len(self._mark_at):
            self.legend.addItem(self._mark_key, f"marks every {self.every} steps")
        self._index = min(self._index, len(self._steps) - 1) if len(self._steps) else 0
        self.show_index(len(self._steps) - 1 if self._index < 0 else self._index)
        self._name_hidden_curves()
        self.place_legend()

    def _name_hidden_curves(self) -> None:
        """Legend entries of trajectories drawn over by a later optimizer's say under which."""
        (x0, x1), (y0, y1) = self.getPlotItem().vb.viewRange()
        hidden = hidden_under(self._positions, max(x1 - x0, y1 - y0))
        for i, (_sample, text) in enumerate(self.legend.items):
            under = hidden.get(i)
            name = self._labels[i] if i < len(self._labels) else text.text
            text.setText(name if under is None else f"{name} (same path as {self._labels[under]}, drawn under it)")

    def place_legend(self) -> tuple[int, int]:
        """Put the legend in the corner of the view where it hides the fewest trajectory points and starts;
        return the corner as (0 left / 1 right, 0 top / 1 bottom)."""
        points = [np.column_stack(self.starts.getData())]
        if self._positions is not None:
            flat = self._positions.reshape(-1, 2)
            points.append(flat[:: max(1, len(flat) // 20_000)])  # a sample is enough to count
        return place_legend(self.legend, self.getPlotItem().vb, np.concatenate(points))

    def clear_trajectories(self) -> None:
        self._positions = self._losses = self._steps = None
        self._states = {}
        self._rebuild_items([])
        self._hide_glyphs()

    def _rebuild_items(self, labels: list[str]) -> None:
        plot = self.getPlotItem()
        for item in self._curves + self._heads + self._marks:
            plot.removeItem(item)
        self.legend.clear()
        self._labels = labels
        self._curves, self._heads, self._marks = [], [], []
        for i, label in enumerate(labels):
            c, pen = color(i), pg.mkPen("k")
            curve = pg.PlotDataItem(pen=pg.mkPen(c, width=2), connect="finite")
            curve.setZValue(10 + i / 100)
            marks = pg.ScatterPlotItem(size=6, symbol=symbol(i), pen=pen, brush=pg.mkBrush(c))
            marks.setZValue(15)
            head = pg.ScatterPlotItem(size=12, symbol=symbol(i), pen=pen, brush=pg.mkBrush(c))
            head.setZValue(25)
            for item in (curve, marks, head):
                plot.addItem(item)
            key = pg.PlotDataItem(pen=pg.mkPen(c, width=2), symbol=symbol(i), symbolSize=9, symbolPen=pen,
                                  symbolBrush=pg.mkBrush(c))  # the legend's sample: line and symbol
            key.visibleChanged.connect(lambda key=key, items=(curve, marks, head): [t.setVisible(key.isVisible())
                                                                                   for t in items])
            self.legend.addItem(key, label)
            self._curves.append(curve)
            self._heads.append(head)
            self._marks.append(marks)

    def _marks_toggled(self) -> None:
        for marks in self._marks:
            marks.setVisible(self._mark_key.isVisible())

    def show_index(self, index: int) -> None:
        """Draw every trajectory up to the ``index``-th recorded step."""
        if self._positions is None or not len(self._steps):
            return
        self._index = int(np.clip(index, 0, self._positions.shape[2] - 1))
        upto = self._positions[:, :, : self._index + 1]
        shown_marks = self._mark_at[self._mark_at <= self._index]
        for c, (curve, head, marks) in enumerate(zip(self._curves, self._heads, self._marks)):
            joined = nan_joined(upto[c])
            curve.setData(joined[:, 0], joined[:, 1], connect="finite")
            tip = upto[c, :, -1]
            head.setData(pos=tip[np.isfinite(tip).all(axis=1)])
            at = self._positions[c][:, shown_marks].reshape(-1, 2)
            marks.setData(pos=at[np.isfinite(at).all(axis=1)])
        self._hide_glyphs()

    def curve_data(self, c: int) -> tuple[np.ndarray, np.ndarray]:
        """The (x, y) arrays currently drawn for optimizer ``c`` (NaN-separated paths)."""
        return self._curves[c].getData()

    # ------------------------------------------------------------------ continuous-time overlay
    def set_ode_curves(self, curves: Sequence[tuple[int, np.ndarray]]) -> None:
        """Dashed curves (optimizer index, (m, 2) path) for the ODE counterparts; empty to hide."""
        plot = self.getPlotItem()
        for item in self._ode:
            plot.removeItem(item)
        self._ode = []
        by_config: dict[int, list[np.ndarray]] = {}
        for c, xy in curves:
            by_config.setdefault(c, []).append(np.asarray(xy, float))
        for c, paths in by_config.items():
            joined = np.concatenate([np.vstack([p, [[np.nan, np.nan]]]) for p in paths])
            pen = pg.mkPen(color(c), width=1.5, style=QtCore.Qt.PenStyle.DashLine)
            item = pg.PlotDataItem(joined[:, 0], joined[:, 1], pen=pen, connect="finite")
            item.setZValue(12)
            plot.addItem(item)
            self._ode.append(item)

    # ------------------------------------------------------------------ mouse
    def _in_view(self, scene_pos: QtCore.QPointF) -> bool:
        return self.getPlotItem().vb.sceneBoundingRect().contains(scene_pos)

    def _clicked(self, event) -> None:  # pyqtgraph MouseClickEvent
        if event.button() != QtCore.Qt.MouseButton.LeftButton or event.double() or not self._in_view(event.scenePos()):
            return
        p = self.getPlotItem().vb.mapSceneToView(event.scenePos())
        self.start_clicked.emit(float(p.x()), float(p.y()))

    def _hovered(self, scene_pos: QtCore.QPointF) -> None:
        if self._positions is None or not self._in_view(scene_pos):
            return
        p = self.getPlotItem().vb.mapSceneToView(scene_pos)
        hit = self.nearest_point(p.x(), p.y())
        if hit is None:
            self._hide_glyphs()
            QtWidgets.QToolTip.hideText()
            return
        c, s, t = hit
        text = self.describe_point(c, s, t)
        self._show_glyphs(c, s, t)
        view_pos = self.mapFromScene(scene_pos)
        QtWidgets.QToolTip.showText(self.mapToGlobal(view_pos) + QtCore.QPoint(14, 14), text, self)

    def nearest_point(self, x: float, y: float) -> tuple[int, int, int] | None:
        """(optimizer, start, step index) of the drawn point nearest (x, y) within the hover radius."""
        pos = self._positions
        if pos is None:
            return None
        upto = pos[:, :, : self._index + 1]
        t0 = 0
        if upto[..., 0].size > HOVER_MAX_POINTS:
            t0 = self._index
            upto = pos[:, :, self._index : self._index + 1]
        px, py = self.getPlotItem().vb.viewPixelSize()
        d = ((upto[..., 0] - x) / px) ** 2 + ((upto[..., 1] - y) / py) ** 2
        d = np.where(np.isfinite(d), d, np.inf)
        flat = int(np.argmin(d))
        if not np.isfinite(d.flat[flat]) or d.flat[flat] > HOVER_RADIUS_PX**2:
            return None
        c, s, t = np.unravel_index(flat, d.shape)
        return int(c), int(s), int(t) + t0

    def describe_point(self, c: int, s: int, t: int) -> str:
        assert self._positions is not None and self._losses is not None and self._steps is not None
        x, y = self._positions[c, s, t]
        label = self._labels[c] if c < len(self._labels) else f"#{c}"
        lines = [f"<b>{label}</b> — start {s}", f"step {int(self._steps[t])}",
                 f"(x, y) = ({x:.4g}, {y:.4g})", f"loss = {self._losses[c, s, t]:.6g}"]
        for name, values in self._states.items():
            v = values[c, s, t]
            if np.isfinite(v).all():
                lines.append(f"{name.replace('_', ' ')} = ({v[0]:.3g}, {v[1]:.3g})")
        return "<br>".join(lines)

    def _glyph_scale(self, length_px: float) -> float:
        if length_px <= 0 or not np.isfinite(length_px):
            return 0.0
        lo, hi = GLYPH_PX
        return lo / length_px if length_px < lo else hi / length_px if length_px > hi else 1.0

    def _show_glyphs(self, c: int, s: int, t: int) -> None:
        assert self._positions is not None
        x, y = self._positions[c, s, t]
        px, py = self.getPlotItem().vb.viewPixelSize()
        self._marker.setData(pos=[(x, y)])
        self._marker.show()
        step_size = self._states.get("step_size")
        momentum = self._states.get("momentum")
        if momentum is not None and np.isfinite(momentum[c, s, t]).all():
            scale = step_size[c, s, t] if step_size is not None and np.isfinite(step_size[c, s, t]).all() else 1.0
            push = -np.asarray(momentum[c, s, t]) * scale  # the displacement the momentum buffer asks for
            k = self._glyph_scale(float(np.hypot(push[0] / px, push[1] / py)))
            if k > 0:
                tip = (x + k * push[0], y + k * push[1])
                self._arrow_line.setData([x, tip[0]], [y, tip[1]])
                angle = np.degrees(np.arctan2(-(push[1] / py), push[0] / px))  # screen y points down
                self._arrow_head.setStyle(angle=180 + angle)
                self._arrow_head.setPos(*tip)
                self._arrow_line.show()
                self._arrow_head.show()
        if step_size is not None and np.isfinite(step_size[c, s, t]).all():
            a, b = np.abs(step_size[c, s, t])
            k = self._glyph_scale(max(a / px, b / py) * 2)
            if k > 0:
                self._ellipse.setRect(QtCore.QRectF(x - k * a, y - k * b, 2 * k * a, 2 * k * b))
                self._ellipse.show()

    def _hide_glyphs(self) -> None:
        for item in (self._arrow_line, self._arrow_head, self._ellipse, self._marker):
            item.hide()

    def leaveEvent(self, event: QtCore.QEvent) -> None:  # noqa: N802 - Qt override
        self._hide_glyphs()
        super().leaveEvent(event)
