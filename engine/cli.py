"""``neural-sandbox train``: train a network headless and report losses and accuracy."""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, NoReturn

import numpy as np

from engine import csvio, datasets, maps, palette, png
from engine.errors import EngineError
from engine.features import FEATURES, check_features
from engine.losses import TASKS
from engine.network import Network
from engine.optimizers import OPTIMIZERS
from engine.session_file import load_session
from engine.trainer import Trainer

# Defaults of the options that --session may override (None in the parser, so an explicit value shows).
DEFAULTS = {"points": 500, "noise": 0.0, "train_ratio": 0.5, "optimizer": "sgd", "lr": 0.03, "batch_size": 10,
            "regularization": "none", "reg_rate": 0.0}
# The session sets the data and the network: these options conflict with --session.
SESSION_SETS = ("layers", "activation", "features", "points", "noise", "task", "train_ratio")


class UsageError(Exception):
    """A command-line problem: reported as one line, exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # one clear line instead of usage + message
        raise UsageError(message)


def _layers(text: str) -> list[int]:
    if not text.strip():
        return []
    sizes = []
    for part in text.split(","):
        part = part.strip()
        if not part.isdecimal() or int(part) < 1:
            raise argparse.ArgumentTypeError(f"layer sizes must be positive integers, got {part!r}")
        sizes.append(int(part))
    return sizes


def _positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"must be a positive number, got {text!r}")
    return value


def _non_negative(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value >= 0):
        raise argparse.ArgumentTypeError(f"must be a number >= 0, got {text!r}")
    return value


def _count(text: str) -> int:
    if not text.strip().isdecimal():
        raise argparse.ArgumentTypeError(f"must be a whole number >= 0, got {text!r}")
    return int(text)


def _names(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def build_parser() -> argparse.ArgumentParser:
    """The ``train`` sub-command's arguments."""
    p = _Parser(prog="neural-sandbox train", description="Train a network headless.")
    source = p.add_mutually_exclusive_group()
    source.add_argument("--data", metavar="FILE.csv", help="data file with header x,y,label")
    source.add_argument("--preset", help=f"generated data: {', '.join(datasets.PRESETS)}")
    source.add_argument("--session", metavar="FILE.json", help="data, network, settings and weights of a saved session")
    p.add_argument("--points", type=_count, help="points to generate (default 500)")
    p.add_argument("--noise", type=_non_negative, help="noise from 0 to 0.5 (default 0)")
    p.add_argument("--task", choices=list(TASKS), help="default: from the data")
    p.add_argument("--layers", type=_layers, default=None, help="hidden sizes, e.g. 4,2 ('' for none)")
    p.add_argument("--activation", type=_names, default=None, help="one name, or one per hidden layer")
    p.add_argument("--features", type=_names, default=None, help=f"any of {','.join(FEATURES)}")
    p.add_argument("--optimizer", help=f"{', '.join(OPTIMIZERS)} (default sgd)")
    p.add_argument("--lr", type=_positive, help="learning rate (default 0.03)")
    p.add_argument("--batch-size", type=_count, help="points per batch (default 10)")
    p.add_argument("--epochs", type=_count, default=200)
    p.add_argument("--regularization", help="none, l1 or l2 (default none)")
    p.add_argument("--reg-rate", type=_non_negative, help="regularization rate (default 0)")
    p.add_argument("--train-ratio", type=_positive, help="fraction of points to train on (default 0.5)")
    p.add_argument("--seed", type=_count, default=0)
    p.add_argument("--init", default="auto", help="auto, playground or zeros")
    p.add_argument("--dtype", default="float64", help="float64 or float32")
    p.add_argument("--step-surrogate", action="store_true", help="heuristic gradient for step")
    p.add_argument("--json", action="store_true", help="print a JSON summary on stdout")
    p.add_argument("--save-model", metavar="FILE.json")
    p.add_argument("--plot", metavar="FILE.png", help="render the decision map with the points")
    p.add_argument("--quiet", action="store_true", help="no progress on stderr")
    return p


@dataclass
class Problem:
    """Everything a run needs: data split, features, network and trainer."""

    features: list[str]
    train_points: np.ndarray
    train_labels: np.ndarray
    test_points: np.ndarray
    test_labels: np.ndarray
    net: Network
    trainer: Trainer
    epoch_offset: int = 0  # epochs already trained (a session's), so the history continues from them


def infer_task(labels: np.ndarray, task: str | None, source: str) -> str:
    """Binary or multiclass from the class ids (or check the task asked for)."""
    if task == "regression":
        return task
    classes = np.unique(labels)
    if len(classes) < 2:
        found = classes[0] if len(classes) else "none"
        raise EngineError(f"{source}: only one class ({found}); classification needs at least two")
    highest = int(classes.max())
    if task == "binary" and highest > 1:
        raise EngineError(f"{source}: the binary task needs labels 0 and 1, found label {highest}")
    if task == "multiclass" and highest < 2:
        raise EngineError(f"{source}: the multiclass task needs at least 3 classes")
    return task or ("binary" if highest == 1 else "multiclass")


