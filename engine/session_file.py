"""Session files: the window's whole state as readable JSON, and model files from ``train --save-model``.

JSON only, never pickle, nothing executed. Every problem raises ``DataError`` with one
sentence naming the file and the problem (``file:line:column`` for JSON syntax), so the
window and the CLI can refuse a bad file and keep what they already have. Floats are
written as Python's shortest exact repr, so every number loads back bit for bit.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from engine import jsonio, limits
from engine.activations import ACTIVATIONS
from engine.csvio import read_text, write_text_atomically
from engine.errors import DataError, EngineError
from engine.features import FEATURES, check_features
from engine.keyframes import Keyframe
from engine.losses import TASKS
from engine.network import MODEL_FORMAT, MODEL_VERSION, Network
from engine.optimizers import OPTIMIZERS

SESSION_FORMAT = "neural-sandbox-session"
SESSION_VERSION = 1
FIELDS = ("regression", "train_ratio", "features", "hidden", "activations", "step_surrogate", "settings",
          "epoch", "points", "labels", "keys", "history", "model")
KEYFRAME_FIELDS = ("epoch", "activations", "weights", "biases")
SETTINGS = ("learning_rate", "optimizer", "batch_size", "regularization", "reg_rate")
MODEL_FIELDS = ("layer_sizes", "activations", "task", "weights", "biases")


@dataclass(frozen=True, eq=False)
class Session:
    """A saved session: data and split, network shape, settings, weights, loss and gradient-flow history."""

    points: np.ndarray  # (n, 2) float64
    labels: np.ndarray  # (n,) float64: class ids 0..15 (classification) or values (regression)
    keys: np.ndarray  # (n,) float64 in [0, 1): a point is a test point when key >= train_ratio
    train_ratio: float  # in (0, 1]
    regression: bool
    features: tuple[str, ...]  # names from engine.features.FEATURES, at least one
    hidden: tuple[int, ...]  # 0..MAX_HIDDEN_LAYERS hidden layers of 1..MAX_NEURONS neurons (engine.limits)
    activations: tuple[str, ...]  # one per hidden layer
    settings: dict[str, Any]  # learning_rate, optimizer, batch_size, regularization, reg_rate
    step_surrogate: bool
    model: dict[str, Any] | None  # Network.to_dict() of the current weights, or None
    epoch: int  # >= 0
    history: np.ndarray  # (k, 3) float64: epoch, train loss, test loss (NaN where none)
    keyframes: tuple[Keyframe, ...] = ()  # the run's recorded weights, by increasing epoch (for replay)
    # (k, 1 + weight layers) float64: epoch, then each layer's ||dJ/dW|| (NaN where none); None: not saved
    gradients: np.ndarray | None = None

    @property
    def test_mask(self) -> np.ndarray:
        """(n,) bool: True for test points (key >= train_ratio)."""
        return self.keys >= self.train_ratio

    @property
    def task(self) -> str:
        """regression, or binary/multiclass by the highest class id (binary when there are no points)."""
        if self.regression:
            return "regression"
        return "multiclass" if len(self.labels) and self.labels.max() >= 2 else "binary"

    @property
    def layer_sizes(self) -> list[int]:
        """[len(features), *hidden, outputs]: the network a session's model must have."""
        outputs = int(self.labels.max()) + 1 if self.task == "multiclass" else 1
        return [len(self.features), *self.hidden, outputs]


# ----------------------------------------------------------------- reading
def _settings(value: Any, source: str) -> dict[str, Any]:
    """The five training settings (other keys are ignored)."""
    if not isinstance(value, dict):
        raise DataError(f"{source}: settings must be a JSON object, found {jsonio.show(value)}")
    jsonio.require(value, SETTINGS, source, "settings")
    optimizer, regularization = value["optimizer"], value["regularization"]
    if type(optimizer) is not str or optimizer not in OPTIMIZERS:
        raise DataError(f"{source}: unknown optimizer {jsonio.show(optimizer)} (known: {', '.join(OPTIMIZERS)})")
    if regularization not in (None, "none", "l1", "l2"):
        raise DataError(f"{source}: unknown regularization {jsonio.show(regularization)} (known: null, l1, l2)")
    return {
        "learning_rate": jsonio.number(value["learning_rate"], source, "settings.learning_rate",
                                       limits.MIN_LEARNING_RATE, limits.MAX_LEARNING_RATE),
        "optimizer": optimizer,
        "batch_size": jsonio.integer(value["batch_size"], source, "settings.batch_size", 1, limits.MAX_BATCH_SIZE),
        "regularization": None if regularization == "none" else regularization,
        "reg_rate": jsonio.number(value["reg_rate"], source, "settings.reg_rate", 0, limits.MAX_REG_RATE),
    }


