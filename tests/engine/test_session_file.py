"""Session and model files: exact round trips, and every bad file is refused with a
DataError naming the file and the problem (and line:column for JSON syntax)."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from engine import DataError, EngineError, Network, cli, generate
from engine.session_file import (
    SESSION_FORMAT,
    SESSION_VERSION,
    Session,
    load_model,
    load_session,
    save_session,
    session_from_json,
    session_to_json,
)

SETTINGS = {"learning_rate": 0.03, "optimizer": "adam", "batch_size": 7, "regularization": "l2", "reg_rate": 0.001}


def make_session(
    regression: bool = False, classes: int = 2, hidden: tuple[int, ...] = (4, 2), trained: bool = True, n: int = 40
) -> Session:
    """A valid session with awkward floats, a NaN test loss in its history and (optionally) weights."""
    rng = np.random.default_rng(7)
    points = rng.normal(0.0, 3.0, (n, 2))
    labels = rng.normal(size=n) if regression else (np.arange(n) % classes).astype(np.float64)
    keys = rng.random(n)
    if n >= 4:
        points[:4] = [[0.1 + 0.2, -0.0], [5e-324, 1e6], [1 / 3, -2.5], [123456.789125, 1e-17]]
        keys[:2] = [0.0, np.nextafter(1.0, 0.0)]
    task = "regression" if regression else ("multiclass" if classes >= 3 else "binary")
    sizes = [3, *hidden, classes if task == "multiclass" else 1]
    activations = ("tanh", "relu", "sigmoid", "linear", "step", "tanh", "tanh", "tanh")[: len(hidden)]
    model = None
    if trained:
        net = Network(sizes, list(activations), task, seed=5)
        net.params[...] = rng.normal(size=net.params.size) / 7.0  # not the seed's weights
        model = net.to_dict()
    history = np.array([[1, 0.75, np.nan], [2, 0.5, 0.625], [3, 1 / 3, np.nan]])
    return Session(points, labels, keys, 0.7, regression, ("x1", "x2", "sinx1"), hidden, activations,
                   dict(SETTINGS), False, model, 3 if trained else 0, history)


def assert_same(a: Session, b: Session) -> None:
    """Every field equal, floats bit for bit (NaN where NaN)."""
    for name in ("points", "labels", "keys", "history"):
        left, right = getattr(a, name), getattr(b, name)
        assert left.dtype == right.dtype == np.float64, name
        assert left.tobytes() == right.tobytes(), name  # bit-identical, including -0.0 and NaN
    for name in ("train_ratio", "regression", "features", "hidden", "activations", "settings", "step_surrogate",
                 "epoch"):
        assert getattr(a, name) == getattr(b, name), name
    assert (a.model is None) == (b.model is None)
    if a.model is not None:
        for key in ("weights", "biases"):
            for left, right in zip(a.model[key], b.model[key]):
                assert np.array(left).tobytes() == np.array(right).tobytes()


def session_doc(**kwargs: Any) -> dict:
    return json.loads(session_to_json(make_session(**kwargs)))


# ---------------------------------------------------------------------- round trips
@pytest.mark.parametrize("kwargs", [{}, {"regression": True}, {"classes": 4}, {"trained": False}, {"hidden": ()},
                                    {"hidden": (16,) * 8}, {"n": 0, "trained": False}])
def test_save_then_load_gives_the_identical_session(tmp_path: Path, kwargs: dict) -> None:
    session = make_session(**kwargs)
    path = tmp_path / "work.json"
    save_session(path, session)
    loaded = load_session(path)
    assert_same(session, loaded)
    assert np.isnan(loaded.history[0, 2]) and loaded.history.shape == (3, 3)
    assert session_to_json(loaded) == path.read_text(encoding="utf-8")  # stable: saving again changes nothing


def test_loaded_weights_are_bit_identical_and_build_the_same_network(tmp_path: Path) -> None:
    session = make_session(classes=3)
    save_session(tmp_path / "s.json", session)
    loaded = load_session(tmp_path / "s.json")
    original, rebuilt = Network.from_dict(session.model), Network.from_dict(loaded.model)
    assert rebuilt.layer_sizes == [3, 4, 2, 3] == loaded.layer_sizes and rebuilt.task == "multiclass"
    assert rebuilt.params.tobytes() == original.params.tobytes()


def test_the_file_is_readable_json_with_one_point_a_line(tmp_path: Path) -> None:
    session = make_session()
    text = session_to_json(session)
    doc = json.loads(text)  # plain JSON, no NaN or Infinity constants
    assert doc["format"] == SESSION_FORMAT and doc["version"] == SESSION_VERSION
    assert doc["history"][0] == [1, 0.75, None]
    assert doc["labels"][:3] == [0, 1, 0] and all(type(label) is int for label in doc["labels"])
    assert "  [0.30000000000000004, -0.0],\n" in text
    assert max(len(line) for line in text.splitlines()) < 200


def test_test_mask_follows_the_keys_and_the_ratio() -> None:
    session = make_session()
    assert np.array_equal(session.test_mask, session.keys >= 0.7)
    assert not session.test_mask[0] and session.test_mask[1]


def test_saving_replaces_the_file_atomically_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    path.write_text("old", encoding="utf-8")
    save_session(path, make_session())
    assert load_session(path).epoch == 3
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.json"]


def test_a_session_that_would_not_load_is_not_saved(tmp_path: Path) -> None:
    good = make_session()
    bad_sessions = [
        Session(**{**good.__dict__, "labels": good.labels + 0.5}),
        Session(**{**good.__dict__, "hidden": (4, 3)}),  # the model no longer fits
        Session(**{**good.__dict__, "settings": {"learning_rate": 0.1}}),
        Session(**{**good.__dict__, "history": np.zeros(4)}),
    ]
    for session in bad_sessions:
        with pytest.raises(EngineError):
            save_session(tmp_path / "never.json", session)
    assert not (tmp_path / "never.json").exists()


def test_a_bom_and_numpy_scalars_are_accepted(tmp_path: Path) -> None:
    session = make_session()
    session = Session(**{**session.__dict__, "epoch": np.int64(3), "train_ratio": np.float64(0.7)})
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + session_to_json(session).encode("utf-8"))
    assert load_session(path).epoch == 3


# ---------------------------------------------------------------------- model files
def test_a_model_saved_by_train_loads_into_the_same_weights(tmp_path: Path, capsys) -> None:
    model = tmp_path / "model.json"
    argv = ["--preset", "spiral", "--points", "60", "--epochs", "3", "--layers", "5,3", "--features",
            "x1,x2,x1x2", "--quiet", "--seed", "2", "--save-model", str(model)]
    assert cli.main(argv) == 0
    net, features = load_model(model)
    problem = cli.build_problem(cli.build_parser().parse_args(argv))
    cli.run(problem, 3, lambda line: None)  # the same run again, in this process
    assert features == ["x1", "x2", "x1x2"] and net.layer_sizes == [3, 5, 3, 1]
    assert net.params.tobytes() == problem.net.params.tobytes()


def test_load_model_also_opens_a_session(tmp_path: Path) -> None:
    session = make_session()
    save_session(tmp_path / "s.json", session)
    net, features = load_model(tmp_path / "s.json")
    assert features == ["x1", "x2", "sinx1"]
    assert net.params.tobytes() == Network.from_dict(session.model).params.tobytes()
    save_session(tmp_path / "untrained.json", make_session(trained=False))
    with pytest.raises(DataError, match=r"untrained\.json: the session has no trained weights"):
        load_model(tmp_path / "untrained.json")


def model_doc() -> dict:
    net = Network([2, 3, 1], "tanh", "binary", seed=1)
    return {**net.to_dict(), "features": ["x1", "x2"]}


BAD_MODELS: dict[str, tuple[Callable[[dict], Any], str]] = {
    "no features": (lambda d: d.pop("features"), "missing features"),
    "too many features": (lambda d: d.update(features=["x1", "x2", "x1sq"]), "3 features for a network of 2"),
    "unknown feature": (lambda d: d.update(features=["x1", "x9"]), "unknown feature name \"x9\""),
    "short weights": (lambda d: d["weights"][0].pop(), "weights[0] must have 2 rows of 3"),
    "wide weights": (lambda d: d["weights"][1][0].append(0.5), "weights[1][0] must be a list of 1 numbers"),
    "string weight": (lambda d: d["weights"][0][0].__setitem__(1, "0.5"), "weights[0][0][1] must be a number"),
    "short biases": (lambda d: d["biases"][0].pop(), "biases[0] must have 3 numbers"),
    "layer sizes": (lambda d: d.update(layer_sizes=[2, 0, 1]), "layer_sizes must be a list"),
    "activations": (lambda d: d.update(activations=["tanh", "tanh"]), "1 hidden layers need 1 activations"),
    "unknown activation": (lambda d: d.update(activations=["swish"]), "unknown the model activation name"),
    "dtype": (lambda d: d.update(dtype="float16"), "dtype must be float64 or float32"),
    "seed": (lambda d: d.update(seed=-1), "seed must be a whole number from 0 to "),
    "task": (lambda d: d.update(task="ranking"), "unknown task \"ranking\""),
    "format": (lambda d: d.update(format="keras"), "not a Neural Sandbox model"),
    "version": (lambda d: d.update(version=9), "schema version 9"),
}


@pytest.mark.parametrize("name", list(BAD_MODELS))
def test_a_bad_model_file_names_the_file_and_the_problem(tmp_path: Path, name: str) -> None:
    change, expected = BAD_MODELS[name]
    doc = model_doc()
    change(doc)
    path = tmp_path / "model.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(DataError) as caught:
        load_model(path)
    assert str(caught.value).startswith(f"{path}: ") and expected in str(caught.value)


# ---------------------------------------------------------------------- bad session files
def setting(name: str, value: Any) -> Callable[[dict], Any]:
    return lambda d: d["settings"].update({name: value})


def model_field(name: str, value: Any) -> Callable[[dict], Any]:
    return lambda d: d["model"].update({name: value})


def relu_model(d: dict) -> None:
    d["model"]["activations"] = ["relu", "relu"]


BAD_DOCS: dict[str, tuple[Callable[[dict], Any], str]] = {
    "wrong format": (lambda d: d.update(format="tf-playground"), "is not a Neural Sandbox session"),
    "model file": (lambda d: d.update(format="neural-sandbox-model"), "this is a model file, not a session"),
    "no version": (lambda d: d.pop("version"), "has no schema version"),
    "newer version": (lambda d: d.update(version=2), "schema version 2; this program reads version 1"),
    "text version": (lambda d: d.update(version="1"), "schema version \"1\""),
    "missing fields": (lambda d: [d.pop("keys"), d.pop("epoch")], "the session is missing epoch, keys"),
    "points not a list": (lambda d: d.update(points="many"), "points must be a list, found \"many\""),
    "3-d point": (lambda d: d["points"][1].append(0.0), "points[1] must be a list of 2 numbers"),
    "text coordinate": (lambda d: d["points"][0].__setitem__(1, "2"), "points[0][1] must be a number"),
    "bool coordinate": (lambda d: d["points"][0].__setitem__(0, True), "points[0][0] must be a number"),
    "NaN point": (lambda d: d["points"][2].__setitem__(0, float("nan")), "points[2][0] must be a finite number"),
    "infinite key": (lambda d: d["keys"].__setitem__(5, float("inf")), "keys[5] must be a finite number"),
    "huge integer": (lambda d: d["points"][3].__setitem__(0, 10**400), "points[3][0] must be a finite number"),
    "fractional label": (lambda d: d["labels"].__setitem__(4, 0.5), "labels[4] = 0.5 is not a class id"),
    "label 16": (lambda d: d["labels"].__setitem__(0, 16), "labels[0] = 16 is not a class id"),
    "negative label": (lambda d: d["labels"].__setitem__(0, -1), "is not a class id"),
    "fewer labels": (lambda d: d["labels"].pop(), "40 points but 39 labels"),
    "more keys": (lambda d: d["keys"].append(0.5), "40 points but 41 keys"),
    "key of one": (lambda d: d["keys"].__setitem__(3, 1), "keys[3] = 1 is outside [0, 1)"),
    "negative key": (lambda d: d["keys"].__setitem__(3, -0.25), "keys[3] = -0.25 is outside [0, 1)"),
    "ratio zero": (lambda d: d.update(train_ratio=0), "train_ratio must be a number in (0, 1]"),
    "ratio above one": (lambda d: d.update(train_ratio=1.5), "train_ratio must be a number in (0, 1]"),
    "regression text": (lambda d: d.update(regression="no"), "regression must be true or false"),
    "step_surrogate number": (lambda d: d.update(step_surrogate=0), "step_surrogate must be true or false"),
    "unknown feature": (lambda d: d.update(features=["x1", "cos"]), "unknown feature name \"cos\""),
    "no features": (lambda d: d.update(features=[]), "at least one input feature"),
    "repeated feature": (lambda d: d.update(features=["x1", "x1", "x2"]), "each feature may be used once"),
    "unknown activation": (lambda d: d.update(activations=["tanh", "gelu"]), "unknown activation name \"gelu\""),
    "too few activations": (lambda d: d.update(activations=["tanh"]), "2 hidden layers need 2 activations"),
    "nine layers": (lambda d: d.update(hidden=[1] * 9), "at most 8 layer sizes"),
    "layer of 17": (lambda d: d["hidden"].__setitem__(0, 17), "hidden[0] must be a whole number from 1 to 16"),
    "empty layer": (lambda d: d["hidden"].__setitem__(1, 0), "hidden[1] must be a whole number from 1 to 16"),
    "fractional layer": (lambda d: d["hidden"].__setitem__(1, 2.0), "hidden[1] must be a whole number"),
    "settings list": (lambda d: d.update(settings=[]), "settings must be a JSON object"),
    "no learning rate": (lambda d: d["settings"].pop("learning_rate"), "settings is missing learning_rate"),
    "zero learning rate": (setting("learning_rate", 0), "settings.learning_rate must be a number in [1e-09, 100]"),
    "unknown optimizer": (setting("optimizer", "rmsprop"), "unknown optimizer \"rmsprop\""),
    "zero batch": (setting("batch_size", 0), "settings.batch_size must be a whole number from 1 to"),
    "fractional batch": (setting("batch_size", 2.5), "settings.batch_size must be a whole number"),
    "unknown regularization": (setting("regularization", "l3"), "unknown regularization \"l3\""),
    "negative reg rate": (setting("reg_rate", -1), "settings.reg_rate must be a number in [0, 100]"),
    "negative epoch": (lambda d: d.update(epoch=-1), "epoch must be a whole number from 0 to "),
    "history not a list": (lambda d: d.update(history={}), "history must be a list, found an object"),
    "history rows of 2": (lambda d: d["history"].append([4, 0.5]), "history[3] must be a list of 3 numbers"),
    "history NaN literal": (lambda d: d["history"][0].__setitem__(1, float("nan")), "history[0][1] must be a finite"),
    "history null epoch": (lambda d: d["history"][0].__setitem__(0, None), "history[0][0] must be a number"),
    "negative history epoch": (lambda d: d["history"][0].__setitem__(0, -1), "history epochs must be numbers from 0"),
    "model not an object": (lambda d: d.update(model=[1, 2]), "model must be a JSON object"),
    "model format": (model_field("format", "onnx"), "model is not a Neural Sandbox model"),
    "model version": (model_field("version", 2), "model has schema version 2"),
    "model without weights": (lambda d: d["model"].pop("weights"), "model is missing weights"),
    "model sizes": (model_field("layer_sizes", [3, 4, 1]), "model has layer sizes [3, 4, 1], but the session"),
    "model missing a row": (lambda d: d["model"]["weights"][1].pop(), "model weights[1] must have 4 rows of 2"),
    "model short row": (lambda d: d["model"]["weights"][0][2].pop(), "model weights[0][2] must be a list of 4"),
    "model text weight": (lambda d: d["model"]["weights"][2][0].__setitem__(0, "x"), "weights[2][0][0] must be a"),
    "model infinite bias": (lambda d: d["model"]["biases"][0].__setitem__(0, float("inf")), "must be a finite"),
    "model bias count": (lambda d: d["model"]["biases"][2].append(0.0), "model biases[2] must have 1 numbers"),
    "model activations": (relu_model, "the model's activations ['relu', 'relu'] and task 'binary' do not match"),
    "model activation count": (model_field("activations", ["tanh"]), "model: 2 hidden layers need 2 activations"),
    "model dtype": (model_field("dtype", "int8"), "model: dtype must be float64 or float32"),
    "third class, one output": (lambda d: d["labels"].__setitem__(0, 2), "the session's features, hidden layers"),
}


@pytest.mark.parametrize("name", list(BAD_DOCS))
def test_every_bad_field_is_refused_naming_the_file_and_the_problem(tmp_path: Path, name: str) -> None:
    change, expected = BAD_DOCS[name]
    doc = session_doc()
    change(doc)
    assert_refused(tmp_path, doc, expected)


def assert_refused(tmp_path: Path, doc: dict, expected: str) -> None:
    """Loading ``doc`` fails with one short line naming the file and saying ``expected``."""
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(doc), encoding="utf-8")  # NaN and Infinity written as their constants
    with pytest.raises(DataError) as caught:
        load_session(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: ") and expected in message, message
    assert "\n" not in message and len(message) < 300


def test_a_regression_model_must_have_the_regression_task(tmp_path: Path) -> None:
    doc = session_doc()
    doc["regression"] = True
    with pytest.raises(DataError, match=r"s\.json: the model's activations .* and task 'binary' do not match .* "
                                        r"'regression'"):
        session_from_json(json.dumps(doc), "s.json")


STILL_VALID = [("model", None), ("step_surrogate", True), ("epoch", 0), ("history", []), ("keyframes", [])]


def test_a_malformed_document_is_refused_whatever_field_is_replaced() -> None:
    base = session_doc()
    for field in list(base):
        for value in (None, True, 0, -1.5, "x", [], {}, [[]], [None]):
            doc = copy.deepcopy(base)
            doc[field] = value
            try:
                session_from_json(json.dumps(doc), "f.json")
            except DataError as problem:
                assert str(problem).startswith("f.json: ")
            else:
                assert (field, value) in STILL_VALID


def write_bytes(tmp_path: Path, content: bytes) -> Path:
    path = tmp_path / "s.json"
    path.write_bytes(content)
    return path


@pytest.mark.parametrize("content,expected", [
    (b"", ": the file is empty"),
    (b" \n\t\n", ": the file is empty"),
    (b"\xff\xfe{\x00}", ":1: not a UTF-8 text file"),
    (b'{\n"format": "neural-\xe9"}', ":2: not a UTF-8 text file"),
    (b'{"a":\n 1}\x00', ":2: not a text file (contains NUL bytes)"),
    (b"[1, 2]", ": the file must be a JSON object, found a list of 2"),
    (b'"session"', ": the file must be a JSON object, found \"session\""),
    (b"[" * 100_000, ": not valid JSON for this program (nested too deeply)"),
    (b"1" * 5000, ": not valid JSON"),
])
def test_empty_binary_and_non_object_files_are_refused(tmp_path: Path, content: bytes, expected: str) -> None:
    path = write_bytes(tmp_path, content)
    with pytest.raises(DataError) as caught:
        load_session(path)
    assert str(caught.value).startswith(f"{path}{expected}"), str(caught.value)


def test_random_bytes_are_refused(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    for _ in range(20):
        path = write_bytes(tmp_path, rng.integers(0, 256, 2000, dtype=np.uint8).tobytes())
        with pytest.raises(DataError, match=re.escape(str(path))):
            load_session(path)


def test_a_syntax_error_is_reported_with_its_line_and_column(tmp_path: Path) -> None:
    lines = session_to_json(make_session()).splitlines()
    row = next(i for i, line in enumerate(lines) if line.startswith(' "regression"'))
    lines[row] = ' "regression": flase,'
    path = write_bytes(tmp_path, "\n".join(lines).encode("utf-8"))
    with pytest.raises(DataError) as caught:
        load_session(path)
    assert str(caught.value) == f"{path}:{row + 1}:16: not valid JSON (Expecting value)"


@pytest.mark.parametrize("cut", [1, 10, 100, 1000, -2])
def test_a_truncated_file_is_reported_with_a_position(tmp_path: Path, cut: int) -> None:
    text = session_to_json(make_session())
    path = write_bytes(tmp_path, text[:cut].encode("utf-8"))
    with pytest.raises(DataError) as caught:
        load_session(path)
    assert re.fullmatch(rf"{re.escape(str(path))}:\d+:\d+: not valid JSON \(.+\)", str(caught.value))


def test_a_missing_file_or_a_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"nothing\.json: no such file"):
        load_session(tmp_path / "nothing.json")
    with pytest.raises(DataError, match="is a folder"):
        load_session(tmp_path)
    with pytest.raises(DataError, match=r"nothing\.json: no such file"):
        load_model(tmp_path / "nothing.json")


def test_generated_data_makes_a_valid_session() -> None:
    points, labels = generate("spiral", 100, 0.1, seed=0)
    session = Session(points, labels.astype(np.float64), np.linspace(0, 0.99, 100), 0.5, False, ("x1", "x2"), (),
                      (), dict(SETTINGS), True, None, 0, np.zeros((0, 3)))
    loaded = session_from_json(session_to_json(session))
    assert_same(session, loaded)
    assert loaded.task == "binary" and loaded.layer_sizes == [2, 1] and loaded.test_mask.sum() == 50
