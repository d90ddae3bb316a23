"""A live training session driven by commands, publishing snapshots (no Qt).

The window runs ``serve`` in a spawned child process: it has its own interpreter and
GIL, so training never competes with painting. ``LiveSession`` holds the state and
obeys commands, one at a time and in order; ``serve`` adds the loop, the pacing and
the publishing schedule. Both are plain Python, so tests drive them directly.

A command is a tuple ``(seq, name, *args)``; every snapshot carries the ``seq`` of the
last command applied, so the window can tell when a change has taken effect.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from engine import maps, palette
from engine.errors import EngineError
from engine.explain import GradientCheck, gradient_check
from engine.features import DEFAULT_FEATURES, check_features, transform
from engine.network import Network
from engine.trainer import Trainer

SNAPSHOT_PERIOD = 1.0 / 60.0  # at most 60 snapshots a second
MAP_RESOLUTION = 100  # decision map cells per side
NEURON_STRIDE = 2  # neuron maps are the decision grid taken every 2nd cell: 50 x 50
FLOAT32_MAX = float(np.finfo(np.float32).max)
GRADIENT_SAMPLE = 5000  # training points over which the gradient-flow norms are measured
LEVEL_MAX = 254  # neuron map levels run 0..254 for activations -1..1; 255 is "no neuron"


def to_levels(values: np.ndarray) -> np.ndarray:
    """Activations -> uint8 levels: -1 -> 0, 0 -> 127, 1 -> 254 (clipped outside [-1, 1])."""
    levels = np.clip(np.nan_to_num(values), -1.0, 1.0)
    levels += 1.0
    levels *= LEVEL_MAX / 2.0
    return np.rint(levels).astype(np.uint8)


@dataclass(frozen=True)
class Settings:
    """Training settings that change without resetting the weights."""

    learning_rate: float = 0.03
    optimizer: str = "sgd"
    batch_size: int = 10
    regularization: str | None = None
    reg_rate: float = 0.0
    speed: float | None = None  # epochs per second; None = as fast as it goes
    discretize: bool = False


@dataclass(frozen=True)
class Architecture:
    """The network's shape: changing it builds a new network with fresh weights."""

    hidden: tuple[int, ...] = (4, 2)
    activations: tuple[str, ...] = ("tanh", "tanh")
    features: tuple[str, ...] = DEFAULT_FEATURES
    regression: bool = False


@dataclass(frozen=True)
class Snapshot:
    """What the window draws, as new read-only arrays. Maps have row 0 at the bottom (y = low)."""

    seq: int
    run: int  # increases whenever the weights start over (reset, new shape, new task)
    epoch: int
    playing: bool
    diverged: bool
    task: str
    layer_sizes: tuple[int, ...]
    activations: tuple[str, ...]
    features: tuple[str, ...]
    step_surrogate: bool
    bounds: tuple[float, float]
    train_loss: float | None
    test_loss: float | None
    train_accuracy: float | None
    test_accuracy: float | None
    history_epochs: np.ndarray  # (k,) epochs finished since the previous snapshot
    history_train: np.ndarray  # (k,)
    history_test: np.ndarray  # (k,) NaN where there is no test set
    gradient_norms: tuple[float, ...]  # per layer, ||dJ/dW^l|| over all training points, now
    weights: tuple[np.ndarray, ...]
    biases: tuple[np.ndarray, ...]
    decision_rgb: np.ndarray  # (R, R, 3) uint8
    focus: tuple[int, int] | None  # (layer, neuron) shown on the canvas instead of the output
    neuron_levels: tuple[np.ndarray, ...]  # per layer 1..L: (size_l, r, r) uint8 levels
    epochs_per_second: float
    n_train: int
    n_test: int
    settings: Settings  # the training settings in force
    message: str = ""  # the last command's error, if it was refused
    gradient_check: GradientCheck | None = None  # the answer to a "gradient_check" command


