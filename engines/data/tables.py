"""Numeric tables in text files (CSV, TSV, whitespace-separated), as users write them: a first row of column
names is recognised as such (any cell of it that is not a number), and a column named like a label (label,
class, y, target) holds each row's label instead of being one more feature."""
from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from engines.errors import InputError, reading

LABEL_COLUMNS = ("label", "labels", "class", "y", "target", "targets")


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


def read_table(path: Path) -> Table:
    """The table in ``path``; InputError naming the file, the row and the column when a cell is not a number."""
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
    names = [name.lower() for name in header] if header is not None else []
    label_at = next((names.index(n) for n in LABEL_COLUMNS if n in names), None)
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
    labels = None
    if label_at is not None:
        raw = [row[label_at] for row in body]
        labels = (np.array(raw, dtype=np.float64).astype(np.int64) if all(_is_number(v) for v in raw)
                  else np.unique(raw, return_inverse=True)[1].reshape(-1))
    return Table(values, labels, [header[c] for c in features] if header is not None else None)
