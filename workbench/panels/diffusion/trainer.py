"""Training in the diffusion panel: the Train/Stop button's job, the Training tab's curve (live, or the one
a loaded checkpoint recorded) and saving the trained model."""
from __future__ import annotations

from typing import Any, Optional

from PySide6 import QtCore, QtWidgets

from tasks.diffusion import TrainOutcome, TrainPartial, TrainRequest, save_job, train_job
from workbench.jobs import JobSlot
from workbench.panel import PanelContext
from workbench.panels.diffusion.controls import Controls
from workbench.panels.diffusion.process_views import TrainView

TRAIN_PREVIEWS, MIN_PREVIEW_GAP = 12, 50  # previews while a model trains, at least 50 steps apart


class Trainer(QtCore.QObject):
    """Runs training jobs for the panel and emits ``trained`` with each finished TrainOutcome."""

    trained = QtCore.Signal(object)

    def __init__(self, context: PanelContext, controls: Controls, view: TrainView, train_slot: JobSlot,
                 save_slot: JobSlot, parent: QtWidgets.QWidget) -> None:
        super().__init__(parent)
        self.context, self.controls, self.view = context, controls, view
        self._train_job, self._save_job = train_slot, save_slot
        self.result: Optional[Any] = None  # the last TrainResult, for Save checkpoint
        self._so_far: Optional[TrainOutcome] = None  # the running job's weights at its last preview
        controls.train_requested.connect(self.train)
        controls.save_requested.connect(self._save_dialog)

    @property
    def running(self) -> bool:
        return self._train_job.running

    def train(self) -> None:
        """Train on the chosen data (Stop while it runs)."""
        if self._train_job.running:
            self._train_job.cancel()
            return
        c = self.controls
        steps = c.steps.value()
        request = TrainRequest(c.dataset.currentData(), c.objective.currentData(), steps, seed=c.seed.value(),
                               device=self.context.device(), preview_every=max(MIN_PREVIEW_GAP, steps // TRAIN_PREVIEWS),
                               **c.train_settings())
        handle = self._train_job.start("Training a diffusion model", train_job, request,
                                       process=True)  # stopped at once on Cancel, first-use imports included
        self._so_far = None
        handle.partial.connect(self._partial)
        handle.succeeded.connect(self._trained)
        handle.cancelled.connect(self._stopped)
        handle.done.connect(lambda: c.set_training(False))
        c.set_training(True)

    def _partial(self, partial: TrainPartial) -> None:
        self.view.set_snapshot(partial.snapshot)
        self._so_far = partial.outcome

    def _stopped(self) -> None:
        """Stop keeps the EMA weights of the last preview (none before the first one)."""
        kept, self._so_far = self._so_far, None
        if kept is None:
            self.context.show_message("Training stopped before its first preview; nothing to keep")
            return
        step = kept.result.extra["train"]["steps"]
        self.context.show_message(f"Training stopped; kept the weights of step {step} (its last preview)")
        self._trained(kept)

    def show_recorded(self, source: Any, label: str) -> None:
        """The loss curve ``source``'s checkpoint recorded (until a model trains here); ``label`` names it."""
        self.view.show_history(label, getattr(source, "history", None))

    def _trained(self, outcome: TrainOutcome) -> None:
        self.result = outcome.result
        self.controls.save_button.setEnabled(True)
        self.trained.emit(outcome)

    def _save_dialog(self) -> None:
        if self.result is None:
            return
        path, _ = QtWidgets.QFileDialog.getSaveFileName(self.parent(), "Save diffusion checkpoint",
                                                        f"diffusion_{self.result.data_name}.safetensors",
                                                        "safetensors (*.safetensors)")
        if path:
            handle = self._save_job.start("Saving checkpoint", save_job, self.result, path)
            handle.succeeded.connect(lambda _h: self.context.show_message(f"Saved {path}"))
