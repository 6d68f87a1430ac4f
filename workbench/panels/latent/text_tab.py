"""The Text VAE tab: train a VAE of five- or seven-character lines (the built-in reviews or a Chinese text
file) with progress and stop, open or save its checkpoint, walk between two lines (each step's most
probable line as a text strip) and sample lines from the prior."""
from __future__ import annotations

from pathlib import Path
from typing import Callable, Optional

from PySide6 import QtCore, QtWidgets

from engines.latent.text_catalogue import BUILTIN_TEXT, TEXT_VAE
from tasks.latent import MODE, PRIOR_SEED, STEPS
from workbench.panel import Figure
from tasks.latent_text import TextTrainRequest, TextWalkRequest, save_text_job, text_walk_job, train_text_job
from workbench.panels.latent.text_views import LinesPlot, LossPlot
from workbench.widgets.fonts import cjk_font
from workbench.widgets.option_form import OptionForm
from workbench.widgets.sidebar import beside_sidebar, sidebar

DEFAULT_ENDS = ("质量很不错", "物流太慢了")


class TextTab(QtWidgets.QWidget):
    """``slot(name)`` gives the panel's job slots; ``device()`` the compute device preference."""

    def __init__(self, slot: Callable, device: Callable[[], str]) -> None:
        super().__init__()
        self.device = device
        self.train_job, self.walk_job, self.save_job = slot("text-train"), slot("text-walk"), slot("text-save")
        self.run = None  # the latest TextRun (a training run's weights)
        self.source = None  # what the walk uses: the run or a checkpoint path
        self.texts = QtWidgets.QComboBox()
        self.texts.addItem(f"{BUILTIN_TEXT} (built-in, windows)", BUILTIN_TEXT)
        self.texts.setToolTip("Training text: the built-in product reviews cut into windows, or a Chinese text file "
                              "whose runs of exactly the line length between punctuation are its lines (a poetry collection)")
        open_text = QtWidgets.QPushButton("Open…")
        open_text.clicked.connect(self._open_text)
        self.settings = OptionForm(TEXT_VAE.options)
        self.train_button = QtWidgets.QPushButton("Train")
        self.train_button.setToolTip("Train in a worker process; Stop keeps the last finished epoch")
        self.train_button.clicked.connect(self._train_clicked)
        self.progress = QtWidgets.QProgressBar()
        self.status = QtWidgets.QLabel("No text VAE yet: train one or open a checkpoint.")
        self.status.setWordWrap(True)
        open_ckpt, self.save_button = QtWidgets.QPushButton("Open checkpoint…"), QtWidgets.QPushButton("Save…")
        open_ckpt.clicked.connect(self._open_checkpoint)
        self.save_button.clicked.connect(self._save)
        self.save_button.setEnabled(False)
        self.ends = [QtWidgets.QLineEdit(text) for text in DEFAULT_ENDS]
        for edit, which in zip(self.ends, ("first", "last")):
            edit.setFont(cjk_font(14))
            edit.setToolTip(f"The {which} line of the walk: as many characters as the model's line length")
        self.walk_form = OptionForm((STEPS, MODE, PRIOR_SEED))
        self.walk_button = QtWidgets.QPushButton("Interpolate and sample")
        self.walk_button.setToolTip("Decode the path between the two lines' codes, and lines from prior samples")
        self.walk_button.clicked.connect(self.walk)
        self.walk_button.setEnabled(False)
        self.strips = LinesPlot("Interpolation", "t")
        self.samples = LinesPlot("Samples from the prior", "sample")
        self.loss = LossPlot()
        self._layout(open_text, open_ckpt)

    def _layout(self, open_text: QtWidgets.QWidget, open_ckpt: QtWidgets.QWidget) -> None:
        side = QtWidgets.QWidget()
        column = QtWidgets.QVBoxLayout(side)
        train = QtWidgets.QGroupBox("Train a text VAE")
        form = QtWidgets.QFormLayout(train)
        row = QtWidgets.QHBoxLayout()
        row.addWidget(self.texts, 1)
        row.addWidget(open_text)
        form.addRow("Text", row)
        form.addRow(self.settings)
        form.addRow(self.train_button)
        form.addRow(self.progress)
        model = QtWidgets.QGroupBox("Model")
        box = QtWidgets.QVBoxLayout(model)
        row = QtWidgets.QHBoxLayout()
        row.addWidget(open_ckpt)
        row.addWidget(self.save_button)
        box.addLayout(row)
        box.addWidget(self.status)
        walk = QtWidgets.QGroupBox("Interpolate")
        form = QtWidgets.QFormLayout(walk)
        form.addRow("From", self.ends[0])
        form.addRow("To", self.ends[1])
        form.addRow(self.walk_form)
        form.addRow(self.walk_button)
        for group in (train, model, walk):
            column.addWidget(group)
        column.addStretch(1)
        right = QtWidgets.QSplitter(QtCore.Qt.Orientation.Vertical)
        top = QtWidgets.QSplitter(QtCore.Qt.Orientation.Horizontal)
        top.addWidget(self.strips)
        top.addWidget(self.samples)
        right.addWidget(top)
        right.addWidget(self.loss)
        right.setStretchFactor(0, 3)
        right.setStretchFactor(1, 2)
        beside_sidebar(self, sidebar(side), right)

    def figures(self) -> list[Figure]:
        return [Figure("Text VAE interpolation (text strips)", self.strips, self.strips.data),
                Figure("Text VAE samples from the prior", self.samples, self.samples.data),
                Figure("Text VAE training loss", self.loss, self.loss.data)]

    # ------------------------------------------------------------------ training
    def _open_text(self) -> None:
        path, _ = QtWidgets.QFileDialog.getOpenFileName(self, "Open Chinese text", "", "Text (*.txt *.gz *.bz2 *.xz);;All files (*)")
        if path:
            self.texts.addItem(Path(path).name, path)
            self.texts.setCurrentIndex(self.texts.count() - 1)

    def _train_clicked(self) -> None:
        if self.train_job.running:
            self.train_job.cancel()
            return
        request = TextTrainRequest(self.texts.currentData(), self.settings.values())
        handle = self.train_job.start("Training a text VAE", train_text_job, request, device=self.device(), process=True)
        handle.progress.connect(lambda p: self.progress.setValue(int(100 * (p.fraction or 0))))
        handle.partial.connect(self._trained)
        handle.succeeded.connect(self._trained)
        handle.failed.connect(lambda err: self._stopped(err.message))
        handle.cancelled.connect(lambda: self._stopped("stopped; the last streamed epoch is kept" if self.run else "stopped"))
        self.train_button.setText("Stop (keeps the weights)")
        self.progress.setValue(0)

    def _trained(self, run) -> None:
        """A partial or the finished run: show the curve, use its weights for the walk."""
        self.run, self.source = run, run
        self.loss.show_losses(run.losses)
        lines = f"{run.lines:,} lines of {run.text}, {run.config.length} characters, vocabulary {run.vocab.size - 1}"
        if run.finished:
            m = run.metrics
            self.train_button.setText("Train")
            self.progress.setValue(100)
            self.status.setText(f"Trained on {lines}: held-out −ELBO {m['test_total']:.2f} nats per line (KL "
                                f"{m['test_kl']:.2f}), {m['test_char_accuracy']:.1%} of characters reconstructed "
                                f"from their codes. {run.note}")
        else:
            self.status.setText(f"Training on {lines}: epoch {len(run.losses)}")
        self.save_button.setEnabled(True)
        self.walk_button.setEnabled(True)
        self.walk()

    def _stopped(self, message: str) -> None:
        self.train_button.setText("Train")
        self.status.setText(message)

    def _save(self) -> None:
        path, _ = QtWidgets.QFileDialog.getSaveFileName(self, "Save text VAE", "text_vae.safetensors", "safetensors (*.safetensors)")
        if path and self.run is not None:
            handle = self.save_job.start("Saving the text VAE", save_text_job, Path(path), self.run)
            handle.succeeded.connect(lambda body: self.status.setText(f"Saved {body['weights']}"))

    # ------------------------------------------------------------------ using a model
    def _open_checkpoint(self) -> None:
        path, _ = QtWidgets.QFileDialog.getOpenFileName(self, "Open text VAE", "", "Checkpoints (*.safetensors *.json)")
        if path:
            self.open(Path(path))

    def open(self, path: Path) -> None:
        self.source = path
        self.walk_button.setEnabled(True)
        self.walk()

    def walk(self, *_: object) -> Optional[object]:
        if self.source is None:
            return None
        v = self.walk_form.values()
        request = TextWalkRequest(self.source, self.ends[0].text(), self.ends[1].text(), v["steps"], v["mode"],
                                  seed=v["prior_seed"] or 0)
        handle = self.walk_job.start("Text VAE interpolation", text_walk_job, request)
        handle.succeeded.connect(self._walked)
        handle.failed.connect(lambda err: self.status.setText(err.message))
        return handle

    def _walked(self, result) -> None:
        w = result.walk
        self.strips.show_lines(w.lines, [f"{t:.2f}" for t in w.t], w.t, f"{w.mode}: {w.ends[0]} → {w.ends[1]}")
        self.samples.show_lines(result.samples, [str(k + 1) for k in range(len(result.samples))],
                                range(len(result.samples)), "Samples from the prior (argmax lines)")
        if result.checkpoint is not None:
            info = result.checkpoint.info.get("dataset") or {}
            losses = (result.checkpoint.info.get("run") or {}).get("losses")
            self.loss.show_losses([v for v in losses if isinstance(v, (int, float))] if isinstance(losses, list) else [])
            self.status.setText(f"{result.checkpoint.path.name}: a text VAE of {result.config.length}-character lines, "
                                f"vocabulary {result.config.vocab_size - 1}, trained on {info.get('name', '?')}")
