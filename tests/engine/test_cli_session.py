"""``train --session``: a session saved by the window trains headless, from its own data,
split, network, settings and weights; explicit training options override its settings."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from engine import Network, cli, generate, transform
from engine.session_file import Session, load_model, save_session

REPO_ROOT = Path(__file__).resolve().parents[2]
SETTINGS = {"learning_rate": 0.05, "optimizer": "adam", "batch_size": 8, "regularization": None, "reg_rate": 0.0}


def train(*args: object) -> subprocess.CompletedProcess:
    """``python main.py train ARGS`` from the repository root."""
    return subprocess.run([sys.executable, "main.py", "train", *map(str, args)], cwd=REPO_ROOT,
                          capture_output=True, text=True, timeout=120)


def make_session(preset: str = "circle", trained: bool = True, epoch: int = 40, hidden: tuple[int, ...] = (5, 3),
                 features: tuple[str, ...] = ("x1", "x2", "x1sq", "x2sq")) -> Session:
    """A session like the window saves: generated points, keys for a 0.6 split, weights after ``epoch`` epochs."""
    points, labels = generate(preset, 120, 0.1, seed=3)
    regression = preset in ("plane", "multigauss")
    labels = labels.astype(np.float64)
    task = "regression" if regression else ("multiclass" if labels.max() >= 2 else "binary")
    outputs = int(labels.max()) + 1 if task == "multiclass" else 1
    model = None
    if trained:
        net = Network([len(features), *hidden, outputs], ["tanh", "relu"][: len(hidden)], task, seed=11)
        model = net.to_dict()
    keys = np.random.default_rng(5).random(len(points))
    history = np.array([[e, 0.5, np.nan] for e in range(1, epoch + 1)]).reshape(-1, 3)
    return Session(points, labels, keys, 0.6, regression, features, hidden, ("tanh", "relu")[: len(hidden)],
                   dict(SETTINGS), False, model, epoch if trained else 0, history)


def saved(tmp_path: Path, session: Session, name: str = "session.json") -> Path:
    path = tmp_path / name
    save_session(path, session)
    return path


def expected_losses(session: Session, net: Network) -> tuple[float, float]:
    """Train and test loss of ``net`` on the session's own split (key >= ratio is a test point)."""
    test = session.test_mask
    labels = session.labels if session.regression else session.labels.astype(np.int64)
    X = transform(session.points, session.features)
    return net.loss(X[~test], labels[~test]), net.loss(X[test], labels[test])


# ------------------------------------------------------------------ end to end
def test_zero_epochs_report_the_loss_of_the_saved_weights(tmp_path: Path) -> None:
    session = make_session()
    done = train("--session", saved(tmp_path, session), "--epochs", "0", "--json", "--quiet")
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    train_loss, test_loss = expected_losses(session, Network.from_dict(session.model))
    assert summary["final"]["train_loss"] == train_loss and summary["final"]["test_loss"] == test_loss
    assert summary["epochs"] == 0 and summary["history"] == []
    fresh = Network(session.layer_sizes, list(session.activations), "binary", seed=0)
    assert expected_losses(session, fresh)[0] != train_loss  # the saved weights, not the seed's


def test_classification_session_continues_training_and_saves_the_model(tmp_path: Path) -> None:
    session = make_session()
    model, plot = tmp_path / "model.json", tmp_path / "map.png"
    done = train("--session", saved(tmp_path, session), "--epochs", "30", "--json", "--save-model", model,
                 "--plot", plot)
    assert done.returncode == 0, done.stderr
    assert "epoch 30/30" in done.stderr and "Traceback" not in done.stderr
    summary = json.loads(done.stdout)
    assert [h["epoch"] for h in summary["history"]] == list(range(41, 71))  # continues from epoch 40
    before = expected_losses(session, Network.from_dict(session.model))[0]
    assert summary["final"]["train_loss"] < before and summary["final"]["train_accuracy"] > 0.8
    net, features = load_model(model)
    assert features == list(session.features) and net.layer_sizes == [4, 5, 3, 1]
    assert expected_losses(session, net)[0] == summary["final"]["train_loss"]
    assert plot.read_bytes()[:4] == b"\x89PNG"


def test_regression_session_trains_with_null_accuracies(tmp_path: Path) -> None:
    session = make_session("plane", hidden=(4,), features=("x1", "x2"))
    done = train("--session", saved(tmp_path, session), "--epochs", "5", "--json", "--quiet")
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert summary["final"]["train_accuracy"] is None and summary["final"]["test_accuracy"] is None
    assert summary["final"]["train_loss"] < expected_losses(session, Network.from_dict(session.model))[0]


def test_explicit_learning_rate_overrides_the_session(tmp_path: Path) -> None:
    path = saved(tmp_path, make_session())
    runs = [train("--session", path, "--epochs", "3", "--json", "--quiet", *extra)
            for extra in ([], ["--lr", "0.05"], ["--lr", "0.5"])]
    assert all(done.returncode == 0 for done in runs), [done.stderr for done in runs]
    default, same, faster = (json.loads(done.stdout)["final"] for done in runs)
    assert default == same  # the session's own rate is 0.05
    assert faster != default


