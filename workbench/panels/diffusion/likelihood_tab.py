"""The diffusion panel's Likelihood tab: the ELBO's terms per timestep and bits/dim by the ELBO and by the
probability-flow ODE for the model in the sidebar; a table comparing ε / x0 / v and linear / cosine (each
trained briefly on the sidebar's data); and reflow (flow matching, then rounds on the previous model's
pairs) with the straightness of each round (its quality against NFE goes on the Compare tab's chart:
:attr:`LikelihoodTab.reflow_drawn`)."""
from __future__ import annotations

from typing import Any, Callable, Optional

from PySide6 import QtCore, QtWidgets

from engines.diffusion.catalogue_likelihood import LIKELIHOOD_OPTIONS, PAIR_STEPS, PAIRS, REFLOW
from engines.catalogue import Option
from tasks.diffusion_likelihood import TABLE_STEPS, LikelihoodRequest, TableRequest, likelihood_job, summary, table_job
from tasks.diffusion_reflow import ReflowRequest, reflow_job
from workbench.jobs import JobSlot
from workbench.panel import Figure, PanelContext
from workbench.panels.diffusion.likelihood_charts import BitsPlot, ElboTermsPlot, StraightnessPlot
from workbench.widgets.option_form import OptionForm

ROUNDS = Option("rounds", REFLOW.label, "int", 2, 1, REFLOW.maximum, help=REFLOW.help)
REFLOW_STEPS = Option("steps", "Steps a round", "int", 1500, 50, 100000, help="training steps of flow matching and of each reflow round")
TABLE_LABEL = {"eps": "ε", "x0": "x0", "v": "v"}
SHORT = {"linear": "lin", "cosine": "cos"}