def load_points(args: argparse.Namespace) -> tuple[np.ndarray, np.ndarray, str, str]:
    """(points, labels, task, source) from --data or --preset."""
    regression = args.task == "regression"
    if args.data:
        points, labels = csvio.read_csv(args.data, regression=regression)
        source = args.data
    else:
        name = args.preset or "circle"
        if name not in datasets.PRESETS:
            raise EngineError(f"unknown preset {name!r} (known: {', '.join(datasets.PRESETS)})")
        if name in datasets.REGRESSION_PRESETS:
            if args.task not in (None, "regression"):
                raise EngineError(f"preset {name!r} is a regression data set")
            regression = True
        elif regression:
            raise EngineError(f"preset {name!r} is a classification data set")
        points, labels = datasets.generate(name, args.points, args.noise, args.seed)
        source = f"preset {name}"
    task = "regression" if regression else infer_task(labels, args.task, source)
    return points, labels, task, source


def with_defaults(args: argparse.Namespace) -> argparse.Namespace:
    """A copy of ``args`` with the usual defaults in place of the options not given."""
    values = vars(args).copy()
    for name, default in DEFAULTS.items():
        if values[name] is None:
            values[name] = default
    return argparse.Namespace(**values)


def session_problem(args: argparse.Namespace) -> Problem:
    """Data, network, settings and weights from ``--session``; explicit training options override its settings."""
    given = [f"--{name.replace('_', '-')}" for name in SESSION_SETS if getattr(args, name) is not None]
    if given:
        raise EngineError(f"{', '.join(given)} cannot be used with --session (the session sets the data and network)")
    source = args.session
    session = load_session(source)
    test = session.test_mask
    if not len(session.points):
        raise EngineError(f"{source}: the session has no points to train on")
    if test.all():
        raise EngineError(f"{source}: no training points (every key is >= the train ratio {session.train_ratio})")
    labels = session.labels if session.regression else session.labels.astype(np.int64)
    task = "regression" if session.regression else infer_task(labels, None, source)
    net = Network(
        session.layer_sizes, list(session.activations), task, seed=args.seed, init=args.init,
        dtype=args.dtype, step_surrogate=session.step_surrogate or args.step_surrogate,
    )
    if session.model is not None:  # continue from the session's weights
        net.set_parameters(session.model["weights"], session.model["biases"])
    options = {"learning_rate": args.lr, "optimizer": args.optimizer, "batch_size": args.batch_size,
               "regularization": args.regularization, "reg_rate": args.reg_rate}
    settings = {**session.settings, **{name: value for name, value in options.items() if value is not None}}
    trainer = Trainer(net, settings["optimizer"], settings["learning_rate"], settings["batch_size"],
                      settings["regularization"], settings["reg_rate"], args.seed)
    offset = session.epoch if session.model is not None else 0
    points = session.points
    return Problem(list(session.features), points[~test], labels[~test], points[test], labels[test],
                   net, trainer, offset)


def build_problem(args: argparse.Namespace) -> Problem:
    """Turn parsed arguments into data, network and trainer (EngineError on bad input)."""
    if args.session is not None:
        return session_problem(args)
    args = with_defaults(args)
    if args.noise > 0.5:
        raise EngineError(f"noise must be between 0 and 0.5, got {args.noise}")
    if args.train_ratio > 1:
        raise EngineError(f"train ratio must be in (0, 1], got {args.train_ratio}")
    if args.batch_size < 1:
        raise EngineError("batch size must be a positive integer")
    points, labels, task, _ = load_points(args)
    # An explicitly empty --features or --activation is an error, not the default.
    features = check_features(["x1", "x2"] if args.features is None else args.features)
    hidden = [4, 2] if args.layers is None else args.layers
    outputs = int(labels.max()) + 1 if task == "multiclass" else 1
    activation = ["tanh"] if args.activation is None else args.activation
    if len(activation) == 1:
        activation = activation[0]
    net = Network(
        [len(features), *hidden, outputs], activation, task, seed=args.seed,
        init=args.init, dtype=args.dtype, step_surrogate=args.step_surrogate,
    )
    trainer = Trainer(
        net, args.optimizer, args.lr, args.batch_size, args.regularization, args.reg_rate, args.seed
    )
    tr_p, tr_l, te_p, te_l = datasets.split(points, labels, args.train_ratio, args.seed)
    return Problem(features, tr_p, tr_l, te_p, te_l, net, trainer)


def _finite_or_none(value: float | None) -> float | None:
    return None if value is None or not math.isfinite(value) else value


