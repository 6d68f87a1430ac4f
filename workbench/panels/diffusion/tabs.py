"""The diffusion panel's first three tabs as widgets: Compare (samplers side by side, quality against NFE, the
σ grids), Reverse process (one sampler large, with its view options) and Forward process (a σ slider)."""
from __future__ import annotations

from PySide6 import QtCore, QtWidgets

from workbench.panels.diffusion.charts import QualityChart, SchedulePlot
from workbench.panels.diffusion.frame_view import FrameView
from workbench.panels.diffusion.process_views import ForwardView


class CompareTab(QtWidgets.QSplitter):
    """The samplers' views in a 2-column grid (``grid``, the branches' rows placed under them by the caller),
    beside the quality chart with its measure menu (``metric_box``) over the σ grids."""

    def __init__(self, views: list[FrameView], quality_chart: QualityChart, schedule_plot: SchedulePlot) -> None:
        super().__init__(QtCore.Qt.Orientation.Horizontal)
        self.grid = QtWidgets.QWidget()
        self.grid_layout = QtWidgets.QGridLayout(self.grid)
        self.grid_layout.setContentsMargins(0, 0, 0, 0)
        self.grid_layout.setSpacing(2)
        for k, view in enumerate(views):
            self.grid_layout.addWidget(view, k // 2, k % 2)
        for i in range(2):
            self.grid_layout.setColumnStretch(i, 1)
            self.grid_layout.setRowStretch(i, 1)
        chart_box = QtWidgets.QWidget()
        cb = QtWidgets.QVBoxLayout(chart_box)
        cb.setContentsMargins(0, 0, 0, 0)
        self.metric_box = QtWidgets.QComboBox()
        self.metric_box.setToolTip("The quality measure against held-out data (lower is better)")
        self.metric_box.setPlaceholderText("quality measure: once the first samples are drawn")
        cb.addWidget(self.metric_box)
        cb.addWidget(quality_chart, 1)
        side = QtWidgets.QSplitter(QtCore.Qt.Orientation.Vertical)
        side.addWidget(chart_box)
        side.addWidget(schedule_plot)
        self.addWidget(self.grid)
        self.addWidget(side)
        self.setStretchFactor(0, 3)
        self.setStretchFactor(1, 2)
        self.setSizes([620, 440])


class ReverseTab(QtWidgets.QWidget):
    """One sampler's run large (``view``), the run chosen in ``sampler``; ``options_changed`` when a view
    option (score field, denoised guesses, trajectories) is toggled."""

    options_changed = QtCore.Signal()

    def __init__(self, view: FrameView) -> None:
        super().__init__()
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        options = QtWidgets.QHBoxLayout()
        self.sampler = QtWidgets.QComboBox()
        self.sampler.setToolTip("The sampler shown large")
        self.show_field = QtWidgets.QCheckBox("score field")
        self.show_x0 = QtWidgets.QCheckBox("denoised guesses E[x0|x_t]")
        self.show_paths = QtWidgets.QCheckBox("trajectories")
        options.addWidget(QtWidgets.QLabel("Sampler"))
        options.addWidget(self.sampler)
        options.addStretch(1)
        for box in (self.show_field, self.show_x0, self.show_paths):
            box.setChecked(True)
            box.toggled.connect(self.options_changed)
            options.addWidget(box)
        layout.addLayout(options)
        layout.addWidget(view, 1)

    def apply_options(self, views: list[FrameView]) -> None:
        """Give ``views`` the ticked view options."""
        for view in views:
            view.show_field = self.show_field.isChecked()
            view.show_x0 = self.show_x0.isChecked()
            view.show_paths = self.show_paths.isChecked()


class ForwardTab(QtWidgets.QWidget):
    """A data batch noised to the σ of a log-scale slider (0.001 to 100)."""

    def __init__(self, view: ForwardView) -> None:
        super().__init__()
        self.view = view
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(view, 1)
        row = QtWidgets.QHBoxLayout()
        self.sigma_slider = QtWidgets.QSlider(QtCore.Qt.Orientation.Horizontal)
        self.sigma_slider.setRange(0, 500)
        self.sigma_slider.setValue(250)
        self.sigma_slider.setToolTip("Noise level σ, from 0.001 to 100 on a log scale")
        self.sigma_slider.valueChanged.connect(lambda value: view.show_sigma(10 ** (-3 + 5 * value / 500)))
        row.addWidget(QtWidgets.QLabel("σ"))
        row.addWidget(self.sigma_slider, 1)
        layout.addLayout(row)