class LikelihoodTab(QtWidgets.QWidget):
    """Emits :attr:`reflowed` with each finished engines ReflowResult (the panel offers its rounds as models)
    and :attr:`reflow_drawn` with every partial one too (the panel's quality chart draws its rounds)."""

    reflowed = QtCore.Signal(object)
    reflow_drawn = QtCore.Signal(object)

    def __init__(self, context: PanelContext, source: Callable[[], tuple[Any, str]], dataset: Callable[[], str],
                 seed: Callable[[], int], slots: tuple[JobSlot, JobSlot, JobSlot],
                 parent: Optional[QtWidgets.QWidget] = None) -> None:
        super().__init__(parent)
        self.context, self._source, self._dataset, self._seed = context, source, dataset, seed
        self._measure_job, self._table_job, self._reflow_job = slots
        self.measured: Optional[tuple[str, Any]] = None  # (label, Likelihood) of the sidebar's model
        self.table: Any = None  # tasks.diffusion_likelihood.Table
        self.reflow: Any = None  # engines ReflowResult
        self.terms_plot, self.bits_plot = ElboTermsPlot(), BitsPlot()
        self.straightness_plot = StraightnessPlot()
        self._build()

    # ------------------------------------------------------------------ layout
    def _build(self) -> None:
        self.likelihood_form = OptionForm(LIKELIHOOD_OPTIONS)
        self.measure_button = QtWidgets.QPushButton("Measure")
        self.measure_button.setToolTip("ELBO terms and bits/dim by the ELBO and by the probability-flow ODE of the "
                                       "model chosen in the sidebar, on its held-out data")
        self.table_form = OptionForm((TABLE_STEPS,))
        self.table_button = QtWidgets.QPushButton("Compare ε / x0 / v × linear / cosine")
        self.table_button.setToolTip("Train one DDPM per prediction and schedule on the sidebar's data and "
                                     "measure each one's likelihood on the same rows")
        self.reflow_form = OptionForm((ROUNDS, REFLOW_STEPS, PAIRS, PAIR_STEPS))
        self.reflow_button = QtWidgets.QPushButton("Train reflow")
        self.reflow_button.setToolTip("Flow matching on the sidebar's data, then the reflow rounds (Liu et al. 2022); "
                                      "each round's model joins the sidebar's model menu")
        self.measure_button.clicked.connect(self.measure)
        self.table_button.clicked.connect(self.compare)
        self.reflow_button.clicked.connect(self.train_reflow)

        likelihood = QtWidgets.QGroupBox("Likelihood of the sidebar's model")
        ll = QtWidgets.QHBoxLayout(likelihood)
        ll.addWidget(self.likelihood_form)
        buttons = QtWidgets.QVBoxLayout()
        buttons.addWidget(self.measure_button)
        buttons.addWidget(self.table_form)
        buttons.addWidget(self.table_button)
        ll.addLayout(buttons)
        reflow = QtWidgets.QGroupBox("Reflow on the sidebar's data")
        rl = QtWidgets.QHBoxLayout(reflow)
        rl.addWidget(self.reflow_form)
        rl.addWidget(self.reflow_button, 0, QtCore.Qt.AlignmentFlag.AlignBottom)

        self.table_view = QtWidgets.QTableWidget(0, 6)
        self.table_view.setHorizontalHeaderLabels(["model", "ELBO bits/dim", "ODE bits/dim", "gap nats/dim",
                                                   "L0 nats/dim", "L_T nats/dim"])
        self.table_view.horizontalHeader().setSectionResizeMode(QtWidgets.QHeaderView.ResizeMode.ResizeToContents)
        self.table_view.horizontalHeader().setStretchLastSection(True)
        self.table_view.verticalHeader().hide()
        self.table_view.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table_view.setToolTip("bits/dim with 95% intervals over the rows; the gap ELBO − ODE is ≥ 0 when the "
                                   "bound holds; L0 the reconstruction term −log p(x0|x1), L_T the prior term")

        bottom = QtWidgets.QSplitter(QtCore.Qt.Orientation.Horizontal)
        bottom.addWidget(self.bits_plot)
        bottom.addWidget(self.table_view)
        left = QtWidgets.QSplitter(QtCore.Qt.Orientation.Vertical)
        left.addWidget(self.terms_plot)
        left.addWidget(bottom)
        plots = QtWidgets.QSplitter(QtCore.Qt.Orientation.Horizontal)
        plots.addWidget(left)
        plots.addWidget(self.straightness_plot)
        plots.setSizes([640, 360])
        bottom.setSizes([1, 1])
        controls = QtWidgets.QWidget()
        top = QtWidgets.QHBoxLayout(controls)
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(likelihood, 3)
        top.addWidget(reflow, 2)
        scroll = QtWidgets.QScrollArea()  # a narrow window scrolls the settings instead of widening the panel
        scroll.setWidget(controls)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QtWidgets.QFrame.Shape.NoFrame)
        scroll.setVerticalScrollBarPolicy(QtCore.Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setFixedHeight(controls.sizeHint().height() + scroll.horizontalScrollBar().sizeHint().height())
        column = QtWidgets.QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(scroll)
        column.addWidget(plots, 1)

    # ------------------------------------------------------------------ jobs
    def _toggle(self, slot: JobSlot, button: QtWidgets.QPushButton) -> bool:
        """Cancel ``slot``'s job if it runs (True); else mark ``button`` as its Stop until the job ends."""
        if slot.running:
            slot.cancel()
            return True
        button.setText("Stop")
        return False

    def _started(self, handle: Any, button: QtWidgets.QPushButton, text: str) -> None:
        handle.done.connect(lambda: button.setText(text))

    def measure(self) -> None:
        text = self.measure_button.text()
        if self._toggle(self._measure_job, self.measure_button):
            return
        source, label = self._source()
        v = self.likelihood_form.values()
        request = LikelihoodRequest(source, v["rows"], v["probes"], v["ode_steps"], self._seed(), self.context.device())
        handle = self._measure_job.start(f"Likelihood of {label}", likelihood_job, request)
        handle.succeeded.connect(lambda outcome: self._measured(label, outcome))
        self._started(handle, self.measure_button, text)

    def _measured(self, label: str, outcome: Any) -> None:
        self.measured = (label, outcome.likelihood)
        self.context.show_message(f"{label}: {summary(outcome.likelihood)}")
        self._redraw()

    def compare(self) -> None:
        text = self.table_button.text()
        if self._toggle(self._table_job, self.table_button):
            return
        v = self.likelihood_form.values()
        request = TableRequest(self._dataset(), self.table_form.values()["table_steps"], v["rows"], v["probes"],
                               v["ode_steps"], self._seed(), self.context.device())
        handle = self._table_job.start("Likelihood: ε / x0 / v × linear / cosine", table_job, request, process=True)
        handle.partial.connect(self._tabled)
        handle.succeeded.connect(self._tabled)
        self._started(handle, self.table_button, text)

    def _tabled(self, table: Any) -> None:
        self.table = table
        self._redraw()

    def train_reflow(self) -> None:
        text = self.reflow_button.text()
        if self._toggle(self._reflow_job, self.reflow_button):
            return
        v = self.reflow_form.values()
        request = ReflowRequest(self._dataset(), v["steps"], v["rounds"], v["pairs"], v["pair_steps"], seed=self._seed(),
                                device=self.context.device())
        handle = self._reflow_job.start("Reflow", reflow_job, request, process=True)
        handle.partial.connect(self._reflow_partial)
        handle.succeeded.connect(self.show_reflow)
        self._started(handle, self.reflow_button, text)

    def _reflow_partial(self, result: Any) -> None:
        self.reflow = result
        self.straightness_plot.set_result(result)
        self.reflow_drawn.emit(result)

    def show_reflow(self, result: Any) -> None:
        """A finished reflow run: drawn, and handed on (:attr:`reflowed`)."""
        self._reflow_partial(result)
        self.reflowed.emit(result)

    # ------------------------------------------------------------------ drawing
    def models(self) -> list[tuple[str, Any]]:
        """(label, Likelihood) of the measured model and of every row of the table, in drawing order."""
        rows = [self.measured] if self.measured is not None else []
        if self.table is not None:
            rows += [(f"{TABLE_LABEL.get(r.prediction, r.prediction)}, {r.schedule}", r.likelihood) for r in self.table.rows]
        return rows

    def _redraw(self) -> None:
        models = self.models()
        self.terms_plot.set_models(models)
        ticks = (["sidebar"] if self.measured is not None else []) + (
            [f"{TABLE_LABEL.get(r.prediction, r.prediction)} {SHORT.get(r.schedule, r.schedule)}" for r in self.table.rows]
            if self.table is not None else [])
        self.bits_plot.set_models(models, ticks)
        self.table_view.setRowCount(len(models))
        for i, (label, lk) in enumerate(models):
            cells = (label, f"{lk.elbo_bits.mean:.3f} ± {lk.elbo_bits.half_width:.3f}",
                     f"{lk.ode_bits.mean:.3f} ± {lk.ode_bits.half_width:.3f}", f"{lk.gap_nats:+.3f}",
                     f"{lk.elbo.reconstruction.mean:.3g}", f"{lk.elbo.prior.mean:.2g}")
            for j, text in enumerate(cells):
                self.table_view.setItem(i, j, QtWidgets.QTableWidgetItem(text))

    def figures(self) -> list[Figure]:
        return [Figure("Likelihood: ELBO terms per timestep", self.terms_plot, self.terms_plot.data),
                Figure("Likelihood: bits/dim by ELBO and ODE", self.bits_plot, self.bits_plot.data),
                Figure("Reflow: straightness per round", self.straightness_plot, self.straightness_plot.data)]