def test_a_bad_session_exits_2_with_one_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{"format": "neural-sandbox-session",\n "version": 1,\n "points": [[1, 2]', encoding="utf-8")
    done = train("--session", path, "--epochs", "1")
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.splitlines() == [f"neural-sandbox train: error: {path}:3:19: not valid JSON "
                                        "(Expecting ',' delimiter)"]


def test_a_data_option_with_a_session_exits_2_with_one_line(tmp_path: Path) -> None:
    done = train("--session", saved(tmp_path, make_session()), "--layers", "3", "--noise", "0.1")
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.splitlines() == ["neural-sandbox train: error: --layers, --noise cannot be used with "
                                        "--session (the session sets the data and network)"]


# ------------------------------------------------------------------ in process
def problem_for(path: Path, *extra: str) -> cli.Problem:
    return cli.build_problem(cli.build_parser().parse_args(["--session", str(path), *extra]))


def test_the_session_sets_split_features_network_and_settings(tmp_path: Path) -> None:
    session = make_session("spiral")
    problem = problem_for(saved(tmp_path, session))
    test = session.keys >= 0.6
    assert np.array_equal(problem.train_points, session.points[~test])
    assert np.array_equal(problem.test_points, session.points[test])
    assert problem.train_labels.dtype == np.int64 and np.array_equal(problem.test_labels, session.labels[test])
    assert problem.features == ["x1", "x2", "x1sq", "x2sq"]
    net, trainer = problem.net, problem.trainer
    assert net.layer_sizes == [4, 5, 3, 1] and net.activation_names == ["tanh", "relu"] and net.task == "binary"
    assert net.params.tobytes() == Network.from_dict(session.model).params.tobytes()
    assert (trainer.optimizer, trainer.learning_rate, trainer.batch_size) == ("adam", 0.05, 8)
    assert (trainer.regularization, trainer.reg_rate) == (None, 0.0)
    assert problem.epoch_offset == 40


def test_every_explicit_training_option_overrides_its_setting(tmp_path: Path) -> None:
    problem = problem_for(saved(tmp_path, make_session()), "--lr", "0.2", "--optimizer", "momentum",
                          "--batch-size", "3", "--regularization", "l1", "--reg-rate", "0.01", "--step-surrogate")
    trainer = problem.trainer
    assert (trainer.optimizer, trainer.learning_rate, trainer.batch_size) == ("momentum", 0.2, 3)
    assert (trainer.regularization, trainer.reg_rate) == ("l1", 0.01)
    assert problem.net.step_surrogate


def test_a_session_without_weights_starts_from_the_seed(tmp_path: Path) -> None:
    session = make_session(trained=False)
    problem = problem_for(saved(tmp_path, session), "--seed", "7")
    fresh = Network([4, 5, 3, 1], ["tanh", "relu"], "binary", seed=7)
    assert problem.net.params.tobytes() == fresh.params.tobytes() and problem.epoch_offset == 0


def test_a_multiclass_session_gets_one_output_per_class(tmp_path: Path) -> None:
    problem = problem_for(saved(tmp_path, make_session("multigauss", trained=False)))
    assert problem.net.task == "regression"  # multigauss is a regression preset
    points, labels = generate("gauss", 90, 0.1, seed=1)
    labels = labels + 2 * (np.arange(90) % 2 == 0) * (labels == 0)  # classes 0, 1 and 2
    session = Session(points, labels.astype(np.float64), np.linspace(0, 0.99, 90), 0.5, False, ("x1", "x2"), (3,),
                      ("tanh",), dict(SETTINGS), False, None, 0, np.zeros((0, 3)))
    problem = problem_for(saved(tmp_path, session, "three.json"))
    assert problem.net.task == "multiclass" and problem.net.layer_sizes == [2, 3, 3]
    assert cli.run(problem, 2, lambda line: None)["final"]["train_accuracy"] is not None


@pytest.mark.parametrize("option", [["--layers", "3"], ["--activation", "relu"], ["--features", "x1"],
                                    ["--points", "50"], ["--noise", "0"], ["--task", "binary"],
                                    ["--train-ratio", "0.5"], ["--data", "x.csv"], ["--preset", "xor"]])
def test_data_and_network_options_are_refused_with_a_session(tmp_path: Path, capsys, option: list[str]) -> None:
    status = cli.main(["--session", str(saved(tmp_path, make_session())), *option, "--epochs", "1"])
    err = capsys.readouterr().err
    assert status == 2 and len(err.splitlines()) == 1 and "Traceback" not in err
    assert option[0] in err and ("--session" in err)


@pytest.mark.parametrize("change,expected", [
    ({"points": np.zeros((0, 2)), "labels": np.zeros(0), "keys": np.zeros(0), "model": None},
     "the session has no points"),
    ({"keys": np.full(120, 0.9)}, "no training points"),
    ({"labels": np.zeros(120)}, "only one class"),
])
def test_sessions_that_cannot_train_exit_2_with_one_line(tmp_path: Path, capsys, change: dict, expected: str) -> None:
    base = make_session(trained=False)
    path = saved(tmp_path, Session(**{**base.__dict__, **change}))
    status = cli.main(["--session", str(path), "--epochs", "1"])
    err = capsys.readouterr().err
    assert status == 2 and err.count("\n") == 1 and f"{path}: {expected}" in err


def test_a_missing_session_file_exits_2_naming_it(tmp_path: Path, capsys) -> None:
    status = cli.main(["--session", str(tmp_path / "gone.json")])
    assert status == 2 and capsys.readouterr().err == f"neural-sandbox train: error: {tmp_path / 'gone.json'}: " \
                                                      "no such file\n"


def test_without_a_session_the_usual_defaults_apply() -> None:
    problem = cli.build_problem(cli.build_parser().parse_args(["--preset", "xor"]))
    trainer = problem.trainer
    assert (trainer.optimizer, trainer.learning_rate, trainer.batch_size) == ("sgd", 0.03, 10)
    assert (trainer.regularization, trainer.reg_rate) == (None, 0.0)
    assert len(problem.train_points) == len(problem.test_points) == 250
