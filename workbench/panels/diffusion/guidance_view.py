"""The Guidance tab: classifier-free guidance on a class-conditional model, swept over the scale w.

Left, against w: the distance of the guided samples to the exact conditional distribution (sliced
Wasserstein; MMD² in the exported data) and the fraction of samples in each class; right, the samples at
a chosen w. The sweep uses the sidebar's first sampler, NFE and seed (the same initial noise at every w);
w = 0 is the unconditional model, w = 1 the conditional one (tasks.diffusion_guidance).
"""
from __future__ import annotations

from typing import Any, Callable, Optional

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtWidgets

from tasks.diffusion_guidance import GuidanceOutcome, GuidanceRequest, guidance_job
from workbench.jobs import JobSlot
from workbench.panel import Figure
from workbench.panels.diffusion.controls import Controls
from workbench.panels.diffusion.style import DATA_COLOR, MAX_POINTS, mosaic, square_plot
from workbench.widgets.axes import show_values
from workbench.widgets.stale import Staleness

NOT_CONDITIONAL = ("Guidance needs a class-conditional model: choose an exact mixture with classes (e.g. “8 Gaussians, "
                   "4 classes”) or open a digits model trained with --class-dropout")
MAX_IMAGES = 64
SHOWN_SCALE = 3.0  # the w shown first: guided past the conditional
MAX_SWEEP_SAMPLES = {"points": 1000, "images": 200}  # per w: ten scales of it are sampled


def class_color(k: int, classes: int) -> Any:
    return pg.intColor(k, hues=max(classes, 1), sat=200)


class GuidanceCharts(pg.GraphicsLayoutWidget):
    """Distance to the exact conditional and fraction per class, both against w; the shown w marked."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setBackground("k")
        self.sweep: Any = None
        self.distance = self.addPlot(row=0, col=0)
        self.fractions = self.addPlot(row=1, col=0)
        self.distance.setLabel("left", "sliced Wasserstein to p(x | c)")
        self.fractions.setLabel("left", "fraction of samples")
        self.fractions.setLabel("bottom", "guidance scale w  (0 unconditional, 1 conditional)")
        self.legend = self.fractions.addLegend(offset=(-10, 10), labelTextSize="8pt")
        self.markers = []
        for plot in (self.distance, self.fractions):
            plot.showGrid(x=True, y=True, alpha=0.2)
            plot.getAxis("left").enableAutoSIPrefix(False)
            plot.getAxis("left").setWidth(56)
            marker = pg.InfiniteLine(angle=90, pen=pg.mkPen(255, 255, 255, 120, width=1, style=QtCore.Qt.PenStyle.DashLine))
            self.markers.append(marker)
        self.fractions.setXLink(self.distance)
        self.waiting("Distance to the exact conditional against w")

    def waiting(self, text: str) -> None:
        self.sweep = None
        self.distance.clear()
        self.fractions.clear()
        self.legend.clear()
        self.distance.setTitle(text, size="10pt")
        self.fractions.setTitle("", size="10pt")
        for plot in (self.distance, self.fractions):
            show_values(plot, False)

    def set_sweep(self, sweep: Any) -> None:
        self.sweep = sweep
        self.distance.clear()
        self.fractions.clear()
        self.legend.clear()
        for plot in (self.distance, self.fractions):
            show_values(plot, True)
        w = np.asarray(sweep.scales, float)
        name = sweep.class_names[sweep.label]
        target = f"the exact conditional of {name}" if sweep.kind == "points" else f"held-out digits {name}"
        self.distance.setTitle(f"Distance of {sweep.sampler_label} samples (NFE {sweep.nfe}) to {target}", size="10pt")
        sw = sweep.metrics.get("sliced_wasserstein")
        if sw is not None:
            self.distance.plot(w, np.asarray(sw, float), pen=pg.mkPen("#00c8ff", width=2), symbol="o", symbolSize=6,
                               symbolBrush="#00c8ff")
        self.fractions.setTitle("Fraction of samples per class (nearest component's class)" if sweep.kind == "points"
                                else "Fraction of samples per class (digits classifier)", size="10pt")
        fr = np.asarray(sweep.fractions, float).reshape(len(w), len(sweep.class_names))
        classes = len(sweep.class_names)
        self.legend.setColumnCount(2 if classes > 4 else 1)
        for k, cname in enumerate(sweep.class_names):
            width = 3 if k == sweep.label else 1
            self.fractions.plot(w, fr[:, k], pen=pg.mkPen(class_color(k, classes), width=width), symbol="o",
                                symbolSize=5 if k == sweep.label else 3, symbolBrush=class_color(k, classes),
                                name=cname + (" (guided)" if k == sweep.label else ""))
        self.fractions.setYRange(0, 1.02, padding=0)
        for plot, marker in zip((self.distance, self.fractions), self.markers):
            plot.addItem(marker)

    def show_scale(self, w: float) -> None:
        for marker in self.markers:
            marker.setValue(w)

    def data(self) -> dict[str, np.ndarray]:
        return {} if self.sweep is None else self.sweep.table()


class GuidanceSamples(pg.GraphicsLayoutWidget):
    """The guided samples at one w: points coloured by class over the exact conditional's samples, or digits."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setBackground("k")
        self.samples: Optional[np.ndarray] = None
        self.classes: Optional[np.ndarray] = None
        self.title = self.addLabel("", row=0, col=0, size="10pt")
        self.plot = self.addPlot(row=1, col=0)
        square_plot(self.plot)
        self.reference = pg.ScatterPlotItem(size=3, pen=None, brush=pg.mkBrush(*DATA_COLOR))
        self.points = pg.ScatterPlotItem(size=4, pen=None)
        self.plot.addItem(self.reference)
        self.plot.addItem(self.points)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.box = self.addViewBox(row=2, col=0, lockAspect=True, invertY=True, enableMouse=False)
        self.box.addItem(self.image)
        self.box.setVisible(False)
        self.clear_samples("Samples at the chosen w")

    def set_samples(self, sweep: Any, index: int) -> None:
        self.samples = sweep.samples[index]
        w = sweep.scales[index]
        share = sweep.fractions[index][sweep.label]
        name = sweep.class_names[sweep.label]
        self.title.setText(f"Samples at w = {w:g}: {share:.1%} in {name}")
        points = sweep.kind == "points"
        self.plot.setVisible(points)
        self.box.setVisible(not points)
        if points:
            show_values(self.plot, True)
            ref = sweep.reference[:MAX_POINTS] if sweep.reference is not None else np.zeros((0, 2))
            self.reference.setData(ref[:, 0], ref[:, 1])
            s = self.samples[:MAX_POINTS]
            self.points.setData(s[:, 0], s[:, 1], brush=pg.mkBrush("#ff5a36"))
        else:
            self.image.setImage(mosaic(self.samples[:MAX_IMAGES]), levels=(0.0, 1.0))

    def clear_samples(self, text: str) -> None:
        self.samples = None
        self.title.setText(text)
        self.reference.setData([], [])
        self.points.setData([], [])
        show_values(self.plot, False)

    def data(self) -> dict[str, np.ndarray]:
        return {} if self.samples is None else {"samples": self.samples}


