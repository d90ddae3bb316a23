"""One set of limits for the whole app (engine/limits.py): the CLI refuses anything beyond
them up front (one line, exit 2), and every loader refuses a file beyond them naming the
file, so nothing the window could not show ever gets in."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from engine import DataError, Network, cli, limits
from engine.csvio import parse_csv, read_csv
from engine.session_file import Session, load_json, load_model, load_session, session_to_json


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    status = cli.main(list(argv))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def session_doc(hidden: tuple[int, ...] = (3,), trained: bool = True) -> dict:
    points = np.array([[0.5, -1.0], [1.5, 2.0], [-2.0, 0.25], [3.0, 3.0]])
    labels = np.array([0.0, 1.0, 0.0, 1.0])
    model = Network([2, *hidden, 1], "tanh", "binary", seed=1).to_dict() if trained else None
    settings = {"learning_rate": 0.03, "optimizer": "sgd", "batch_size": 10, "regularization": None, "reg_rate": 0.0}
    session = Session(points, labels, np.array([0.1, 0.2, 0.3, 0.9]), 0.5, False, ("x1", "x2"), hidden,
                      ("tanh",) * len(hidden), settings, False, model, 5, np.array([[5, 0.5, 0.6]]))
    return json.loads(session_to_json(session))


def model_doc(sizes: list[int], features: list[str] | None = None, task: str = "binary") -> dict:
    net = Network(sizes, "tanh", task, seed=0)
    return {**net.to_dict(), "features": features or ["x1", "x2", "x1sq", "x2sq", "x1x2", "sinx1", "sinx2"][: sizes[0]]}


def write_json(tmp_path: Path, doc: dict, name: str = "file.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


# ---------------------------------------------------------------------- the CLI (items 9, 15)
@pytest.mark.parametrize("layers", ["100", "32,32", "4,4,4,4,4,4,4,4,4", "100000,100000", "1000000", "0"])
def test_layers_beyond_the_limits_are_refused_in_one_line(capsys, layers: str) -> None:
    status, out, err = run_cli(capsys, "--preset", "xor", "--layers", layers, "--epochs", "1", "--json")
    assert status == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("neural-sandbox train: error: ")
    assert "--layers" in err and "Traceback" not in err


def test_the_largest_network_within_the_limits_trains(capsys) -> None:
    layers = ",".join([str(limits.MAX_NEURONS)] * limits.MAX_HIDDEN_LAYERS)
    status, _, err = run_cli(capsys, "--preset", "xor", "--points", "40", "--layers", layers, "--epochs", "1",
                             "--quiet")
    assert status == 0, err


@pytest.mark.parametrize("args,words", [
    (["--points", "1000000000"], "--points"),
    (["--points", str(limits.MAX_POINTS + 1)], "--points"),
    (["--batch-size", str(10**30)], "--batch-size"),
    (["--epochs", str(2**63)], "--epochs"),
    (["--lr", "1e300"], "--lr"),
    (["--lr", "1e-300"], "--lr"),
    (["--reg-rate", "1e300"], "--reg-rate"),
    (["--seed", str(2**64)], "--seed"),
])
def test_sizes_and_numbers_beyond_the_limits_are_refused_up_front(capsys, args: list[str], words: str) -> None:
    status, out, err = run_cli(capsys, "--preset", "xor", "--epochs", "1", *args)
    assert status == 2 and out == "" and err.count("\n") == 1 and words in err


def test_a_billion_points_is_refused_in_a_subprocess_without_a_memory_error(run_main) -> None:
    done = run_main("train", "--points", "1000000000", "--epochs", "1", timeout=60)
    assert done.returncode == 2 and "Traceback" not in done.stderr and done.stderr.count("\n") == 1
    assert "--points" in done.stderr and str(limits.MAX_POINTS) in done.stderr.replace(",", "")


def test_huge_layers_are_refused_in_a_subprocess_without_a_memory_error(run_main) -> None:
    done = run_main("train", "--layers", "100000,100000", "--epochs", "1", timeout=60)
    assert done.returncode == 2 and "MemoryError" not in done.stderr and done.stderr.count("\n") == 1


# ---------------------------------------------------------------------- coordinates (item 11)
@pytest.mark.parametrize("row", ["1e308,0,0", "0,-1e308,1", "1000000.5,0,0", "0,-2e6,1"])
def test_csv_coordinates_beyond_the_bound_are_refused_with_file_and_line(tmp_path: Path, row: str) -> None:
    path = tmp_path / "far.csv"
    path.write_text(f"x,y,label\n1,2,0\n{row}\n3,4,1\n", encoding="utf-8")
    with pytest.raises(DataError) as raised:
        read_csv(path)
    message = str(raised.value)
    assert message.startswith(f"{path}:3: ") and "1e+06" in message


def test_csv_coordinates_at_the_bound_load() -> None:
    points, _ = parse_csv("x,y,label\n1e6,-1e6,0\n0,0,1\n")
    assert points.tolist() == [[1e6, -1e6], [0.0, 0.0]]


def test_regression_values_beyond_the_bound_are_refused(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"<data>:2: label"):
        parse_csv("x,y,label\n1,2,1e300\n", regression=True)


def test_the_cli_refuses_far_points_naming_file_and_line(capsys, tmp_path: Path) -> None:
    path = tmp_path / "far.csv"
    path.write_text("x,y,label\n1,2,0\n1e308,0,1\n", encoding="utf-8")
    status, _, err = run_cli(capsys, "--data", str(path), "--epochs", "1")
    assert status == 2 and f"{path}:3: " in err and err.count("\n") == 1


def test_float32_at_the_coordinate_bound_prints_no_runtime_warning(tmp_path: Path) -> None:
    path = tmp_path / "edge.csv"
    path.write_text("x,y,label\n1e6,-1e6,0\n-1e6,1e6,1\n0.5,0.5,0\n-0.5,0.5,1\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-W", "error::RuntimeWarning", "main.py", "train", "--data", str(path), "--dtype",
         "float32", "--features", "x1,x2,x1sq,x2sq,x1x2,sinx1,sinx2", "--epochs", "20", "--lr", "1",
         "--plot", str(tmp_path / "p.png"), "--quiet"],
        cwd=Path(__file__).resolve().parents[2], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "Warning" not in done.stderr


# ---------------------------------------------------------------------- sessions (items 9, 10, 11)
SESSION_CASES = {
    "far point": (lambda d: d["points"].__setitem__(0, [1e308, 0.0]), "points[0][0]"),
    "far y": (lambda d: d["points"].__setitem__(1, [0.0, -2e6]), "points[1][1]"),
    "huge batch": (lambda d: d["settings"].__setitem__("batch_size", 10**30), "settings.batch_size"),
    "float batch": (lambda d: d["settings"].__setitem__("batch_size", 1e30), "settings.batch_size"),
    "epoch 2**63": (lambda d: d.__setitem__("epoch", 2**63), "epoch"),
    "huge rate": (lambda d: d["settings"].__setitem__("learning_rate", 1e300), "settings.learning_rate"),
    "tiny rate": (lambda d: d["settings"].__setitem__("learning_rate", 1e-300), "settings.learning_rate"),
    "huge reg rate": (lambda d: d["settings"].__setitem__("reg_rate", 1e300), "settings.reg_rate"),
    "history epoch": (lambda d: d["history"].__setitem__(0, [1e300, 0.5, 0.5]), "history"),
    "model seed": (lambda d: d["model"].__setitem__("seed", 2**70), "seed"),
}


@pytest.mark.parametrize("edit,words", SESSION_CASES.values(), ids=SESSION_CASES.keys())
def test_a_session_beyond_the_limits_is_refused_naming_the_file(tmp_path: Path, edit, words: str) -> None:
    doc = session_doc()
    edit(doc)
    path = write_json(tmp_path, doc, "work.json")
    for load in (load_session, load_json):
        with pytest.raises(DataError) as raised:
            load(path)
        message = str(raised.value)
        assert message.startswith(f"{path}: ") and words in message and "\n" not in message


def test_a_session_at_the_limits_loads(tmp_path: Path) -> None:
    doc = session_doc()
    doc["points"][0] = [limits.MAX_COORDINATE, -limits.MAX_COORDINATE]
    doc["epoch"] = limits.MAX_EPOCH
    doc["settings"].update(batch_size=limits.MAX_BATCH_SIZE, learning_rate=limits.MAX_LEARNING_RATE,
                           reg_rate=limits.MAX_REG_RATE)
    session = load_session(write_json(tmp_path, doc))
    assert session.epoch == limits.MAX_EPOCH and session.settings["batch_size"] == limits.MAX_BATCH_SIZE


def test_a_session_with_too_many_points_is_refused(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(limits, "MAX_POINTS", 3)
    with pytest.raises(DataError, match="4 points, more than the limit of 3"):
        load_session(write_json(tmp_path, session_doc()))


# ---------------------------------------------------------------------- models (item 9)
@pytest.mark.parametrize("sizes", [[2, 100, 1], [2, 32, 32, 1], [2, *[4] * 9, 1]])
def test_a_model_beyond_the_window_limits_is_refused_naming_the_file(tmp_path: Path, sizes: list[int]) -> None:
    path = write_json(tmp_path, model_doc(sizes), "model.json")
    for load in (load_model, load_json):
        with pytest.raises(DataError) as raised:
            load(path)
        message = str(raised.value)
        assert message.startswith(f"{path}: ") and "hidden layers of 1 to 16 neurons" in message


def test_a_model_with_more_outputs_than_classes_is_refused(tmp_path: Path) -> None:
    path = write_json(tmp_path, model_doc([2, 3, 17], task="multiclass"), "model.json")
    with pytest.raises(DataError, match="17 outputs"):
        load_model(path)


def test_a_model_the_cli_saves_at_the_limits_loads(capsys, tmp_path: Path) -> None:
    path = tmp_path / "model.json"
    layers = ",".join([str(limits.MAX_NEURONS)] * limits.MAX_HIDDEN_LAYERS)
    status, _, err = run_cli(capsys, "--preset", "xor", "--points", "20", "--layers", layers, "--epochs", "1",
                             "--quiet", "--save-model", str(path))
    assert status == 0, err
    net, features = load_model(path)
    assert net.layer_sizes == [2, *[16] * 8, 1] and features == ["x1", "x2"]
