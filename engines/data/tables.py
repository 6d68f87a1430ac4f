"""Numeric tables in text files (CSV, TSV, whitespace-separated), as users write them.

The rule for labels (README "Own data"): a first row with any cell that is not a number is a header. The
labels are the column that ``labels`` names (a header name, or a 1-based column number), else a column whose
header is label, labels, class, target or targets (not y: points are often headed x,y); ``labels="none"`` keeps every column as a feature.
A table that names no label column but whose last column looks like labels (whole numbers only, at most
:data:`MAX_CLASSES` distinct values and fewer than half the rows, beside a column that is not all whole
numbers) is refused with a sentence saying so: Workbench never guesses whether a column is a feature.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from engines.errors import InputError, reading

LABEL_COLUMNS = ("label", "labels", "class", "target", "targets")  # not "y": points are often headed x,y
NO_LABELS = "none"
MAX_CLASSES = 50
TABLE_SUFFIXES = (".csv", ".tsv", ".txt")


@dataclass(frozen=True)
class Table:
    """The numeric columns (N, D), the labels (N,) when a label column was named (class names numbered in
    sorted order), and the column names (None when the file has no header)."""

    values: np.ndarray
    labels: np.ndarray | None
    columns: list[str] | None


def _delimiter(path: Path) -> str | None:
    return {".csv": ",", ".tsv": "\t"}.get(path.suffix.lower())  # None: any whitespace


def _cells(line: str, delimiter: str | None) -> list[str]:
    if delimiter is None:
        return line.split()
    return [cell.strip() for cell in next(csv.reader([line], delimiter=delimiter))]


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def is_table(path: Path) -> bool:
    """Whether ``path`` is read as a text table (by its suffix)."""
    return path.suffix.lower() in TABLE_SUFFIXES


def _label_column(path: Path, header: list[str] | None, width: int, labels: str | None) -> int | None:
    """The column ``labels`` names (see the module's rule); None for none."""
    names = [name.lower() for name in header] if header is not None else []
    if labels is None:
        return next((names.index(n) for n in LABEL_COLUMNS if n in names), None)
    if labels.lower() == NO_LABELS:
        return None
    if labels.lower() in names:
        return names.index(labels.lower())
    if labels.isdigit() and 1 <= int(labels) <= width:
        return int(labels) - 1
    known = f"its columns are {', '.join(header)} (or 1 to {width})" if header else f"it has columns 1 to {width}"
    raise InputError(f"{path.name} has no column {labels!r} to take the labels from: {known}")


def _looks_like_labels(values: np.ndarray) -> bool:
    """Whether the last column of ``values`` holds class numbers rather than a feature (see the module)."""
    if values.shape[1] < 2:
        return False
    whole = np.isfinite(values) & (values == np.round(values))
    distinct = len(np.unique(values[:, -1]))
    return bool(whole[:, -1].all() and not whole[:, :-1].all() and distinct <= min(MAX_CLASSES, len(values) // 2))


def _refuse_guess(path: Path, header: list[str] | None, values: np.ndarray) -> None:
    last = values[:, -1]
    name = f" ({header[-1]})" if header is not None else ""
    ref = header[-1] if header is not None else str(values.shape[1])
    raise InputError(f"{path.name}: its last column{name} holds only the whole numbers {last.min():g} to "
                     f"{last.max():g} ({len(np.unique(last))} values) and looks like labels, so it is not used as a "
                     f"feature unless you say so: --labels {ref} takes it as the labels, --labels {NO_LABELS} keeps "
                     f"it as a feature (or name its header 'label')")


def read_table(path: Path, labels: str | None = None) -> Table:
    """The table in ``path`` with its labels as the module's rule says (``labels``: a column name or 1-based
    number, ``"none"``, or None for a header-named label column); InputError naming the file, the row and the
    column when a cell is not a number."""
    delimiter = _delimiter(path)
    with reading(path, "table"), open(path, encoding="utf-8-sig", newline="") as handle:
        try:
            rows = [_cells(line, delimiter) for line in handle if line.strip()]
        except (UnicodeDecodeError, csv.Error) as exc:
            raise InputError(f"{path.name} is not a text table: {exc}") from None
    if not rows:
        raise InputError(f"{path.name} holds no rows")
    header = None if all(_is_number(cell) for cell in rows[0]) else rows[0]
    body = rows[1:] if header is not None else rows
    if not body:
        raise InputError(f"{path.name} has a header but no rows")
    width = len(rows[0])
    for number, row in enumerate(body, start=2 if header is not None else 1):
        if len(row) != width:
            raise InputError(f"{path.name}, row {number}: {len(row)} columns where the first row has {width}")
    label_at = _label_column(path, header, width, labels)
    features = [c for c in range(width) if c != label_at]
    if not features:
        raise InputError(f"{path.name} has no columns besides its labels")
    cells = np.array(body, dtype=object)
    try:
        values = cells[:, features].astype(np.float64)
    except ValueError:
        row, column = next((r, c) for r in range(len(body)) for c in features if not _is_number(body[r][c]))
        where = header[column] if header is not None else f"column {column + 1}"
        raise InputError(f"{path.name}, row {row + (2 if header is not None else 1)}, {where}: "
                         f"{body[row][column]!r} is not a number") from None
    if labels is None and label_at is None and _looks_like_labels(values):
        _refuse_guess(path, header, values)
    found = None
    if label_at is not None:
        raw = [row[label_at] for row in body]
        found = (np.array(raw, dtype=np.float64).astype(np.int64) if all(_is_number(v) for v in raw)
                 else np.unique(raw, return_inverse=True)[1].reshape(-1))
    return Table(values, found, [header[c] for c in features] if header is not None else None)
