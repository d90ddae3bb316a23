"""Data files: CSV with the header ``x,y,label``, one point a line.

``label`` is an integer class id (0, 1, 2, ...) for classification or a float value for
regression. Every problem raises ``DataError`` naming the file and line, so the CLI and
the window can show one clear sentence and keep what the user already has.
"""

from __future__ import annotations

import csv
import io
import math
import os
from pathlib import Path

import numpy as np

from engine.errors import DataError

HEADER = ("x", "y", "label")
MAX_CLASSES = 16


def _fast_parse(text: str, regression: bool) -> tuple[np.ndarray, np.ndarray] | None:
    """numpy's C reader for a clean file (a 100,000-point file in milliseconds, not a fifth of a
    second of the GIL); None whenever anything is unusual, so the careful parser names the problem."""
    header_end = text.find("\n")
    if header_end < 0 or '"' in text or "\r" in text:
        return None
    if tuple(cell.strip().lower() for cell in text[:header_end].split(",")) != HEADER:
        return None
    if not text[header_end + 1 :].strip():
        return None
    try:
        table = np.loadtxt(io.StringIO(text[header_end + 1 :]), delimiter=",", dtype=np.float64, ndmin=2,
                           comments=None)
    except ValueError:
        return None
    if table.shape[1:] != (3,) or not len(table) or not np.all(np.isfinite(table)):
        return None
    labels = table[:, 2]
    if regression:
        return np.ascontiguousarray(table[:, :2]), labels.copy()
    if not (np.all(labels == np.round(labels)) and labels.min() >= 0 and labels.max() < MAX_CLASSES):
        return None
    return np.ascontiguousarray(table[:, :2]), labels.astype(np.int64)


def parse_csv(
    text: str, source: str = "<data>", regression: bool = False, fast: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """Parse CSV text into points (n, 2) float64 and labels (n,) (int64, or float64 for regression).

    A clean file takes numpy's fast path; anything else (or ``fast=False``) the careful one,
    which names the file and line of the first problem.
    """
    quick = _fast_parse(text, regression) if fast else None
    if quick is not None:
        return quick
    rows = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(rows, None)
        while header is not None and not any(cell.strip() for cell in header):
            header = next(rows, None)
        if header is None:
            raise DataError(f"{source}: the file is empty (expected the header x,y,label)")
        names = tuple(cell.strip().lower() for cell in header)
        if names != HEADER:
            raise DataError(
                f"{source}:{rows.line_num}: the header must be x,y,label, found {','.join(header)!r}"
            )
        xs: list[float] = []
        labels: list[float] = []
        for cells in rows:
            line = rows.line_num
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) != 3:
                raise DataError(f"{source}:{line}: expected 3 values (x,y,label), found {len(cells)}")
            values = []
            for name, cell in zip(HEADER, cells):
                try:
                    value = float(cell)
                except ValueError:
                    raise DataError(f"{source}:{line}: {name} is not a number: {cell.strip()!r}") from None
                if not math.isfinite(value):
                    raise DataError(f"{source}:{line}: {name} must be a finite number, found {cell.strip()!r}")
                values.append(value)
            label = values[2]
            if not regression and not (label.is_integer() and 0 <= label < MAX_CLASSES):
                raise DataError(
                    f"{source}:{line}: label {cells[2].strip()!r} is not a class id "
                    f"(an integer from 0 to {MAX_CLASSES - 1}; values need the regression task)"
                )
            xs.extend(values[:2])
            labels.append(label)
    except csv.Error as problem:
        raise DataError(f"{source}:{rows.line_num}: not valid CSV ({problem})") from None
    if not labels:
        raise DataError(f"{source}: the file has a header but no points")
    points = np.array(xs, dtype=np.float64).reshape(-1, 2)
    if regression:
        return points, np.array(labels, dtype=np.float64)
    return points, np.array(labels, dtype=np.int64)


def read_text(path: str | os.PathLike[str]) -> str:
    """The file's text; DataError if it is missing, unreadable or not UTF-8 text (data and JSON files alike)."""
    name = os.fspath(path)
    try:
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        raise DataError(f"{name}: no such file") from None
    except IsADirectoryError:
        raise DataError(f"{name}: is a folder, not a file") from None
    except OSError as problem:
        raise DataError(f"{name}: cannot be read ({problem.strerror or problem})") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as problem:
        line = raw[: problem.start].count(b"\n") + 1
        raise DataError(f"{name}:{line}: not a UTF-8 text file") from None
    if "\0" in text:
        line = text[: text.index("\0")].count("\n") + 1
        raise DataError(f"{name}:{line}: not a text file (contains NUL bytes)")
    return text


def read_csv(path: str | os.PathLike[str], regression: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Read a data file; raises DataError naming the file (and line) on any problem."""
    return parse_csv(read_text(path), os.fspath(path), regression)


def format_csv(points: np.ndarray, labels: np.ndarray) -> str:
    """CSV text for points (n, 2) and labels (n,); floats are written exactly (repr)."""
    out = io.StringIO()
    out.write("x,y,label\n")
    integer = np.issubdtype(np.asarray(labels).dtype, np.integer)
    for (x, y), label in zip(np.asarray(points, dtype=np.float64).tolist(), np.asarray(labels).tolist()):
        out.write(f"{x!r},{y!r},{int(label) if integer else float(label)!r}\n")
    return out.getvalue()


def write_text_atomically(path: str | os.PathLike[str], text: str) -> None:
    """Write to a temporary file beside ``path``, then rename: never a half-written file."""
    target = Path(path)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "w", encoding="utf-8", newline="") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
    finally:
        if tmp.exists():
            tmp.unlink()


def write_csv(path: str | os.PathLike[str], points: np.ndarray, labels: np.ndarray) -> None:
    """Save points and labels as a data file (atomically)."""
    write_text_atomically(path, format_csv(points, labels))