def _arrays(weights: Any, biases: Any, sizes: list[int], source: str,
            what: str) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Check per-layer weights (fan_in rows of fan_out) and biases (fan_out) of a ``sizes`` network."""
    for name, arrays in (("weights", weights), ("biases", biases)):
        if not isinstance(arrays, list) or len(arrays) != len(sizes) - 1:
            raise DataError(f"{source}: {what} {name} must be a list of {len(sizes) - 1} arrays, one per layer")
    checked_weights, checked_biases = [], []
    for l, (w, b) in enumerate(zip(weights, biases)):
        fan_in, fan_out = sizes[l], sizes[l + 1]
        if not isinstance(w, list) or len(w) != fan_in:
            raise DataError(f"{source}: {what} weights[{l}] must have {fan_in} rows of {fan_out} (layer sizes "
                            f"{sizes}), found {jsonio.show(w)}")
        checked_weights.append(jsonio.numbers(w, source, f"{what} weights[{l}]", width=fan_out))
        checked_biases.append(jsonio.numbers(b, source, f"{what} biases[{l}]"))
        if len(checked_biases[-1]) != fan_out:
            raise DataError(f"{source}: {what} biases[{l}] must have {fan_out} numbers, found {jsonio.show(b)}")
    return checked_weights, checked_biases


def _keyframes(value: Any, source: str, session: Session) -> tuple[Keyframe, ...]:
    """Check a session's optional ``keyframes`` (weights at earlier epochs) against its network."""
    if not isinstance(value, list):
        raise DataError(f"{source}: keyframes must be a list, found {jsonio.show(value)}")
    if value and session.model is None:
        raise DataError(f"{source}: keyframes need trained weights, but the session's model is null")
    if len(value) > limits.MAX_SESSION_KEYFRAMES:
        raise DataError(f"{source}: {len(value)} keyframes, more than the limit of {limits.MAX_SESSION_KEYFRAMES}")
    sizes = session.layer_sizes
    values = len(value) * sum((a + 1) * b for a, b in zip(sizes[:-1], sizes[1:]))
    if values > limits.MAX_SESSION_KEYFRAME_VALUES:
        raise DataError(f"{source}: the keyframes hold {values:,} weights and biases, more than the limit of "
                        f"{limits.MAX_SESSION_KEYFRAME_VALUES:,}")
    keyframes: list[Keyframe] = []
    for k, doc in enumerate(value):
        what = f"keyframes[{k}]"
        if not isinstance(doc, dict):
            raise DataError(f"{source}: {what} must be a JSON object, found {jsonio.show(doc)}")
        jsonio.require(doc, KEYFRAME_FIELDS, source, what)
        epoch = jsonio.integer(doc["epoch"], source, f"{what}.epoch", 0, session.epoch)
        if keyframes and epoch <= keyframes[-1].epoch:
            raise DataError(f"{source}: {what}.epoch {epoch} is not after the previous keyframe's "
                            f"{keyframes[-1].epoch} (keyframes run in order of epoch)")
        activations = jsonio.names(doc["activations"], source, f"{what} activation", ACTIVATIONS)
        if len(activations) != len(session.hidden):
            raise DataError(f"{source}: {what} has {len(activations)} activations for {len(session.hidden)} "
                            "hidden layers")
        weights, biases = _arrays(doc["weights"], doc["biases"], sizes, source, what)
        keyframes.append(Keyframe.from_arrays(epoch, weights, biases, activations))
    return tuple(keyframes)


