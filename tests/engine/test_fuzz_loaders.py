"""Fuzzing the loaders the window and the CLI use: arbitrary bytes, and valid CSV and
session files with random damage, either load or raise DataError/EngineError — never
another exception, never a hang. A damaged session that still loads must save and load
back to the same session."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine import EngineError, Network, generate
from engine.csvio import format_csv, parse_csv, read_csv
from engine.keyframes import Keyframe
from engine.session_file import Session, load_model, load_session, session_from_json, session_to_json

# Each example takes milliseconds; no per-example deadline, since a busy machine would make it flaky.
FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
pytestmark = pytest.mark.slow
FOLDER = Path()  # set by the module fixture below to a folder pytest removes


@pytest.fixture(autouse=True, scope="module")
def _folder(tmp_path_factory: pytest.TempPathFactory) -> None:
    global FOLDER
    FOLDER = tmp_path_factory.mktemp("fuzz-loaders")


def csv_text(regression: bool) -> str:
    points, labels = generate("plane" if regression else "spiral", 12, 0.1, seed=1)
    return format_csv(points, labels)


def session_text(regression: bool = False, trained: bool = True, keyframes: int = 0, gradients: bool = False) -> str:
    points, labels = generate("plane" if regression else "xor", 6, 0.1, seed=2)
    task = "regression" if regression else "binary"
    net = Network([2, 3, 2, 1], ["tanh", "relu"], task, seed=1)
    model = net.to_dict() if trained else None
    frames = tuple(Keyframe.of(Network([2, 3, 2, 1], ["tanh", "relu"], task, seed=k), k) for k in range(keyframes))
    settings_ = {"learning_rate": 0.03, "optimizer": "sgd", "batch_size": 10, "regularization": "l2", "reg_rate": 0.1}
    history = np.array([[1, 0.7, np.nan], [2, 0.6, 0.65]])
    session = Session(points, labels.astype(np.float64), np.linspace(0, 0.9, 6), 0.5, regression, ("x1", "x2"),
                      (3, 2), ("tanh", "relu"), settings_, False, model, 2, history, frames,
                      np.array([[0, 0.0, 0.5, 1.25], [2, np.nan, 1e-9, 0.75]]) if gradients else None)
    return session_to_json(session)


CSV_TEXTS = [csv_text(False), csv_text(True)]
SESSION_TEXTS = [session_text(), session_text(regression=True), session_text(trained=False),
                 session_text(keyframes=2), session_text(gradients=True)]

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=12,
)


@st.composite
def damaged(draw: st.DrawFn, texts: list[str]) -> bytes:
    """A valid document with one to four random edits: truncation, byte flips, deleted or duplicated lines, inserted
    bytes."""
    data = bytearray(draw(st.sampled_from(texts)).encode("utf-8"))
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["truncate", "flip", "delete line", "duplicate line", "insert"]))
        at = draw(st.integers(0, max(0, len(data) - 1)))
        if kind == "truncate":  # the simplest cut drops the last byte, not everything
            del data[len(data) - draw(st.integers(1, max(1, len(data)))):]
        elif kind == "flip" and data:
            data[at] ^= 1 << draw(st.integers(0, 7))
        elif kind == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=8) | st.sampled_from([b",", b"]", b"}", b"\n", b'"']))
        else:
            lines = data.split(b"\n")
            row = draw(st.integers(0, len(lines) - 1))
            lines[row:row + 1] = [] if kind == "delete line" else [lines[row], lines[row]]
            data = bytearray(b"\n".join(lines))
    return bytes(data)


def paths(value: Any, prefix: tuple = ()) -> list[tuple]:
    """Every place in a JSON document to replace (the first two items of lists, to keep the list short)."""
    found = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, item in value.items():
            found += paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value[:2]):
            found += paths(item, (*prefix, index))
    return found


SESSION_DOCS = [json.loads(text) for text in SESSION_TEXTS]
MODEL_DOCS = [{**Network([2, 3, 1], "sigmoid", "binary", seed=4).to_dict(), "features": ["x1", "x2"]},
              {**Network([3, 4], [], "multiclass", seed=4).to_dict(), "features": ["x1", "x2", "x1x2"]}]


@st.composite
def replaced(draw: st.DrawFn, docs: list[dict]) -> str:
    """A valid document with one to three fields (at any depth) replaced by random JSON values, or deleted."""
    doc = copy.deepcopy(draw(st.sampled_from(docs)))
    places = sorted(paths(doc), key=len, reverse=True)  # the deepest first: hypothesis tries those most
    for _ in range(draw(st.integers(1, 3))):
        *parents, last = draw(st.sampled_from(places))
        holder = doc
        try:
            for step in parents:
                holder = holder[step]
            if draw(st.booleans()) and isinstance(holder, dict):
                holder.pop(last, None)
            else:
                holder[last] = draw(json_values)
        except (KeyError, IndexError, TypeError):  # an earlier edit removed this place
            pass
    return json.dumps(doc)  # NaN and Infinity as their constants, which the loaders must refuse


def loads_or_refuses(load: Callable[[], Any]) -> Any:
    """Call a loader: its value, or None when it refused the input with the documented error."""
    try:
        return load()
    except EngineError as problem:  # DataError is an EngineError
        message = str(problem)
        assert message and "\n" not in message, message
        return None


def write(content: bytes, name: str) -> Path:
    path = FOLDER / name
    path.write_bytes(content)
    return path


def check_session(loaded: Session | None) -> None:
    """A session that loads is fully valid: it saves and loads back to the same session."""
    if loaded is None:
        return
    again = session_from_json(session_to_json(loaded))
    for name in ("points", "labels", "keys", "history"):
        assert getattr(again, name).tobytes() == getattr(loaded, name).tobytes()
    assert again.model == loaded.model and again.settings == loaded.settings
    assert (again.gradients is None) == (loaded.gradients is None)
    if loaded.gradients is not None:
        assert again.gradients is not None and again.gradients.tobytes() == loaded.gradients.tobytes()
        assert again.gradients.shape == (len(loaded.gradients), len(loaded.layer_sizes))
    assert [(k.epoch, k.activations, k.params.tobytes()) for k in again.keyframes] == \
        [(k.epoch, k.activations, k.params.tobytes()) for k in loaded.keyframes]


# ---------------------------------------------------------------------- arbitrary bytes
@FUZZ
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_are_loaded_or_refused_by_every_loader(content: bytes) -> None:
    path = write(content, "any.bin")
    for regression in (False, True):
        loaded = loads_or_refuses(lambda regression=regression: read_csv(path, regression=regression))
        if loaded is not None:
            assert np.all(np.isfinite(loaded[0])) and len(loaded[0]) == len(loaded[1]) > 0
    check_session(loads_or_refuses(lambda: load_session(path)))
    loads_or_refuses(lambda: load_model(path))


@FUZZ
@given(st.text(max_size=500))
def test_arbitrary_text_is_parsed_or_refused(text: str) -> None:
    loads_or_refuses(lambda: parse_csv(text, "t.csv"))
    check_session(loads_or_refuses(lambda: session_from_json(text, "t.json")))


# ---------------------------------------------------------------------- near-valid files
@FUZZ
@given(damaged(CSV_TEXTS), st.booleans())
def test_damaged_csv_files_are_loaded_or_refused(content: bytes, regression: bool) -> None:
    path = write(content, "damaged.csv")
    loaded = loads_or_refuses(lambda: read_csv(path, regression=regression))
    if loaded is not None:
        points, labels = loaded
        assert points.shape == (len(labels), 2) and np.all(np.isfinite(points)) and np.all(np.isfinite(labels))
    text = content.decode("utf-8", errors="replace")
    loads_or_refuses(lambda: parse_csv(text, "damaged.csv", regression=regression))


@FUZZ
@given(damaged(SESSION_TEXTS))
def test_damaged_session_files_are_loaded_or_refused(content: bytes) -> None:
    path = write(content, "damaged.json")
    check_session(loads_or_refuses(lambda: load_session(path)))
    loads_or_refuses(lambda: load_model(path))


@FUZZ
@given(replaced(SESSION_DOCS))
def test_sessions_with_fields_replaced_by_random_json_are_loaded_or_refused(text: str) -> None:
    check_session(loads_or_refuses(lambda: session_from_json(text, "replaced.json")))
    path = write(text.encode("utf-8"), "replaced.json")
    loads_or_refuses(lambda: load_model(path))


@FUZZ
@given(replaced(MODEL_DOCS))
def test_models_with_fields_replaced_by_random_json_are_loaded_or_refused(text: str) -> None:
    loaded = loads_or_refuses(lambda: load_model(write(text.encode("utf-8"), "model.json")))
    if loaded is not None:
        net, features = loaded
        assert net.layer_sizes[0] == len(features) and np.all(np.isfinite(net.params))


def test_the_undamaged_documents_load() -> None:
    for text in SESSION_TEXTS:
        check_session(session_from_json(text))
    for text, regression in zip(CSV_TEXTS, (False, True)):
        assert len(parse_csv(text, regression=regression)[0]) == 12
