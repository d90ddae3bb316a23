"""A session's gradient-flow history (``gradients``): an exact round trip, files without it still open,
and every bad value is refused with one line naming the file and the field."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from test_session_file import assert_refused, make_session

from engine import DataError, EngineError, limits
from engine.session_file import Session, load_session, save_session, session_from_json, session_to_json
from engine.session_writer import write_session

# (epoch, ||dJ/dW|| of each of the 3 weight layers of make_session()'s [3, 4, 2, 1] network): a step
# network's exact zeros, a NaN where nothing was measured, awkward floats.
NORMS = np.array([[0, 0.0, 0.0, 0.25], [1, 0.0, 1e-300, np.nan], [3, 1 / 3, 0.1 + 0.2, 5e-324]])


def with_gradients(gradients: np.ndarray | None = NORMS, **kwargs: Any) -> Session:
    return replace(make_session(**kwargs), gradients=gradients)


def doc_with_gradients() -> dict:
    return json.loads(session_to_json(with_gradients()))


def assert_same_gradients(a: np.ndarray | None, b: np.ndarray | None) -> None:
    assert a is not None and b is not None
    assert a.dtype == b.dtype == np.float64 and a.shape == b.shape
    assert a.tobytes() == b.tobytes()  # bit for bit, NaN where NaN


# ---------------------------------------------------------------------- round trips
def test_the_gradient_history_saves_and_loads_back_bit_for_bit(tmp_path: Path) -> None:
    path = tmp_path / "step.json"
    save_session(path, with_gradients())
    loaded = load_session(path)
    assert_same_gradients(loaded.gradients, NORMS)
    assert json.loads(path.read_text(encoding="utf-8"))["gradients"][1] == [1, 0.0, 1e-300, None]
    assert session_to_json(loaded) == path.read_text(encoding="utf-8")  # stable: saving again changes nothing


@pytest.mark.parametrize("kwargs,layers", [({"hidden": ()}, 1), ({"hidden": (16,) * 8}, 9),
                                           ({"classes": 4}, 3), ({"regression": True}, 3), ({"trained": False}, 3)])
def test_the_rows_have_one_norm_per_weight_layer_of_the_session_network(kwargs: dict, layers: int) -> None:
    session = make_session(**kwargs)
    rows = np.column_stack([np.arange(session.epoch + 1), np.full((session.epoch + 1, layers), 0.5)])
    loaded = session_from_json(session_to_json(replace(session, gradients=rows)))
    assert_same_gradients(loaded.gradients, rows)


def test_an_empty_gradient_history_stays_empty() -> None:
    loaded = session_from_json(session_to_json(with_gradients(np.zeros((0, 4)))))
    assert loaded.gradients is not None and loaded.gradients.shape == (0, 4)


def test_infinite_norms_are_written_as_null_like_a_missing_loss() -> None:
    rows = np.array([[2, np.inf, 1.0, 2.0]])
    loaded = session_from_json(session_to_json(with_gradients(rows)))
    assert loaded.gradients is not None and np.isnan(loaded.gradients[0, 1])


def test_the_background_writer_writes_the_gradient_history(tmp_path: Path) -> None:
    assert write_session(tmp_path / "auto.json", with_gradients()) is None
    assert_same_gradients(load_session(tmp_path / "auto.json").gradients, NORMS)


def test_a_session_without_the_field_still_opens_and_is_saved_without_it(tmp_path: Path) -> None:
    doc = doc_with_gradients()
    del doc["gradients"]  # a file saved before gradient flow was kept
    path = tmp_path / "old.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    loaded = load_session(path)
    assert loaded.gradients is None and loaded.epoch == 3 and loaded.history.shape == (3, 3)
    assert "gradients" not in json.loads(session_to_json(loaded))


# ---------------------------------------------------------------------- bad values
def row(i: int, value: Any) -> Callable[[dict], Any]:
    return lambda d: d["gradients"].__setitem__(i, value)


def cell(i: int, j: int, value: Any) -> Callable[[dict], Any]:
    return lambda d: d["gradients"][i].__setitem__(j, value)


BAD: dict[str, tuple[Callable[[dict], Any], str]] = {
    "an object": (lambda d: d.update(gradients={}), "gradients must be a list, found an object"),
    "null": (lambda d: d.update(gradients=None), "gradients must be a list, found null"),
    "a number row": (row(0, 1.5), "gradients[0] must be a list of 4 numbers (the epoch, then one norm for each of "
                                  "the network's 3 weight layers), found 1.5"),
    "a norm too few": (lambda d: d["gradients"][1].pop(), "gradients[1] must be a list of 4 numbers"),
    "a norm too many": (lambda d: d["gradients"][2].append(0.5), "gradients[2] must be a list of 4 numbers"),
    "text norm": (cell(0, 2, "0"), "gradients[0][2] must be a number, found \"0\""),
    "bool norm": (cell(0, 1, True), "gradients[0][1] must be a number"),
    "NaN literal": (cell(2, 1, float("nan")), "gradients[2][1] must be a finite number"),
    "infinite norm": (cell(2, 3, float("inf")), "gradients[2][3] must be a finite number"),
    "huge integer": (cell(2, 3, 10**400), "gradients[2][3] must be a finite number"),
    "negative norm": (cell(1, 3, -0.5), "gradients[1][3] = -0.5 is negative (a norm is 0 or more)"),
    "null epoch": (cell(0, 0, None), "gradients[0][0] must be a number, found null"),
    "negative epoch": (cell(0, 0, -1), "gradients[0][0] = -1 is not an epoch (a whole number from 0 to the "
                                       "session's epoch, 3)"),
    "fractional epoch": (cell(1, 0, 1.5), "gradients[1][0] = 1.5 is not an epoch"),
    "epoch after the session's": (cell(2, 0, 4), "gradients[2][0] = 4 is not an epoch"),
    "repeated epoch": (cell(1, 0, 0), "gradients[1] is at epoch 0, not after the previous row's 0 (rows run in "
                                      "order of epoch)"),
    "epochs back": (cell(2, 0, 0), "gradients[2] is at epoch 0, not after the previous row's 1"),
    "a column for another network": (lambda d: d.update(gradients=[[0, 1.0, 1.0]]),
                                     "gradients[0] must be a list of 4 numbers"),
}


@pytest.mark.parametrize("name", list(BAD))
def test_every_bad_gradient_history_is_refused_in_one_line_naming_the_file_and_the_field(tmp_path: Path,
                                                                                          name: str) -> None:
    change, expected = BAD[name]
    doc = doc_with_gradients()
    change(doc)
    assert_refused(tmp_path, doc, expected)


def test_more_rows_than_the_limit_are_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    doc = doc_with_gradients()
    path = tmp_path / "long.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    monkeypatch.setattr(limits, "MAX_SESSION_GRADIENTS", 2)
    with pytest.raises(DataError) as caught:
        load_session(path)
    assert str(caught.value) == f"{path}: gradients has 3 rows, more than the limit of 2"


def test_any_other_value_in_place_of_the_field_is_refused() -> None:
    base = doc_with_gradients()
    for value in (None, True, 0, -1.5, "x", {}, [[]], [None], [[0, 1, 2, 3, 4]], [[0, -1.0, 0.0, 0.0]]):
        with pytest.raises(DataError, match=r"^f\.json: gradients"):
            session_from_json(json.dumps({**base, "gradients": value}), "f.json")
    assert session_from_json(json.dumps({**base, "gradients": []}), "f.json").gradients.shape == (0, 4)


@pytest.mark.parametrize("gradients", [np.array([[4, 1.0, 1.0, 1.0]]), np.array([[0, 1.0, 1.0]]),
                                       np.array([[0, 1.0, -1.0, 1.0]]), np.zeros(4)])
def test_a_session_with_a_bad_gradient_history_is_not_saved(tmp_path: Path, gradients: np.ndarray) -> None:
    with pytest.raises(EngineError):
        save_session(tmp_path / "never.json", with_gradients(gradients))
    assert write_session(tmp_path / "never.json", with_gradients(gradients)) is not None
    assert not (tmp_path / "never.json").exists()
