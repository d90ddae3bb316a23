"""``neural-sandbox train``: train a network headless and report losses and accuracy."""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, NoReturn

import numpy as np

from engine import csvio, datasets, limits, maps, palette, png
from engine.animate import Recorder, check_animation_target, write_animation
from engine.errors import EngineError
from engine.export_code import FLAVORS, write_code
from engine.features import FEATURES, check_features
from engine.losses import TASKS
from engine.network import Network
from engine.optimizers import OPTIMIZERS
from engine.session_file import load_session
from engine.trainer import Trainer

# Defaults of the options that --session may override (None in the parser, so an explicit value shows).
DEFAULTS = {"points": limits.DEFAULT_POINTS, "noise": 0.0, "train_ratio": limits.DEFAULT_TRAIN_RATIO,
            "optimizer": limits.DEFAULT_OPTIMIZER, "lr": limits.DEFAULT_LEARNING_RATE,
            "batch_size": limits.DEFAULT_BATCH_SIZE, "regularization": "none", "reg_rate": 0.0}
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
    beyond = limits.check_hidden(sizes)  # refused before anything is allocated
    if beyond:
        raise argparse.ArgumentTypeError(beyond)
    return sizes


def _number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return math.nan


def _positive(text: str) -> float:
    value = _number(text)
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"must be a positive number, got {text!r}")
    return value


def _non_negative(text: str) -> float:
    value = _number(text)
    if not (math.isfinite(value) and value >= 0):
        raise argparse.ArgumentTypeError(f"must be a number >= 0, got {text!r}")
    return value


def _within(low: float, high: float, base: Any = _non_negative) -> Any:
    """An argument type: ``base``'s value, refused outside [low, high]."""
    def check(text: str) -> Any:
        value = base(text)
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be from {_show(low)} to {_show(high)}, got {text!r}")
        return value

    return check


def _show(value: float) -> str:
    return str(value) if isinstance(value, int) else f"{value:g}"


def _count(text: str) -> int:
    if not text.strip().isdecimal():
        raise argparse.ArgumentTypeError(f"must be a whole number >= 0, got {text!r}")
    return int(text)


def _file(text: str) -> str:
    if not text:
        raise argparse.ArgumentTypeError("needs a file name, got ''")
    return text


