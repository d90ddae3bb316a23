"""Reading JSON files strictly, and writing them readably: the checks behind session and model files.

Every check raises ``DataError`` with one sentence that starts with the file's name, so a
caller can refuse a bad file in one line. Numbers are what json gives: ``int`` or
``float``, never ``bool``; NaN and Infinity are parsed (so the message can name them)
and then refused by every check.
"""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np

from engine.errors import DataError

NUMBER = (int, float)  # the exact types json gives numbers (bool is not a number here)
WRAP = 8  # numbers per line in long flat lists


# ----------------------------------------------------------------- reading
def show(value: Any) -> str:
    """A short one-line picture of a JSON value for an error message."""
    if isinstance(value, (list, tuple)):
        return f"a list of {len(value)}"
    if isinstance(value, dict):
        return "an object"
    try:
        text = json.dumps(value)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def parse_json(text: str, source: str) -> Any:
    """JSON text -> Python values; NaN and Infinity become floats that the checks then refuse."""
    if not text.strip():
        raise DataError(f"{source}: the file is empty (expected JSON)")
    try:
        return json.loads(text, parse_constant=float)
    except json.JSONDecodeError as problem:
        raise DataError(f"{source}:{problem.lineno}:{problem.colno}: not valid JSON ({problem.msg})") from None
    except RecursionError:
        raise DataError(f"{source}: not valid JSON for this program (nested too deeply)") from None
    except ValueError as problem:  # an integer of thousands of digits
        raise DataError(f"{source}: not valid JSON ({problem})") from None


def check_header(doc: Any, source: str, what: str, fmt: str, version: int) -> None:
    """A JSON object of format ``fmt`` and schema ``version``, or DataError."""
    if not isinstance(doc, dict):
        raise DataError(f"{source}: {what} must be a JSON object, found {show(doc)}")
    found = doc.get("format")
    if found != fmt:
        raise DataError(f"{source}: {what} is not a Neural Sandbox {fmt.split('-')[-1]} "
                        f"(format {show(found)}, expected {fmt!r})")
    if "version" not in doc:
        raise DataError(f"{source}: {what} has no schema version (expected {version})")
    if type(doc["version"]) is not int or doc["version"] != version:
        raise DataError(f"{source}: {what} has schema version {show(doc['version'])}; "
                        f"this program reads version {version}")


def require(doc: dict[str, Any], fields: tuple[str, ...], source: str, what: str) -> None:
    """DataError naming every one of ``fields`` that ``doc`` lacks."""
    missing = [name for name in fields if name not in doc]
    if missing:
        raise DataError(f"{source}: {what} is missing {', '.join(missing)}")


def numbers(
    value: Any, source: str, what: str, width: int | None = None, nullable: tuple[int, ...] = (),
    bound: float = math.inf,
) -> np.ndarray:
    """Finite numbers (n,), or rows of ``width`` of them (n, width), each within +-``bound``; null is NaN in
    ``nullable`` columns."""
    if not isinstance(value, list):
        raise DataError(f"{source}: {what} must be a list, found {show(value)}")
    step = width or 1
    if width is not None:
        for i, row in enumerate(value):
            if not isinstance(row, list) or len(row) != width:
                raise DataError(f"{source}: {what}[{i}] must be a list of {width} numbers, found {show(row)}")
    flat = value if width is None else [v for row in value for v in row]
    for i, v in enumerate(flat):
        if not finite(v) and not (v is None and i % step in nullable):
            where = f"[{i}]" if width is None else f"[{i // step}][{i % step}]"
            kind = "a finite number" if type(v) in NUMBER else "a number"
            raise DataError(f"{source}: {what}{where} must be {kind}, found {show(v)}")
    array = np.array([math.nan if v is None else v for v in flat], dtype=np.float64)
    beyond = np.flatnonzero(np.abs(array) > bound)
    if len(beyond):
        i = int(beyond[0])
        where = f"[{i}]" if width is None else f"[{i // step}][{i % step}]"
        raise DataError(f"{source}: {what}{where} = {show(flat[i])} is beyond the limit: |{what}| must be at most "
                        f"{bound:g}")
    return array if width is None else array.reshape(-1, width)


def finite(value: Any) -> bool:
    """A finite int or float (an int too large for a float is not)."""
    try:
        return type(value) in NUMBER and math.isfinite(value)
    except OverflowError:
        return False


def number(value: Any, source: str, what: str, low: float, high: float, low_open: bool = False) -> float:
    """One finite number in [low, high] (or (low, high] with ``low_open``)."""
    ok = finite(value) and (value > low if low_open else value >= low)
    if not (ok and value <= high):
        if high < math.inf:
            wanted = f"a number in {'(' if low_open else '['}{low:g}, {high:g}]"
        else:
            wanted = f"a number {'>' if low_open else '>='} {low:g}"
        raise DataError(f"{source}: {what} must be {wanted}, found {show(value)}")
    return float(value)


def integer(value: Any, source: str, what: str, low: int, high: float = math.inf) -> int:
    """One whole number (a JSON integer) from ``low`` to ``high``."""
    if type(value) is not int or not low <= value <= high:
        limit = f"from {low} to {high}" if high < math.inf else f">= {low}"
        raise DataError(f"{source}: {what} must be a whole number {limit}, found {show(value)}")
    return value


def boolean(value: Any, source: str, what: str) -> bool:
    """true or false."""
    if type(value) is not bool:
        raise DataError(f"{source}: {what} must be true or false, found {show(value)}")
    return value


def names(value: Any, source: str, what: str, known: Any) -> tuple[str, ...]:
    """A list of names, each one of ``known``."""
    if not isinstance(value, list):
        raise DataError(f"{source}: {what} must be a list of names, found {show(value)}")
    for name in value:
        if type(name) is not str or name not in known:
            raise DataError(f"{source}: unknown {what} name {show(name)} (known: {', '.join(known)})")
    return tuple(value)


# ----------------------------------------------------------------- writing
def _scalar(value: Any) -> str:
    """A number as its shortest exact repr (what json writes, but faster); anything else as json."""
    return repr(value) if type(value) in NUMBER else json.dumps(value)


def dump(value: Any, level: int = 0) -> str:
    """Readable JSON: one field a line, one table row a line, long lists of numbers wrapped."""
    pad, end = " " * (level + 1), "\n" + " " * level
    nested = isinstance(value, (dict, list)) and any(
        isinstance(v, (dict, list)) for v in (value.values() if isinstance(value, dict) else value))
    if isinstance(value, dict):
        sep = ",\n" + pad if nested else ", "
        items = sep.join(f"{json.dumps(k)}: {dump(v, level + 1)}" for k, v in value.items())
        return "{\n" + pad + items + end + "}" if nested else "{" + items + "}"
    if isinstance(value, list) and nested:
        return "[\n" + pad + (",\n" + pad).join(dump(v, level + 1) for v in value) + end + "]"
    if isinstance(value, list) and len(value) > WRAP:
        rows = (", ".join(map(_scalar, value[i : i + WRAP])) for i in range(0, len(value), WRAP))
        return "[\n" + pad + (",\n" + pad).join(rows) + end + "]"
    if isinstance(value, list):
        return "[" + ", ".join(map(_scalar, value)) + "]"
    return _scalar(value)
