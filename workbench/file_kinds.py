"""The kinds of file Workbench opens, in File-menu order: suffixes, dialog filter and shortcut of each,
and which kind a path is, so the shell can route it to a panel. A new kind is one entry here."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class FileKind:
    name: str  # "corpus": what PanelInfo.accepts names
    label: str  # dialog filter label: "Text corpora"
    suffixes: tuple[str, ...]
    shortcut: str = ""  # File ▸ Open <name>…

    @property
    def filter(self) -> str:
        return f"{self.label} ({' '.join('*' + s for s in self.suffixes)});;All files (*)"


FILE_KINDS = (
    FileKind("corpus", "Text corpora", (".txt", ".gz", ".bz2", ".xz"), "Ctrl+Shift+O"),
    FileKind("checkpoint", "Checkpoints", (".safetensors", ".pt", ".pth", ".ckpt"), "Ctrl+O"),
    FileKind("dataset", "Datasets", (".npy", ".npz", ".csv", ".png", ".jpg", ".jpeg"), "Ctrl+Alt+O"),
)
# a folder is what the first kind (in this order) of the files inside it is
FOLDER_PRECEDENCE = ("checkpoint", "dataset", "corpus")


def kind_named(name: str) -> FileKind:
    return next(k for k in FILE_KINDS if k.name == name)


def classify(path: Path) -> str | None:
    """The kind of ``path``, or None when Workbench does not know what to do with it."""
    kinds = FILE_KINDS
    if path.is_dir():
        suffixes = {p.suffix.lower() for p in path.iterdir() if p.is_file()}
        ordered = sorted(kinds, key=lambda k: FOLDER_PRECEDENCE.index(k.name) if k.name in FOLDER_PRECEDENCE else len(kinds))
        return next((k.name for k in ordered if suffixes & set(k.suffixes)), None)
    suffix = path.suffix.lower()
    return next((k.name for k in kinds if suffix in k.suffixes), None)
