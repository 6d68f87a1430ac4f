"""The Model box: which model is shown (the bundled checkpoints, opened files, trained runs), what its
checkpoint records, and the Open and Save buttons."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6 import QtCore, QtWidgets


class ModelBox(QtWidgets.QGroupBox):
    """Emits ``chosen(source)`` when the user picks a model (a checkpoint path or a training snapshot),
    ``open_chosen(path)`` and ``save_chosen(path)`` when the user picks a file to open or to save to."""

    chosen = QtCore.Signal(object)
    open_chosen = QtCore.Signal(object)
    save_chosen = QtCore.Signal(object)

    def __init__(self) -> None:
        super().__init__("Model")
        from tasks.bundled import bundled

        form = QtWidgets.QFormLayout(self)
        self.combo = QtWidgets.QComboBox()
        self.sources: list[Any] = []  # per combo entry: a checkpoint path or a TrainSnapshot
        for b in bundled("latent"):
            self.combo.addItem(b.label)
            self.sources.append(b.path)
        self.combo.activated.connect(lambda index: self.chosen.emit(self.sources[index]))
        self.info = QtWidgets.QLabel("loading…")
        self.info.setWordWrap(True)
        self.info.setTextInteractionFlags(QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)
        buttons = QtWidgets.QHBoxLayout()
        self.open_button = QtWidgets.QPushButton("Open…")
        self.open_button.setToolTip("Load a .safetensors (with its .json) or .pt/.pth checkpoint")
        self.open_button.clicked.connect(self._open_dialog)
        self.save_button = QtWidgets.QPushButton("Save…")
        self.save_button.setToolTip("Save the current model as .safetensors + .json")
        self.save_button.setEnabled(False)
        self.save_button.clicked.connect(self._save_dialog)
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.save_button)
        form.addRow(self.combo)
        form.addRow(self.info)
        form.addRow(buttons)
        self._name = ""  # the shown checkpoint's name: the file name Save offers

    def current(self) -> Any:
        return self.sources[self.combo.currentIndex()]

    def add(self, title: str, source: Any) -> None:
        """A new entry (an opened file, a trained model), made current."""
        self.sources.append(source)
        self.combo.addItem(title)
        self.combo.setCurrentIndex(self.combo.count() - 1)

    def show_checkpoint(self, checkpoint, data_name: str, items: int) -> None:
        """What the loaded ``checkpoint`` records: held-out numbers, training run, hash."""
        self._name = checkpoint.name
        self.save_button.setEnabled(True)
        m = checkpoint.metrics
        lines = [f"<b>{checkpoint.config.title}</b>", f"data: {data_name}, {items} items"]
        if "test_bits_per_dim" in m:
            lines.append(f"held-out {m['test_bits_per_dim']:.3f} bits/dim")
        elif "test_total" in m:  # of the discrete pixels (a density's value may be negative)
            lines.append(f"held-out −ELBO {checkpoint.model.discrete_nats(m['test_total']):.2f} nats")
        if "test_recon_mse" in m and "mean_image_mse" in m and not checkpoint.config.is_flow:
            lines.append(f"recon. MSE {m['test_recon_mse']:.4f} (mean image {m['mean_image_mse']:.4f})")
        if "test_purity" in m:
            lines.append(f"cluster purity {m['test_purity']:.3f}")
        run = checkpoint.info.get("run") or {}
        if run.get("epochs"):
            lines.append(f"{run['epochs']} epochs, {run.get('steps', 0)} steps, {run.get('seconds', 0):.1f} s")
        if checkpoint.info.get("inferred"):
            lines.append("architecture inferred from the tensors (no config)")
        lines.append(f"sha256 {checkpoint.sha256[:12]}…")
        self.info.setText("<br>".join(lines))

    def show_error(self, message: str) -> None:
        self.info.setText(f"<span style='color:#ff8080'>{message}</span>")

    def _open_dialog(self) -> None:
        path, _ = QtWidgets.QFileDialog.getOpenFileName(
            self, "Open checkpoint", "", "Checkpoints (*.safetensors *.pt *.pth *.pt2 *.json);;All files (*)")
        if path:
            self.open_chosen.emit(Path(path))

    def _save_dialog(self) -> None:
        path, _ = QtWidgets.QFileDialog.getSaveFileName(self, "Save checkpoint", f"{self._name}.safetensors",
                                                        "safetensors (*.safetensors)")
        if path:
            self.save_chosen.emit(Path(path))