def freeze(snapshot: Snapshot) -> Snapshot:
    """Make every array in ``snapshot`` read-only again (unpickling makes copies writeable)."""
    for value in snapshot.__dict__.values():
        for array in value if isinstance(value, tuple) else (value,):
            if isinstance(array, np.ndarray):
                array.flags.writeable = False
    return snapshot


def _frozen(array: np.ndarray) -> np.ndarray:
    array = np.array(array, copy=True)
    array.flags.writeable = False
    return array


@dataclass
class _History:
    epochs: list[int] = field(default_factory=list)
    train: list[float] = field(default_factory=list)
    test: list[float] = field(default_factory=list)

    def take(self) -> tuple[np.ndarray, ...]:
        out = (
            _frozen(np.array(self.epochs, dtype=np.int64)),
            _frozen(np.array(self.train, dtype=np.float64)),
            _frozen(np.array(self.test, dtype=np.float64)),
        )
        self.epochs.clear()
        self.train.clear()
        self.test.clear()
        return out


class LiveSession:
    """The state of a live session and the command handlers that change it."""

    def __init__(self, seed: int = 0) -> None:
        self.seed = seed
        self.settings = Settings()
        self.arch = Architecture()
        self.step_surrogate = False
        self.points = np.zeros((0, 2))
        self.labels = np.zeros(0, dtype=np.int64)
        self.test_mask = np.zeros(0, dtype=bool)
        self.bounds = maps.Bounds()
        self.focus: tuple[int, int] | None = None
        self.playing = False
        self.diverged = False
        self.seq = 0
        self.run = 0
        self.message = ""
        self._losses: tuple[float, float | None] | None = None  # losses of the current weights, if known
        self.check_result: GradientCheck | None = None
        self.history = _History()
        self.epochs_per_second = 0.0
        self._grid_cache: tuple[Any, np.ndarray] | None = None
        self._build()

    # ------------------------------------------------------------------ building
    @property
    def task(self) -> str:
        """binary, multiclass or regression: from the architecture and the labels."""
        if self.arch.regression:
            return "regression"
        classes = int(self.labels.max()) + 1 if len(self.labels) else 2
        return "multiclass" if classes >= 3 else "binary"

    def _outputs(self) -> int:
        return int(self.labels.max()) + 1 if self.task == "multiclass" else 1

    def _build(self) -> None:
        """A new network (fresh weights) for the current architecture, task and data."""
        sizes = [len(self.arch.features), *self.arch.hidden, self._outputs()]
        self.run_seed = self.seed + self.run
        self.net = Network(
            sizes, list(self.arch.activations), self.task, seed=self.run_seed,
            step_surrogate=self.step_surrogate,
        )
        self.trainer = Trainer(self.net, seed=self.run_seed)
        self._apply_settings()
        self.eval_net = Network(sizes, list(self.arch.activations), self.task, dtype="float32")
        self.last_finite = self.net.params.copy()
        self.epoch = 0
        self.run += 1
        self.diverged = False
        self.history = _History()
        self._split()

    def _apply_settings(self) -> None:
        s = self.settings
        self.trainer.learning_rate = s.learning_rate
        self.trainer.optimizer = s.optimizer
        self.trainer.batch_size = s.batch_size
        self.trainer.regularization = s.regularization
        self.trainer.reg_rate = s.reg_rate

    def _split(self) -> None:
        features = list(self.arch.features)
        train = ~self.test_mask
        labels = self.labels if self.task != "regression" else self.labels.astype(np.float64)
        self.X_train = transform(self.points[train], features)
        self.y_train = labels[train]
        self.X_test = transform(self.points[self.test_mask], features)
        self.y_test = labels[self.test_mask]

    # ------------------------------------------------------------------ commands
    def handle(self, message: Sequence[Any]) -> None:
        """Apply one command ``(seq, name, *args)``; a refused one leaves the session as it was."""
        seq, name, *args = message
        self.seq = seq
        self.message = ""
        self._losses = None  # a command may change weights or data: measure afresh
        try:
            getattr(self, f"_on_{name}")(*args)
        except (EngineError, ValueError, TypeError, AttributeError) as problem:
            self.message = f"{name}: {problem}"

    def _on_play(self) -> None:
        self.playing = bool(len(self.y_train))
        self.diverged = False

    def _on_pause(self) -> None:
        self.playing = False

    def _on_step(self, epochs: int = 1) -> None:
        self.playing = False
        for _ in range(epochs):
            if not self.train_epoch():
                break

    def _on_reset(self) -> None:
        self.playing = False
        self._build()

    def _on_settings(self, changes: dict[str, Any]) -> None:
        candidate = Settings(**{**self.settings.__dict__, **changes})
        old = self.settings
        self.settings = candidate
        try:
            self._apply_settings()
        except EngineError:
            self.settings = old
            self._apply_settings()
            raise

    def _on_architecture(self, changes: dict[str, Any]) -> None:
        arch = Architecture(**{**self.arch.__dict__, **{k: tuple(v) if isinstance(v, list) else v
                                                       for k, v in changes.items()}})
        check_features(arch.features)
        if len(arch.hidden) != len(arch.activations):
            raise EngineError("one activation per hidden layer is needed")
        if not all(1 <= size <= 64 for size in arch.hidden) or len(arch.hidden) > 8:
            raise EngineError("0 to 8 hidden layers of 1 to 64 neurons")
        old = self.arch
        self.arch = arch
        try:
            self._build()
        except EngineError:
            self.arch = old
            self._build()
            raise
        self.focus = None

    def _on_activation(self, activations: Sequence[str]) -> None:
        """Change the hidden activations and keep the weights (so step visibly stops learning)."""
        self.net.set_activation(list(activations))
        self.eval_net.set_activation(list(activations))
        self.arch = Architecture(**{**self.arch.__dict__, "activations": tuple(activations)})

    def _on_surrogate(self, on: bool) -> None:
        self.step_surrogate = bool(on)
        self.net.step_surrogate = self.step_surrogate

    def _on_data(self, points: np.ndarray, labels: np.ndarray, test_mask: np.ndarray,
                 bounds: tuple[float, float]) -> None:
        points = np.asarray(points, dtype=np.float64).reshape(-1, 2)
        if len(labels) != len(points) or len(test_mask) != len(points):
            raise EngineError("points, labels and test mask differ in length")
        old_task, old_outputs = self.task, self._outputs()
        self.points = points
        self.labels = np.asarray(labels, dtype=np.float64 if self.arch.regression else np.int64)
        self.test_mask = np.asarray(test_mask, dtype=bool)
        self.bounds = maps.Bounds(*bounds)
        if self.task != old_task or self._outputs() != old_outputs:
            self._build()  # a new class appeared (or vanished): a new output layer
        else:
            self._split()
        if not len(self.y_train):
            self.playing = False

    def _on_gradient_check(self) -> None:
        """Compare backprop with finite differences on (up to 200 of) the training points."""
        if not len(self.y_train):
            raise EngineError("there are no training points to check the gradients on")
        self.check_result = gradient_check(self.net, self.X_train[:200], self.y_train[:200])

    def _on_focus(self, focus: tuple[int, int] | None) -> None:
        self.focus = None if focus is None else (int(focus[0]), int(focus[1]))

    def _on_load_weights(self, weights: Sequence[Any], biases: Sequence[Any], epoch: int) -> None:
        """Continue from saved weights (an opened session or model) at epoch ``epoch``."""
        self.net.set_parameters(weights, biases)
        self.trainer = Trainer(self.net, seed=self.run_seed)  # fresh optimizer state
        self._apply_settings()
        self.last_finite[...] = self.net.params
        self.epoch = int(epoch)
        self.run += 1  # the window's history starts over (and is refilled from the file)
        self.history = _History()
        self.diverged = False
        self.playing = False

    def _on_set_weight(self, layer: int, i: int, j: int, value: float) -> None:
        if not math.isfinite(value):
            raise EngineError("a weight must be a finite number")
        self.net.weights[layer][i, j] = value
        self.last_finite[...] = self.net.params

    def _on_set_bias(self, layer: int, j: int, value: float) -> None:
        if not math.isfinite(value):
            raise EngineError("a bias must be a finite number")
        self.net.biases[layer][j] = value
        self.last_finite[...] = self.net.params

    # ------------------------------------------------------------------ training
    def train_epoch(self) -> bool:
        """One epoch; on a non-finite loss keep the last finite weights, pause, and say so."""
        if not len(self.y_train):
            self.playing = False
            return False
        with np.errstate(all="ignore"):
            train_loss = self.trainer.epoch(self.X_train, self.y_train)
            test_loss = self.net.loss(self.X_test, self.y_test) if len(self.y_test) else math.nan
        if not math.isfinite(train_loss) or not np.all(np.isfinite(self.net.params)):
            self.net.params[...] = self.last_finite
            self.playing = False
            self.diverged = True
            return False
        self.last_finite[...] = self.net.params
        self.epoch += 1
        self.history.epochs.append(self.epoch)
        self.history.train.append(train_loss)
        self.history.test.append(test_loss)
        self._losses = (train_loss, None if math.isnan(test_loss) else test_loss)  # the snapshot reuses them
        return True

    # ------------------------------------------------------------------ snapshot
    def _grid_inputs(self) -> np.ndarray:
        key = (self.bounds, self.arch.features)
        if self._grid_cache is None or self._grid_cache[0] != key:
            cells = maps.grid(self.bounds, MAP_RESOLUTION)
            self._grid_cache = (key, transform(cells, self.arch.features, np.float32))
        return self._grid_cache[1]

    def _full_gradient_norms(self) -> tuple[float, ...]:
        """||dJ/dW^l|| of the whole training set's loss: smooth, unlike one mini-batch's, and
        exactly zero below a step layer. Measured once per snapshot, not per epoch."""
        if not len(self.y_train):
            return (0.0,) * self.net.n_layers
        n = GRADIENT_SAMPLE  # enough points for a faithful norm; keeps 60 snapshots a second cheap
        with np.errstate(all="ignore"):  # a blown-up network's norms may overflow to inf: that is the truth
            weight_grads, _ = self.net.gradients(self.X_train[:n], self.y_train[:n])
            return tuple(float(np.sqrt(np.sum(g * g))) for g in weight_grads)

    def snapshot(self) -> Snapshot:
        """Everything the window draws, computed now from the current weights."""
        net = self.net
        with np.errstate(all="ignore"):  # weights beyond float32's range become its largest value
            np.clip(net.params, -FLOAT32_MAX, FLOAT32_MAX, out=self.eval_net.params, casting="same_kind")
        r = MAP_RESOLUTION
        with np.errstate(all="ignore"):
            acts = self.eval_net.activations(self._grid_inputs())
            if self._losses is not None:  # the last epoch measured them on these very weights
                train_loss, test_loss = self._losses
            else:
                train_loss = net.loss(self.X_train, self.y_train) if len(self.y_train) else None
                test_loss = net.loss(self.X_test, self.y_test) if len(self.y_test) else None
            # a blown-up network's outputs overflow on the way: its accuracy is still what it is
            train_accuracy = net.accuracy(self.X_train, self.y_train)
            test_accuracy = net.accuracy(self.X_test, self.y_test)
        layers = [a.reshape(r, r, -1) for a in acts]
        focus = self.focus
        if focus is not None and 0 <= focus[0] < len(layers) and 0 <= focus[1] < layers[focus[0]].shape[2]:
            lut = palette.diverging_lut(strength=0.8)
            decision = lut[to_levels(layers[focus[0]][:, :, focus[1]]).astype(np.intp) * 255 // LEVEL_MAX]
        else:
            focus = None
            decision = palette.map_rgb(self.task, layers[-1], self.settings.discretize)
        neuron_levels = tuple(
            _frozen(to_levels(a[::NEURON_STRIDE, ::NEURON_STRIDE].transpose(2, 0, 1)))
            for a in layers[1:]
        )
        h_epochs, h_train, h_test = self.history.take()
        self.check_result, check = None, self.check_result
        return Snapshot(
            seq=self.seq, run=self.run, epoch=self.epoch, playing=self.playing,
            diverged=self.diverged, task=self.task, layer_sizes=tuple(net.layer_sizes),
            activations=tuple(net.activation_names), features=tuple(self.arch.features),
            step_surrogate=self.step_surrogate, bounds=(self.bounds.low, self.bounds.high),
            train_loss=train_loss, test_loss=test_loss,
            train_accuracy=train_accuracy, test_accuracy=test_accuracy,
            history_epochs=h_epochs, history_train=h_train, history_test=h_test,
            gradient_norms=self._full_gradient_norms(),
            weights=tuple(_frozen(w) for w in net.weights),
            biases=tuple(_frozen(b) for b in net.biases),
            decision_rgb=_frozen(decision), focus=focus, neuron_levels=neuron_levels,
            epochs_per_second=self.epochs_per_second,
            n_train=len(self.y_train), n_test=len(self.y_test), settings=self.settings,
            message=self.message, gradient_check=check,
        )


class _Pacer:
    """Keeps training at ``speed`` epochs per second (None: as fast as it goes) and measures the rate."""

    def __init__(self) -> None:
        self.restart()
        self.rate_start, self.rate_epochs = time.perf_counter(), 0

    def restart(self) -> None:
        """Training (re)started: count from now."""
        self.start, self.done = time.perf_counter(), 0

    def due(self, speed: float | None) -> bool:
        """Whether the next epoch may run now."""
        return speed is None or self.done < speed * (time.perf_counter() - self.start)

    def count(self) -> None:
        """One epoch was trained."""
        self.done += 1
        self.rate_epochs += 1

    def rate(self, session: LiveSession) -> None:
        """Update the session's epochs per second about twice a second."""
        now = time.perf_counter()
        if not session.playing:
            session.epochs_per_second = 0.0
            self.rate_start, self.rate_epochs = now, 0
        elif now - self.rate_start >= 0.5:
            session.epochs_per_second = self.rate_epochs / (now - self.rate_start)
            self.rate_start, self.rate_epochs = now, 0


def _train_slice(session: LiveSession, pacer: _Pacer, seconds: float = 0.008) -> None:
    """Train for a short slice, so commands are never kept waiting long."""
    slice_end = time.perf_counter() + seconds
    while session.playing and time.perf_counter() < slice_end:
        if not pacer.due(session.settings.speed):
            time.sleep(0.002)
        elif session.train_epoch():
            pacer.count()


def serve(commands, snapshots, seed: int = 0) -> None:
    """The child process's loop: obey commands in order, train while playing, publish snapshots.

    ``commands`` and ``snapshots`` are the two ends of one-way pipes. Returns on a
    ``stop`` command or when the window's end of the command pipe closes. An unexpected
    error pauses training and is reported in the next snapshot; it never ends the loop.
    """
    session = LiveSession(seed)
    pacer = _Pacer()
    next_emit = 0.0
    dirty = True
    try:
        while True:
            # Block for the next command only when idle and up to date; while training, just peek.
            wait = 0.0 if session.playing or dirty else None
            while commands.poll(wait):
                message = commands.recv()
                if message[1] == "stop":
                    return
                was_playing = session.playing
                session.handle(message)
                if session.playing and not was_playing:
                    pacer.restart()
                dirty, wait = True, 0.0
            try:
                if session.playing:
                    _train_slice(session, pacer)
                    dirty = True
                pacer.rate(session)
                now = time.perf_counter()
                if dirty and now >= next_emit:
                    snapshots.send(session.snapshot())
                    next_emit = max(next_emit + SNAPSHOT_PERIOD, now)
                    dirty = False
                elif dirty and not session.playing:
                    time.sleep(max(0.0, next_emit - now))
            except (EOFError, BrokenPipeError, OSError):
                raise
            except Exception as problem:  # noqa: BLE001 - report it, keep serving
                session.playing = False
                session.message = f"The trainer met an unexpected error and paused: {problem!r}"
                dirty = True
    except (EOFError, BrokenPipeError, OSError, KeyboardInterrupt):
        return
    finally:
        snapshots.close()
