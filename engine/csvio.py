"""Data files: CSV with the header ``x,y,label``, one point a line.

``label`` is an integer class id (0, 1, 2, ...) for classification or a float value for
regression. Every problem raises ``DataError`` naming the file and line, so the CLI and
the window can show one clear sentence and keep what the user already has.
"""

from __future__ import annotations

import csv
import errno
import io
import itertools
import math
import os
import stat
from pathlib import Path

import numpy as np

from engine import limits
from engine.errors import DataError

HEADER = ("x", "y", "label")
MAX_CLASSES = limits.MAX_CLASSES  # kept for callers that import it from here
_temporaries = itertools.count()  # distinct temporary names for saves from several threads of one process


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
    if table.shape[1:] != (3,) or not len(table) or len(table) > limits.MAX_POINTS:
        return None
    if not np.all(np.abs(table if regression else table[:, :2]) <= limits.MAX_COORDINATE):
        return None  # also catches NaN and infinity
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
                if abs(value) > limits.MAX_COORDINATE and (name != "label" or regression):
                    raise DataError(f"{source}:{line}: {name} {cell.strip()} is beyond the limit: |{name}| must be "
                                    f"at most {limits.MAX_COORDINATE:g}")
                values.append(value)
            if len(labels) == limits.MAX_POINTS:
                raise DataError(f"{source}:{line}: more than {limits.MAX_POINTS} points (the limit)")
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
    """The file's text; DataError if it is missing, unreadable, not a regular file, too large or not UTF-8
    text (data and JSON files alike)."""
    raw = read_bytes(path)
    name = os.fspath(path)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as problem:
        line = raw[: problem.start].count(b"\n") + 1
        raise DataError(f"{name}:{line}: not a UTF-8 text file") from None
    if "\0" in text:
        line = text[: text.index("\0")].count("\n") + 1
        raise DataError(f"{name}:{line}: not a text file (contains NUL bytes)")
    return text


def _kind(mode: int) -> str:
    """What a file that is not a regular file is, in words."""
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a special file"


def read_bytes(path: str | os.PathLike[str]) -> bytes:
    """A regular file's bytes, at most ``limits.MAX_FILE_BYTES`` of them; DataError naming the file otherwise.

    The file is opened without blocking and checked before anything is read, so a FIFO or
    a device (``/dev/zero``) is refused at once instead of hanging or filling the memory.
    """
    name = os.fspath(path)
    if not name:
        raise DataError("no file name given")
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        raise DataError(f"{name}: no such file") from None
    except IsADirectoryError:
        raise DataError(f"{name}: is a folder, not a file") from None
    except OSError as problem:
        raise DataError(f"{name}: cannot be read ({problem.strerror or problem})") from None
    limit = limits.MAX_FILE_BYTES
    too_large = f"{name}: larger than the limit of {limit / 2**20:g} MB"
    try:
        info = os.fstat(fd)
        mode, size = info.st_mode, info.st_size
        if stat.S_ISDIR(mode):
            raise DataError(f"{name}: is a folder, not a file")
        if not stat.S_ISREG(mode):
            raise DataError(f"{name}: not a regular file ({_kind(mode)}); only files can be opened")
        if size > limit:
            raise DataError(f"{too_large} ({size / 2**20:.0f} MB)")
        os.set_blocking(fd, True)
        chunks, total = [], 0
        while total <= limit:  # a file still growing stops at the limit too
            chunk = os.read(fd, min(limit + 1 - total, 2**24))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
    except OSError as problem:
        raise DataError(f"{name}: cannot be read ({problem.strerror or problem})") from None
    finally:
        os.close(fd)
    if total > limit:
        raise DataError(too_large)
    return b"".join(chunks)


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


def _save_error(path: str | os.PathLike[str], problem: OSError) -> OSError:
    """The same error, naming the user's path (not the temporary file, not where a symlink points)."""
    return OSError(problem.errno, problem.strerror or str(problem), os.fspath(path))


def check_target(path: str | os.PathLike[str]) -> Path:
    """Where a save of ``path`` will write (a symlink's target); OSError naming ``path`` if it cannot be saved.

    A target that exists must be a regular file: a device, FIFO or folder is never replaced
    (as root, replacing /dev/full would turn the device into a file). A symlink is written
    through, so the link stays a link.
    """
    name = os.fspath(path)
    if not name:
        raise OSError(errno.ENOENT, "no file name given", name)
    real = Path(os.path.realpath(name))
    try:
        mode = os.stat(real).st_mode
    except FileNotFoundError:
        mode = None
    except OSError as problem:
        raise _save_error(path, problem) from None
    if mode is not None and not stat.S_ISREG(mode):
        kind = "a folder" if stat.S_ISDIR(mode) else _kind(mode)
        raise OSError(errno.EEXIST, f"exists and is not a regular file ({kind}); it is left as it is", name)
    folder = real.parent
    if not folder.is_dir():
        what = "is not a folder" if folder.exists() else "does not exist"
        raise OSError(errno.ENOENT, f"the folder {folder} {what}", name)
    if not os.access(folder, os.W_OK):
        raise OSError(errno.EACCES, f"the folder {folder} is not writable", name)
    return real


def _sync_folder(folder: Path) -> None:
    """fsync a folder, so that a rename in it survives a power cut."""
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        os.fsync(fd)
    except OSError as problem:
        if problem.errno not in (errno.EINVAL, errno.ENOTSUP):  # file systems that cannot sync a folder
            raise
    finally:
        os.close(fd)


def write_bytes_atomically(path: str | os.PathLike[str], data: bytes) -> None:
    """Write ``data`` to ``path`` so that it holds either the old or the whole new content, never a part.

    A temporary file beside the target is written and synced, then renamed over it, then
    the folder is synced. The rules of ``check_target`` apply; every OSError names ``path``.
    """
    real = check_target(path)
    try:
        mode = stat.S_IMODE(os.stat(real).st_mode)
    except FileNotFoundError:
        mode = None
    while True:
        tmp = real.with_name(f".{real.name}.{os.getpid()}-{next(_temporaries)}.tmp")
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o666)
            break
        except FileExistsError:
            continue
        except OSError as problem:
            raise _save_error(path, problem) from None
    try:
        try:
            with os.fdopen(fd, "wb") as f:
                if mode is not None:
                    os.fchmod(f.fileno(), mode)  # a save keeps the file's permissions
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, real)
        finally:
            if os.path.lexists(tmp):
                os.unlink(tmp)
        _sync_folder(real.parent)
    except OSError as problem:
        raise _save_error(path, problem) from None


def write_text_atomically(path: str | os.PathLike[str], text: str) -> None:
    """Write UTF-8 text atomically (see ``write_bytes_atomically``): never a half-written file."""
    write_bytes_atomically(path, text.encode("utf-8"))


def write_csv(path: str | os.PathLike[str], points: np.ndarray, labels: np.ndarray) -> None:
    """Save points and labels as a data file (atomically)."""
    write_text_atomically(path, format_csv(points, labels))