def _gradients(value: Any, source: str, session: Session) -> np.ndarray:
    """Check a session's optional ``gradients`` (rows: epoch, then one weight-gradient norm per layer)."""
    if not isinstance(value, list):
        raise DataError(f"{source}: gradients must be a list, found {jsonio.show(value)}")
    if len(value) > limits.MAX_SESSION_GRADIENTS:
        raise DataError(f"{source}: gradients has {len(value):,} rows, more than the limit of "
                        f"{limits.MAX_SESSION_GRADIENTS:,}")
    width = len(session.layer_sizes)  # the epoch, then one norm per weight layer
    for i, row in enumerate(value):
        if not isinstance(row, list) or len(row) != width:
            raise DataError(f"{source}: gradients[{i}] must be a list of {width} numbers (the epoch, then one norm "
                            f"for each of the network's {width - 1} weight layers), found {jsonio.show(row)}")
    rows = jsonio.numbers(value, source, "gradients", width=width, nullable=tuple(range(1, width)))
    epochs = rows[:, 0]
    wrong = np.flatnonzero((epochs < 0) | (epochs > session.epoch) | (epochs != np.floor(epochs)))
    if len(wrong):
        i = int(wrong[0])
        raise DataError(f"{source}: gradients[{i}][0] = {jsonio.show(value[i][0])} is not an epoch (a whole number "
                        f"from 0 to the session's epoch, {session.epoch})")
    back = np.flatnonzero(np.diff(epochs) <= 0)
    if len(back):
        i = int(back[0]) + 1
        raise DataError(f"{source}: gradients[{i}] is at epoch {jsonio.show(value[i][0])}, not after the previous "
                        f"row's {jsonio.show(value[i - 1][0])} (rows run in order of epoch)")
    negative = np.argwhere(rows[:, 1:] < 0)
    if len(negative):
        i, l = (int(n) for n in negative[0])
        raise DataError(f"{source}: gradients[{i}][{l + 1}] = {jsonio.show(value[i][l + 1])} is negative "
                        "(a norm is 0 or more)")
    return rows


def _network(doc: Any, source: str, what: str, sizes: list[int] | None = None) -> Network:
    """Check a ``Network.to_dict()`` document (against ``sizes`` if given) and build its network."""
    jsonio.check_header(doc, source, what, MODEL_FORMAT, MODEL_VERSION)
    jsonio.require(doc, MODEL_FIELDS, source, what)
    found = doc["layer_sizes"]
    if not isinstance(found, list) or len(found) < 2 or any(type(s) is not int or s < 1 for s in found):
        raise DataError(f"{source}: {what} layer_sizes must be a list of at least 2 positive whole numbers")
    beyond = limits.check_layer_sizes(found)
    if beyond:
        raise DataError(f"{source}: {what} is beyond this program's limits: {beyond}")
    if sizes is not None and found != sizes:
        raise DataError(f"{source}: {what} has layer sizes {found}, but the session's features, hidden "
                        f"layers and classes need {sizes}")
    _arrays(doc["weights"], doc["biases"], found, source, what)
    if "seed" in doc:
        jsonio.integer(doc["seed"], source, f"{what} seed", 0, limits.MAX_SEED)
    for name in ("task", "init", "dtype"):
        if name in doc and type(doc[name]) is not str:
            raise DataError(f"{source}: {what} {name} must be a name, found {jsonio.show(doc[name])}")
    jsonio.names(doc["activations"], source, f"{what} activation", ACTIVATIONS)
    if doc["task"] not in TASKS:
        raise DataError(f"{source}: {what} has unknown task {jsonio.show(doc['task'])} (known: {', '.join(TASKS)})")
    try:
        return Network.from_dict(doc)
    except EngineError as problem:
        raise DataError(f"{source}: {what}: {problem}") from None