def run(problem: Problem, epochs: int, progress: Callable[[str], object]) -> dict[str, Any]:
    """Train for ``epochs``; stop at the first non-finite loss. Returns the JSON summary."""
    from engine.features import transform

    net, trainer = problem.net, problem.trainer
    X_train = transform(problem.train_points, problem.features, net.dtype)
    X_test = transform(problem.test_points, problem.features, net.dtype)
    history = []
    diverged_at = None
    report_every = max(1, epochs // 10)
    for epoch in range(1, epochs + 1):
        with np.errstate(over="ignore", invalid="ignore"):
            train_loss = trainer.epoch(X_train, problem.train_labels)
            test_loss = net.loss(X_test, problem.test_labels) if len(X_test) else None
        history.append({"epoch": problem.epoch_offset + epoch, "train_loss": _finite_or_none(train_loss),
                        "test_loss": _finite_or_none(test_loss)})
        if not math.isfinite(train_loss):
            diverged_at = problem.epoch_offset + epoch
            progress(f"training diverged at epoch {diverged_at}: the loss is no longer a finite number "
                     "(the learning rate is probably too high for this network)")
            break
        if epoch % report_every == 0 or epoch == epochs:
            shown = "n/a" if test_loss is None else f"{test_loss:.4f}"
            progress(f"epoch {epoch}/{epochs}  train loss {train_loss:.4f}  test loss {shown}")
    with np.errstate(over="ignore", invalid="ignore"):
        final = {
            "train_loss": _finite_or_none(net.loss(X_train, problem.train_labels)),
            "test_loss": _finite_or_none(net.loss(X_test, problem.test_labels)) if len(X_test) else None,
            "train_accuracy": net.accuracy(X_train, problem.train_labels),
            "test_accuracy": net.accuracy(X_test, problem.test_labels) if len(X_test) else None,
        }
        gradient_norms = [_finite_or_none(g) for g in trainer.gradient_norms]
    return {
        "epochs": len(history),
        "final": final,
        "history": history,
        "gradient_norms": gradient_norms,
        "diverged": diverged_at is not None,
        "diverged_epoch": diverged_at,
    }


def model_dict(problem: Problem) -> dict[str, Any]:
    """The saved model: the network's configuration and weights plus its input features."""
    return {**problem.net.to_dict(), "features": problem.features}


def render_plot(problem: Problem, size: int = 480) -> np.ndarray:
    """The decision map with training (filled) and test (ringed) points: (size, size, 3) uint8."""
    all_points = np.concatenate([problem.train_points, problem.test_points])
    bounds = maps.view_bounds(all_points)
    cells = 120
    outputs = maps.layer_maps(problem.net, problem.features, bounds, cells)[-1]
    image = palette.map_rgb(problem.net.task, outputs)[::-1]  # row 0 at the top
    image = np.repeat(np.repeat(image, size // cells, axis=0), size // cells, axis=1).copy()
    scale = image.shape[0] / (bounds.high - bounds.low)
    for pts, labels, ring in ((problem.train_points, problem.train_labels, (255, 255, 255)),
                              (problem.test_points, problem.test_labels, (40, 40, 40))):
        for (x, y), label in zip(pts, labels):
            if problem.net.task == "regression":
                color = palette.diverging_lut(strength=1.0)[int(np.clip((label + 1) * 127.5, 0, 255))]
            else:
                color = palette.CLASS_COLORS[int(label) % len(palette.CLASS_COLORS)]
            png.draw_disc(image, (x - bounds.low) * scale, (bounds.high - y) * scale, 3.0, color, ring)
    return image


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``train`` with ``argv``; returns the exit status (2 for bad input)."""
    def fail(message: str) -> int:
        print(f"neural-sandbox train: error: {message}", file=sys.stderr)
        return 2

    try:
        args = build_parser().parse_args(argv)
        problem = build_problem(args)
    except UsageError as problem_text:
        return fail(str(problem_text))
    except EngineError as problem_text:
        return fail(str(problem_text))

    def progress(line: str) -> None:
        if not args.quiet:
            print(line, file=sys.stderr)

    started = time.perf_counter()
    summary = run(problem, args.epochs, progress)
    elapsed = time.perf_counter() - started
    final = summary["final"]

    def pct(v: float | None) -> str:
        return "n/a" if v is None else f"{100 * v:.1f}%"

    def num(v: float | None) -> str:
        return "n/a" if v is None else f"{v:.4f}"

    progress(
        f"done: {summary['epochs']} epochs in {elapsed:.2f} s  train loss {num(final['train_loss'])}  "
        f"test loss {num(final['test_loss'])}  train accuracy {pct(final['train_accuracy'])}  "
        f"test accuracy {pct(final['test_accuracy'])}"
    )
    try:
        if args.save_model:
            csvio.write_text_atomically(args.save_model, json.dumps(model_dict(problem), indent=1))
        if args.plot:
            png.write_png(args.plot, render_plot(problem))
    except OSError as problem_text:
        return fail(f"cannot write output: {problem_text}")
    if args.json:
        print(json.dumps(summary))
    return 0
