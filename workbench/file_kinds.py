"""The kinds of file Workbench opens, in File-menu order: suffixes, dialog filter and shortcut of each,
which kind a path is, and which panels can open it, so the shell can route it. A new kind is one entry
here."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from engines.formats import what_it_is
from workbench.panel_info import PanelInfo


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
    FileKind("checkpoint", "Checkpoints", (".safetensors", ".pt", ".pth", ".ckpt", ".pt2"), "Ctrl+O"),
    FileKind("dataset", "Datasets", (".npy", ".npz", ".csv", ".tsv", ".png", ".jpg", ".jpeg"), "Ctrl+Alt+O"),
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


def panels_for(path: Path, kind: str, infos: Sequence[PanelInfo]) -> list[PanelInfo]:
    """The panels that can open ``path`` of ``kind``. A checkpoint goes to the panels that open the format
    it declares (read from its JSON alone), the panel whose own format it is first; other kinds, and
    checkpoints that declare nothing readable, to every panel that accepts the kind, in tab order."""
    takers = [info for info in infos if kind in info.accepts]
    if kind != "checkpoint" or not any(info.formats for info in takers):
        return takers
    declared = what_it_is(path)
    opens = [info for info in takers if declared in info.formats]
    return sorted(opens, key=lambda info: info.formats.index(declared)) if opens else takers