def _session(doc: Any, source: str) -> Session:
    """Check a session document and build the Session; DataError naming ``source`` and the problem."""
    if isinstance(doc, dict) and doc.get("format") == MODEL_FORMAT:
        raise DataError(f"{source}: this is a model file, not a session (open it as a model)")
    jsonio.check_header(doc, source, "the file", SESSION_FORMAT, SESSION_VERSION)
    jsonio.require(doc, FIELDS, source, "the session")
    regression = jsonio.boolean(doc["regression"], source, "regression")
    if isinstance(doc["points"], list) and len(doc["points"]) > limits.MAX_POINTS:
        raise DataError(f"{source}: {len(doc['points'])} points, more than the limit of {limits.MAX_POINTS}")
    points = jsonio.numbers(doc["points"], source, "points", width=2, bound=limits.MAX_COORDINATE)
    labels = jsonio.numbers(doc["labels"], source, "labels", bound=limits.MAX_COORDINATE)
    keys = jsonio.numbers(doc["keys"], source, "keys")
    for name, array in (("labels", labels), ("keys", keys)):
        if len(array) != len(points):
            raise DataError(f"{source}: {len(points)} points but {len(array)} {name}")
    if not regression:
        wrong = np.flatnonzero((labels != np.floor(labels)) | (labels < 0) | (labels >= limits.MAX_CLASSES))
        if len(wrong):
            found = jsonio.show(doc["labels"][wrong[0]])
            raise DataError(f"{source}: labels[{wrong[0]}] = {found} is not a class id (an integer from 0 to "
                            f"{limits.MAX_CLASSES - 1}; values need regression: true)")
    outside = np.flatnonzero((keys < 0) | (keys >= 1))
    if len(outside):
        raise DataError(f"{source}: keys[{outside[0]}] = {jsonio.show(doc['keys'][outside[0]])} is outside [0, 1)")
    features = jsonio.names(doc["features"], source, "feature", FEATURES)
    try:
        check_features(features)
    except EngineError as problem:
        raise DataError(f"{source}: {problem}") from None
    hidden = doc["hidden"]
    if not isinstance(hidden, list) or len(hidden) > limits.MAX_HIDDEN_LAYERS:
        raise DataError(f"{source}: hidden must be a list of at most {limits.MAX_HIDDEN_LAYERS} layer sizes, "
                        f"found {jsonio.show(hidden)}")
    hidden = tuple(jsonio.integer(h, source, f"hidden[{l}]", limits.MIN_NEURONS, limits.MAX_NEURONS)
                   for l, h in enumerate(hidden))
    activations = jsonio.names(doc["activations"], source, "activation", ACTIVATIONS)
    if len(activations) != len(hidden):
        raise DataError(f"{source}: {len(hidden)} hidden layers need {len(hidden)} activations, "
                        f"found {len(activations)}")
    history = jsonio.numbers(doc["history"], source, "history", width=3, nullable=(1, 2))
    if np.any((history[:, 0] < 0) | (history[:, 0] > limits.MAX_EPOCH)):
        raise DataError(f"{source}: history epochs must be numbers from 0 to {limits.MAX_EPOCH}")
    session = Session(
        points, labels, keys, jsonio.number(doc["train_ratio"], source, "train_ratio", 0, 1, low_open=True),
        regression, features, hidden, activations, _settings(doc["settings"], source),
        jsonio.boolean(doc["step_surrogate"], source, "step_surrogate"), None,
        jsonio.integer(doc["epoch"], source, "epoch", 0, limits.MAX_EPOCH), history,
    )
    if "gradients" in doc:
        session = replace(session, gradients=_gradients(doc["gradients"], source, session))
    if doc["model"] is None:
        _keyframes(doc.get("keyframes", []), source, session)  # none allowed: says so if there are some
        return session
    net = _network(doc["model"], source, "model", session.layer_sizes)
    if tuple(net.activation_names) != activations or net.task != session.task:
        raise DataError(f"{source}: the model's activations {net.activation_names} and task {net.task!r} do not "
                        f"match the session's {list(activations)} and {session.task!r}")
    net.step_surrogate = session.step_surrogate
    session = replace(session, model=net.to_dict())
    return replace(session, keyframes=_keyframes(doc.get("keyframes", []), source, session))


# ----------------------------------------------------------------- writing
def _plain(value: Any) -> Any:
    """numpy scalars as Python ones, so that the checks see what json would give."""
    return value.item() if isinstance(value, np.generic) else value