def _names(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def build_parser() -> argparse.ArgumentParser:
    """The ``train`` sub-command's arguments."""
    p = _Parser(prog="neural-sandbox train", description="Train a network headless.")
    source = p.add_mutually_exclusive_group()
    source.add_argument("--data", metavar="FILE.csv", type=_file, help="data file with header x,y,label")
    source.add_argument("--preset", help=f"generated data: {', '.join(datasets.PRESETS)}")
    source.add_argument("--session", metavar="FILE.json", type=_file,
                        help="data, network, settings and weights of a saved session")
    p.add_argument("--points", type=_within(0, limits.MAX_POINTS, _count), help="points to generate (default 500)")
    p.add_argument("--noise", type=_non_negative, help="noise from 0 to 0.5 (default 0)")
    p.add_argument("--task", choices=list(TASKS), help="default: from the data")
    p.add_argument("--layers", type=_layers, default=None, help="hidden sizes, e.g. 4,2 ('' for none)")
    p.add_argument("--activation", type=_names, default=None, help="one name, or one per hidden layer")
    p.add_argument("--features", type=_names, default=None, help=f"any of {','.join(FEATURES)}")
    p.add_argument("--optimizer", help=f"{', '.join(OPTIMIZERS)} (default sgd)")
    p.add_argument("--lr", type=_within(limits.MIN_LEARNING_RATE, limits.MAX_LEARNING_RATE, _positive),
                   help="learning rate (default 0.03)")
    p.add_argument("--batch-size", type=_within(0, limits.MAX_BATCH_SIZE, _count), help="points per batch (default 10)")
    p.add_argument("--epochs", type=_within(0, limits.MAX_EPOCH, _count), default=200)
    p.add_argument("--regularization", help="none, l1 or l2 (default none)")
    p.add_argument("--reg-rate", type=_within(0, limits.MAX_REG_RATE), help="regularization rate (default 0)")
    p.add_argument("--train-ratio", type=_positive, help="fraction of points to train on (default 0.5)")
    p.add_argument("--seed", type=_within(0, limits.MAX_SEED, _count), default=0)
    p.add_argument("--init", default="auto", help="auto, playground or zeros")
    p.add_argument("--dtype", default="float64", help="float64 or float32")
    p.add_argument("--step-surrogate", action="store_true", help="heuristic gradient for step")
    p.add_argument("--json", action="store_true", help="print a JSON summary on stdout")
    p.add_argument("--save-model", metavar="FILE.json", type=_file)
    p.add_argument("--plot", metavar="FILE.png", type=_file, help="render the decision map with the points")
    p.add_argument("--export-code", metavar="FILE.py", type=_file, help="the trained network as a Python file")
    p.add_argument("--code-flavor", choices=list(FLAVORS), default="numpy", help="numpy (default) or torch")
    p.add_argument("--animate", metavar="FILE.gif", type=_file, help="an animation of the training (.gif or .mp4)")
    p.add_argument("--frames", type=_within(limits.MIN_FRAMES, limits.MAX_FRAMES, _count),
                   default=limits.DEFAULT_FRAMES, help=f"frames of the animation (default {limits.DEFAULT_FRAMES})")
    p.add_argument("--frame-size", type=_within(limits.MIN_ANIMATION_SIZE, limits.MAX_ANIMATION_SIZE, _count),
                   default=limits.DEFAULT_ANIMATION_SIZE, help="the animation's width and height in pixels")
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
    if args.data is not None:
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
    if offset + args.epochs > limits.MAX_EPOCH:
        raise EngineError(f"{source}: epoch {offset} + --epochs {args.epochs} is beyond the limit of "
                          f"{limits.MAX_EPOCH} epochs")
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


def run(problem: Problem, epochs: int, progress: Callable[[str], object],
        observe: Callable[[int, float], object] | None = None) -> dict[str, Any]:
    """Train for ``epochs``; stop at the first non-finite loss, keeping the last finite weights (as the
    window does). ``observe(epoch, train_loss)`` is called after every finite epoch. Returns the JSON summary."""
    from engine.features import transform

    net, trainer = problem.net, problem.trainer
    X_train = transform(problem.train_points, problem.features, net.dtype)
    X_test = transform(problem.test_points, problem.features, net.dtype)
    history: list[dict[str, float | None]] = []
    diverged_at = None
    last_finite = net.params.copy()
    report_every = max(1, epochs // 10)
    for epoch in range(1, epochs + 1):
        with np.errstate(over="ignore", invalid="ignore"):
            train_loss = trainer.epoch(X_train, problem.train_labels)
            test_loss = net.loss(X_test, problem.test_labels) if len(X_test) else None
        if not (math.isfinite(train_loss) and np.all(np.isfinite(net.params))):
            net.params[...] = last_finite  # a NaN model could not be opened again, nor plotted
            diverged_at = problem.epoch_offset + epoch
            history.append({"epoch": diverged_at, "train_loss": None, "test_loss": None})
            progress(f"training diverged at epoch {diverged_at}: the loss is no longer a finite number "
                     "(the learning rate is probably too high for this network); keeping the last finite "
                     f"weights (epoch {diverged_at - 1})")
            break
        last_finite[...] = net.params
        if observe is not None:
            observe(epoch, train_loss)
        history.append({"epoch": problem.epoch_offset + epoch, "train_loss": _finite_or_none(train_loss),
                        "test_loss": _finite_or_none(test_loss)})
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
            color = palette.point_color(problem.net.task, label)
            png.draw_disc(image, (x - bounds.low) * scale, (bounds.high - y) * scale, 3.0, color, ring)
    return image


def check_outputs(args: argparse.Namespace) -> None:
    """Refuse an output that cannot be written before training starts (EngineError naming the option and path)."""
    for option, path in (("--save-model", args.save_model), ("--plot", args.plot),
                         ("--export-code", args.export_code)):
        if path is not None:
            try:
                csvio.check_target(path)
            except OSError as problem:
                raise EngineError(f"{option} {path}: cannot write it ({problem.strerror})") from None
    if args.animate is not None:
        try:
            check_animation_target(args.animate)
        except OSError as problem:
            raise EngineError(f"--animate {args.animate}: cannot write it ({problem.strerror})") from None
        except EngineError as problem:  # not .gif or .mp4, or .mp4 without ffmpeg
            raise EngineError(f"--animate {problem}") from None


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{100 * value:.1f}%"


def _num(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.4f}"


def _fail(message: str) -> int:
    print(f"neural-sandbox train: error: {message}", file=sys.stderr)
    return 2


def _train(argv: Sequence[str] | None) -> int:
    try:
        args = build_parser().parse_args(argv)
        check_outputs(args)
        problem = build_problem(args)
    except (UsageError, EngineError) as problem_text:
        return _fail(str(problem_text))

    def progress(line: str) -> None:
        if not args.quiet:
            print(line, file=sys.stderr)

    started = time.perf_counter()
    recorder = None if args.animate is None else \
        Recorder(problem.net, args.epochs, args.frames, problem.epoch_offset)
    summary = run(problem, args.epochs, progress, observe=recorder)
    elapsed = time.perf_counter() - started
    final = summary["final"]
    progress(
        f"done: {summary['epochs']} epochs in {elapsed:.2f} s  train loss {_num(final['train_loss'])}  "
        f"test loss {_num(final['test_loss'])}  train accuracy {_pct(final['train_accuracy'])}  "
        f"test accuracy {_pct(final['test_accuracy'])}"
    )
    kept = ""
    if summary["diverged"]:
        kept = f" with the last finite weights (epoch {summary['diverged_epoch'] - 1})"
    try:
        if args.save_model is not None:
            csvio.write_text_atomically(args.save_model, json.dumps(model_dict(problem), indent=1))
            progress(f"saved the model{kept} to {args.save_model}")
        if args.plot is not None:
            with np.errstate(over="ignore", invalid="ignore"):
                image = render_plot(problem)
            png.write_png(args.plot, image)
        if args.export_code is not None:
            write_code(args.export_code, problem.net, problem.features, args.code_flavor)
            progress(f"exported the network{kept} as {args.code_flavor} code to {args.export_code}")
        if recorder is not None:
            with np.errstate(over="ignore", invalid="ignore"):
                count = write_animation(args.animate, problem, recorder.kept, args.frame_size)
            progress(f"wrote {count} frames to {args.animate}")
    except EngineError as problem_text:  # ffmpeg failed
        return _fail(str(problem_text))
    except OSError as problem_text:  # the error names the user's path, never the temporary file
        return _fail(f"cannot write {problem_text.filename}: {problem_text.strerror}")
    if args.json:
        print(json.dumps(summary))
        sys.stdout.flush()  # here, so that a closed pipe is met inside main, not at exit
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``train`` with ``argv``; returns the exit status (2 for bad input, 1 when the output pipe closed)."""
    try:
        return _train(argv)
    except BrokenPipeError:
        # The reader went away (``--json | head``): nothing more can be said, and Python would print a
        # traceback flushing the dead pipe at exit unless the streams point somewhere harmless.
        devnull = os.open(os.devnull, os.O_WRONLY)
        for stream in (sys.stdout, sys.stderr):
            try:
                os.dup2(devnull, stream.fileno())
            except (OSError, ValueError):  # a stream without a descriptor (a test's capture)
                pass
        os.close(devnull)
        return 1