class GuidanceView(QtWidgets.QWidget):
    """The tab: class, the w shown, Sweep; the charts and the samples. A sweep takes the sidebar's
    (``controls``) first sampler, NFE, samples and seed, and ``device()``."""

    def __init__(self, slot: JobSlot, controls: Controls, device: Callable[[], str], parent=None) -> None:
        super().__init__(parent)
        self._slot, self._controls, self._device = slot, controls, device
        self.source: Any = None
        self.outcome: Optional[GuidanceOutcome] = None
        self._shown = SHOWN_SCALE  # the w whose samples are shown
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        row = QtWidgets.QHBoxLayout()
        self.label = QtWidgets.QComboBox()
        self.label.setToolTip("The class guided towards: w scales D_c − D_u, the conditional's pull away from the "
                              "unconditional model")
        self.scale = QtWidgets.QComboBox()
        self.scale.setToolTip("The guidance scale whose samples are shown on the right")
        self.sweep_button = QtWidgets.QPushButton("Sweep w from 0 to 8")
        self.sweep_button.setToolTip("Sample the model guided towards the class at each w, with the sidebar's first "
                                     "sampler, NFE, samples and seed, from the same noise")
        row.addWidget(QtWidgets.QLabel("Class"))
        row.addWidget(self.label)
        row.addWidget(QtWidgets.QLabel("Samples at w"))
        row.addWidget(self.scale)
        row.addWidget(self.sweep_button)
        row.addStretch(1)
        layout.addLayout(row)
        self.status = QtWidgets.QLabel(NOT_CONDITIONAL)
        self.status.setWordWrap(True)
        self.status.setToolTip("D̃ = D_u + w (D_c − D_u): w = 0 is the unconditional model, w = 1 the conditional "
                               "one, w > 1 guided past it (Ho & Salimans 2022 write w − 1 for this w)")
        layout.addWidget(self.status)
        split = QtWidgets.QSplitter(QtCore.Qt.Orientation.Horizontal)
        self.charts = GuidanceCharts()
        self.samples = GuidanceSamples()
        split.addWidget(self.charts)
        split.addWidget(self.samples)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        layout.addWidget(split, 1)
        self._stale = [Staleness(self.charts, self.status), Staleness(self.samples)]
        self.label.currentIndexChanged.connect(self.sweep)
        self.scale.currentIndexChanged.connect(self._show_scale)
        self.sweep_button.clicked.connect(self.sweep)
        self._enable(False)

    def _enable(self, on: bool) -> None:
        for w in (self.label, self.scale, self.sweep_button):
            w.setEnabled(on)

    def set_source(self, source: Any) -> None:
        """The panel's model changed (or was sampled again): offer its classes; an old sweep goes stale."""
        from engines.diffusion.guidance import class_names

        if source is self.source:
            return
        self.source = source
        names = class_names(source.model) if source is not None else []
        self.label.blockSignals(True)
        self.label.clear()
        for k, name in enumerate(names):
            self.label.addItem(name, k)
        self.label.blockSignals(False)
        self._enable(bool(names))
        if not names:
            self.outcome = None
            self.charts.waiting("Distance to the exact conditional against w")
            self.samples.clear_samples("")
            for mark in self._stale:
                mark.clear()
            self.status.setText(NOT_CONDITIONAL)
        elif self.outcome is not None:
            for mark in self._stale:
                mark.mark(f"the model is now {source.label}; press Sweep")
        else:
            self.status.setText(f"{source.label}: {len(names)} classes; press Sweep (or switch to this tab)")
        if names and self.isVisible():
            self.sweep()

    def showEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        if self.label.count() and (self.outcome is None or self._stale[0].stale) and not self._slot.running:
            self.sweep()

    def sweep(self) -> None:
        if self.source is None or not self.label.count():
            return
        c = self._controls
        cap = MAX_SWEEP_SAMPLES[self.source.kind]
        request = GuidanceRequest(self.source, int(self.label.currentData()), sampler=(c.samplers() or [("heun", {})])[0],
                                  nfe=c.nfe.value(), samples=min(c.samples.value(), cap), seed=c.seed.value(),
                                  device=self._device())
        for mark in self._stale:
            mark.mark(f"sweeping w for {self.label.currentText()}…")
        handle = self._slot.start("Guidance sweep", guidance_job, request)
        handle.partial.connect(self._partial)
        handle.succeeded.connect(self._done)

    def _partial(self, sweep: Any) -> None:
        for mark in self._stale:
            mark.clear()
            mark.view.viewport().update()  # all of it: the strips no item covers kept the dimmed paint
        self.status.setText(f"sweeping: {len(sweep.scales)} guidance scales sampled, up to w = {sweep.scales[-1]:g}…")
        self.charts.set_sweep(sweep)
        self._fill_scales(sweep)

    def _done(self, outcome: GuidanceOutcome) -> None:
        self.outcome = outcome
        self._partial(outcome.sweep)
        s = outcome.sweep
        best = int(np.nanargmin(s.metrics["sliced_wasserstein"])) if s.metrics.get("sliced_wasserstein") else 0
        self.status.setText(f"{self.source.label}: guided towards {s.class_names[s.label]} with {s.sampler_label}, "
                            f"NFE {s.nfe}, {len(s.samples[0])} samples per w; closest to "
                            f"{'the exact conditional' if s.kind == 'points' else 'held-out digits of the class'} at "
                            f"w = {s.scales[best]:g}")

    def _fill_scales(self, sweep: Any) -> None:
        """The sweep's scales so far; the one chosen last (at first :data:`SHOWN_SCALE`) once it is sampled."""
        self.scale.blockSignals(True)
        self.scale.clear()
        for i, w in enumerate(sweep.scales):
            self.scale.addItem(f"{w:g}", i)
        index = sweep.scales.index(self._shown) if self._shown in sweep.scales else len(sweep.scales) - 1
        self.scale.setCurrentIndex(index)
        self.scale.blockSignals(False)
        self._draw_scale()

    def _show_scale(self) -> None:
        sweep = self.charts.sweep
        i = self.scale.currentData()
        if sweep is not None and i is not None and i < len(sweep.scales):
            self._shown = sweep.scales[i]
        self._draw_scale()

    def _draw_scale(self) -> None:
        sweep = self.charts.sweep
        i = self.scale.currentData()
        if sweep is None or i is None or i >= len(sweep.samples):
            return
        self.samples.set_samples(sweep, i)
        self.charts.show_scale(sweep.scales[i])

    def parameters(self) -> dict[str, Any]:
        """What reproduces the shown sweep (for export sidecars): empty before the first one."""
        if self.outcome is None:
            return {}
        r, s = self.outcome.request, self.outcome.sweep
        return {"guidance": {"class": s.label, "scales": s.scales, "sampler": list(r.sampler), "nfe": r.nfe,
                             "samples": r.samples, "seed": r.seed, "shown_w": self._shown}}

    def figures(self) -> list[Figure]:
        if self.charts.sweep is None or self._stale[0].stale:
            return []
        w = self.scale.currentText()
        return [Figure("Guidance: distance and class fractions against w", self.charts, self.charts.data),
                Figure(f"Guidance: samples at w = {w}", self.samples, self.samples.data)]