def _document(session: Session) -> dict[str, Any]:
    """The JSON document of a session (plain Python values, not yet checked)."""
    labels = np.asarray(session.labels, dtype=np.float64)
    integral = not session.regression and bool(np.all(np.isfinite(labels) & (labels == np.floor(labels))))
    history = np.asarray(session.history, dtype=np.float64)
    if history.size and history.ndim != 2:
        raise ValueError(f"history must have shape (k, 3), not {history.shape}")
    doc = {
        "format": SESSION_FORMAT,
        "version": SESSION_VERSION,
        "regression": _plain(session.regression),
        "train_ratio": _plain(session.train_ratio),
        "features": list(session.features),
        "hidden": [_plain(h) for h in session.hidden],
        "activations": list(session.activations),
        "step_surrogate": _plain(session.step_surrogate),
        "settings": {name: _plain(value) for name, value in session.settings.items()},
        "epoch": _plain(session.epoch),
        "model": session.model,
        "history": _rows(history, "history"),
        "points": np.asarray(session.points, dtype=np.float64).tolist(),
        "labels": labels.astype(np.int64).tolist() if integral else labels.tolist(),
        "keys": np.asarray(session.keys, dtype=np.float64).tolist(),
        "keyframes": [_keyframe_document(k) for k in session.keyframes],
    }
    if session.gradients is not None:  # left out when not recorded: older versions of the app read the file too
        doc["gradients"] = _rows(np.asarray(session.gradients, dtype=np.float64), "gradients")
    return doc


def _rows(array: np.ndarray, name: str) -> list[list[Any]]:
    """Rows of (epoch, values...) as JSON: whole epochs as integers, non-finite values as null."""
    if array.size and array.ndim != 2:
        raise ValueError(f"{name} must have shape (k, columns), not {array.shape}")
    return [[int(e) if float(e).is_integer() else e, *(v if math.isfinite(v) else None for v in values)]
            for e, *values in (array.tolist() if array.size else [])]


def _keyframe_document(keyframe: Keyframe) -> dict[str, Any]:
    weights, biases = keyframe.arrays()
    return {"epoch": keyframe.epoch, "activations": list(keyframe.activations),
            "weights": [w.tolist() for w in weights], "biases": [b.tolist() for b in biases]}


def session_to_json(session: Session) -> str:
    """The session as JSON text; EngineError if it would not load back."""
    try:
        doc = _document(session)
    except (TypeError, ValueError, OverflowError) as problem:
        raise EngineError(f"cannot save the session: {problem}") from None
    _session(doc, "session")
    return jsonio.dump(doc) + "\n"


def session_from_json(text: str, source: str = "<session>") -> Session:
    """Parse a session's JSON text; DataError naming ``source`` on any problem."""
    return _session(jsonio.parse_json(text, source), source)


def save_session(path: str | os.PathLike[str], session: Session) -> None:
    """Write a session file atomically (a temporary file, then a rename)."""
    write_text_atomically(path, session_to_json(session))


def load_session(path: str | os.PathLike[str]) -> Session:
    """Read a session file; DataError naming the file on any problem."""
    return session_from_json(read_text(path), os.fspath(path))


def load_model(path: str | os.PathLike[str]) -> tuple[Network, list[str]]:
    """A model file (``train --save-model``) or a session's model: (network, its input features)."""
    name = os.fspath(path)
    doc = jsonio.parse_json(read_text(path), name)
    if isinstance(doc, dict) and doc.get("format") == SESSION_FORMAT:
        session = _session(doc, name)
        if session.model is None:
            raise DataError(f"{name}: the session has no trained weights (its model is null)")
        return Network.from_dict(session.model), list(session.features)
    return _model(doc, name)


def load_json(path: str | os.PathLike[str]) -> tuple[str, Any]:
    """A session or a model file, told apart by its format: ("session", Session) or ("model", (net, features))."""
    name = os.fspath(path)
    doc = jsonio.parse_json(read_text(path), name)
    if isinstance(doc, dict) and doc.get("format") == SESSION_FORMAT:
        return "session", _session(doc, name)
    return "model", _model(doc, name)


def _model(doc: Any, name: str) -> tuple[Network, list[str]]:
    net = _network(doc, name, "the model")
    jsonio.require(doc, ("features",), name, "the model")
    features = jsonio.names(doc["features"], name, "feature", FEATURES)
    try:
        check_features(features)
    except EngineError as problem:
        raise DataError(f"{name}: {problem}") from None
    if len(features) != net.layer_sizes[0]:
        raise DataError(f"{name}: {len(features)} features for a network of {net.layer_sizes[0]} inputs")
    return net, list(features)
