"""A live training session driven by commands, publishing snapshots (no Qt).

The window runs ``serve`` in a spawned child process: it has its own interpreter and
GIL, so training never competes with painting. ``LiveSession`` holds the state and
obeys commands (``engine.commands``), one at a time and in order; ``engine.live_loop.serve``
adds the loop, the pacing and the publishing schedule. Both are plain Python, so tests
drive them directly.

The pipe carries ``(seq, command)`` pairs; every snapshot (``engine.snapshot``) carries
the ``seq`` of the last command applied, so the window can tell when a change has taken
effect. A refused command leaves the session as it was and says why in the next
snapshot's ``message``; so does a command that fails unexpectedly (it is never retried).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, Protocol, TypeVar

import numpy as np

from engine import limits, maps, palette
from engine.commands import (
    ApplyArchitecture,
    ApplySettings,
    CheckGradients,
    Command,
    HoldAt,
    LoadWeights,
    Pause,
    Play,
    RecordAt,
    Reset,
    SetBias,
    SetData,
    SetFocus,
    SetSurrogate,
    SetWeight,
    ShowKeyframe,
    ShowSpace,
    Step,
    Stop,
    UnknownCommand,
    name_of,
)
from engine.config import Architecture, Settings
from engine.errors import EngineError
from engine.explain import GradientCheck, gradient_check
from engine.features import transform
from engine.keyframes import Keyframe, KeyframeRecorder
from engine.layer_space import LiveSpace
from engine.live_passes import Passes, accuracy, neuron_levels
from engine.network import Network
from engine.snapshot import LEVEL_MAX, MAP_RESOLUTION, NEURON_STRIDE, History, Snapshot, freeze, frozen, to_levels
from engine.trainer import Trainer

__all__ = [  # the snapshot and configuration types are re-exported: callers may import them from here
    "Architecture", "LEVEL_MAX", "LiveSession", "MAP_RESOLUTION", "NEURON_STRIDE", "Settings", "Snapshot",
    "freeze", "to_levels",
]

FLOAT32_MAX = float(np.finfo(np.float32).max)
GRADIENT_SAMPLE = 5000  # training points over which the gradient-flow norms are measured


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
        self.hold_at: int | None = None  # while playing, train no further than this epoch (compare mode)
        self.diverged = False
        self.seq = 0
        self.run = 0
        self.message = ""
        self._losses: tuple[float, float | None] | None = None  # losses of the current weights, if known
        self.check_result: GradientCheck | None = None
        self.history = History()
        self.epochs_per_second = 0.0
        self.publish_share = 0.0  # of the trainer's time, spent on snapshots (measured by the loop)
        self.published = 0  # snapshots made so far: the last one's serial number
        self.passes = Passes()  # listed once, replayed every epoch and snapshot (engine.live_passes)
        self.space = LiveSpace()  # computed only while the window's layer-space view is open
        self.recorder = KeyframeRecorder()
        # While the window replays: the keyframe shown, as a float64 network and a float32 one for the maps.
        self.preview: tuple[Keyframe, Network, Network] | None = None
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

    @property
    def held(self) -> bool:
        """Playing, but at the epoch ``HoldAt`` set: wait for the limit to move."""
        return self.playing and self.hold_at is not None and self.epoch >= self.hold_at

    def _build(self, seed: int | None = None) -> None:
        """A new network (fresh weights, from ``seed`` when given) for the current architecture, task and data."""
        sizes = [len(self.arch.features), *self.arch.hidden, self._outputs()]
        self.run_seed = self.seed + self.run if seed is None else seed
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
        self.history = History()
        self.recorder.restart(self.net, 0)
        self.preview = None
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
        # The gradient norms' points (enough for a faithful norm, cheap 60 times a second), kept as one array
        self._gradient_x, self._gradient_y = self.X_train[:GRADIENT_SAMPLE], self.y_train[:GRADIENT_SAMPLE]

    # ------------------------------------------------------------------ commands
    def handle(self, seq: int, command: Command) -> None:
        """Apply one command (refused: nothing changes, ``message`` says why; no handler: ``UnknownCommand``)."""
        handler = _HANDLERS.get(type(command))
        if handler is None:
            raise UnknownCommand(f"no handler for {command!r}: not an engine.commands.Command")
        self.seq = seq
        self.message = ""
        self._losses = None  # a command may change weights or data: measure afresh
        if type(command) not in _KEEP_REPLAY:
            self.preview = None  # anything that trains or changes the network goes back to the live one
        try:
            handler(self, command)
        except (ValueError, ArithmeticError) as problem:  # EngineError is a ValueError
            self.message = f"{name_of(command)}: {problem}"

    def _play(self, _command: Play) -> None:
        self.playing = bool(len(self.y_train))
        self.diverged = False

    def _pause(self, _command: Pause) -> None:
        self.playing = False

    def _step(self, command: Step) -> None:
        self.playing = False
        for _ in range(command.epochs):
            if not self.train_epoch():
                break

    def _reset(self, command: Reset) -> None:
        self.playing = False
        self._build(command.seed)

    def _hold_at(self, command: HoldAt) -> None:
        if command.epoch is not None and not 0 <= command.epoch <= limits.MAX_EPOCH:
            raise EngineError(f"epoch must be from 0 to {limits.MAX_EPOCH}, got {command.epoch}")
        self.hold_at = command.epoch

    def _apply_settings_command(self, command: ApplySettings) -> None:
        old = self.settings
        self.settings = command.settings
        try:
            self._apply_settings()
        except BaseException:
            self.settings = old
            self._apply_settings()
            raise

    def _apply_architecture(self, command: ApplyArchitecture) -> None:
        arch = command.architecture
        arch.check()
        if arch.shape() == self.arch.shape():
            # Only the activations changed: keep the weights (so step visibly stops learning).
            self.net.set_activation(list(arch.activations))
            self.eval_net.set_activation(list(arch.activations))
            self.arch = arch
            self.recorder.amend(self.net, self.epoch)
            return
        old = self.arch
        self.arch = arch
        try:
            self._build()
        except BaseException:
            self.arch = old
            self._build()
            raise
        self.focus = None

    def _set_surrogate(self, command: SetSurrogate) -> None:
        self.step_surrogate = bool(command.on)
        self.net.step_surrogate = self.step_surrogate

    def _set_data(self, command: SetData) -> None:
        points = np.asarray(command.points, dtype=np.float64).reshape(-1, 2)
        if len(command.labels) != len(points) or len(command.test_mask) != len(points):
            raise EngineError("points, labels and test mask differ in length")
        old_task, old_outputs = self.task, self._outputs()
        self.points = points
        self.labels = np.asarray(command.labels, dtype=np.float64 if self.arch.regression else np.int64)
        self.test_mask = np.asarray(command.test_mask, dtype=bool)
        self.bounds = maps.Bounds(*command.bounds)
        if self.task != old_task or self._outputs() != old_outputs:
            self._build()  # a new class appeared (or vanished): a new output layer
        else:
            self._split()
        if not len(self.y_train):
            self.playing = False

    def _check_gradients(self, _command: CheckGradients) -> None:
        """Compare backprop with finite differences on (up to 200 of) the training points."""
        if not len(self.y_train):
            raise EngineError("there are no training points to check the gradients on")
        with np.errstate(all="ignore"):  # a blown-up network's gradients overflow: the check says so
            self.check_result = gradient_check(self.net, self.X_train[:200], self.y_train[:200])

    def _set_focus(self, command: SetFocus) -> None:
        focus = command.focus
        self.focus = None if focus is None else (int(focus[0]), int(focus[1]))

    def _show_space(self, command: ShowSpace) -> None:
        self.space.choose(command.choice)

    def _load_weights(self, command: LoadWeights) -> None:
        """Continue from saved weights (an opened session or model) at epoch ``epoch``."""
        if not 0 <= command.epoch <= limits.MAX_EPOCH:  # beyond int64 the history could never be sent
            raise EngineError(f"epoch must be from 0 to {limits.MAX_EPOCH}, got {command.epoch}")
        self.net.set_parameters(list(command.weights), list(command.biases))
        self.trainer = Trainer(self.net, seed=self.run_seed)  # fresh optimizer state
        self._apply_settings()
        self.last_finite[...] = self.net.params
        self.epoch = int(command.epoch)
        self.run += 1  # the window's history starts over (and is refilled from the file)
        self.history = History()
        self.recorder.restart(self.net, self.epoch)
        self.diverged = False
        self.playing = False

    def _set_weight(self, command: SetWeight) -> None:
        if not math.isfinite(command.value):
            raise EngineError("a weight must be a finite number")
        if not 1 <= command.layer <= self.net.n_layers:
            raise EngineError(f"there is no layer {command.layer}")
        self.net.weights[command.layer - 1][command.i, command.j] = command.value
        self.last_finite[...] = self.net.params
        self.recorder.amend(self.net, self.epoch)

    def _set_bias(self, command: SetBias) -> None:
        if not math.isfinite(command.value):
            raise EngineError("a bias must be a finite number")
        if not 1 <= command.layer <= self.net.n_layers:
            raise EngineError(f"there is no layer {command.layer}")
        self.net.biases[command.layer - 1][command.j] = command.value
        self.last_finite[...] = self.net.params
        self.recorder.amend(self.net, self.epoch)

    def _show_keyframe(self, command: ShowKeyframe) -> None:
        """Show a recorded keyframe's network (computed like the live one); training waits, its state kept."""
        keyframe = command.keyframe
        if keyframe is None or command.run != self.run:
            self.preview = None  # back to live, or a keyframe of a run that has ended: stay live
            return
        if keyframe.layer_sizes != tuple(self.net.layer_sizes):
            raise EngineError(f"the keyframe is of a {list(keyframe.layer_sizes)} network, "
                              f"not this {self.net.layer_sizes} one")
        if self.preview is None and self.epoch > self.recorder.last_epoch:
            self.recorder.record(self.net, self.epoch)  # the live end, exactly as training paused
        self.playing = False
        self.preview = (keyframe, keyframe.network(self.task, step_surrogate=self.step_surrogate),
                        keyframe.network(self.task, "float32"))

    def _stop(self, _command: Stop) -> None:
        """Nothing to change: ``serve`` ends its loop on ``Stop`` before handling it."""

    # ------------------------------------------------------------------ training
    def train_epoch(self) -> bool:
        """One epoch; on a non-finite loss keep the last finite weights, pause, and say so."""
        if not len(self.y_train):
            self.playing = False
            return False
        with np.errstate(all="ignore"):
            train_loss = self.trainer.epoch(self.X_train, self.y_train)
            test_loss = self.passes.test_loss(self.net, self.X_test, self.y_test) if len(self.y_test) else math.nan
        if not math.isfinite(train_loss) or not np.all(np.isfinite(self.net.params)):
            self.net.params[...] = self.last_finite
            self.playing = False
            self.diverged = True
            self._losses = None  # measured on the weights just thrown away
            return False
        self.last_finite[...] = self.net.params
        self.epoch += 1
        self.recorder.after_epoch(self.net, self.epoch)
        self.history.epochs.append(self.epoch)
        self.history.train.append(train_loss)
        self.history.test.append(test_loss)
        self._losses = (train_loss, None if math.isnan(test_loss) else test_loss)  # the snapshot reuses them
        return True

    # ------------------------------------------------------------------ snapshot
    def _accuracies(self, net: Network) -> tuple[float | None, float | None]:
        """Training and test accuracy of ``net``: the last epoch's logits if of these weights, else a pass."""
        if net is self.net and self._losses is not None:  # the last epoch measured its losses on these weights
            logits = self.passes.test_logits(net, self.X_test) if len(self.y_test) else None
            if logits is not None or not len(self.y_test):
                test = None if logits is None else accuracy(net, logits, self.y_test)
                return accuracy(net, self.trainer.last_logits, self.y_train), test
        return net.accuracy(self.X_train, self.y_train), net.accuracy(self.X_test, self.y_test)

    def _full_gradient_norms(self, net: Network) -> tuple[float, ...]:
        """||dJ/dW^l|| of the whole training set's loss (smooth, exactly zero below a step layer), once a snapshot."""
        if not len(self.y_train):
            return (0.0,) * net.n_layers
        with np.errstate(all="ignore"):  # a blown-up network's norms may overflow to inf: that is the truth
            return self.passes.gradient_norms(net, self._gradient_x, self._gradient_y)

    def snapshot(self) -> Snapshot:
        """Everything the window draws, computed now from the current weights (or the keyframe replayed)."""
        if self.preview is None:
            net, eval_net, epoch = self.net, self.eval_net, self.epoch
            self.recorder.on_publish(net, epoch, self.playing)
            with np.errstate(all="ignore"):  # weights beyond float32's range become its largest value
                np.clip(net.params, -FLOAT32_MAX, FLOAT32_MAX, out=eval_net.params, casting="same_kind")
        else:
            keyframe, net, eval_net = self.preview
            epoch = keyframe.epoch
            with np.errstate(all="ignore"):
                np.clip(net.params, -FLOAT32_MAX, FLOAT32_MAX, out=eval_net.params, casting="same_kind")
        r = MAP_RESOLUTION
        train_loss: float | None
        with np.errstate(all="ignore"):
            grid = self.passes.grid(eval_net, self.bounds, self.arch.features)
            acts = grid.run()  # a^0 .. a^L over the grid, (size_l, r * r)
            if self._losses is not None and self.preview is None:  # the last epoch measured them on these very weights
                train_loss, test_loss = self._losses
            else:
                train_loss = net.loss(self.X_train, self.y_train) if len(self.y_train) else None
                test_loss = net.loss(self.X_test, self.y_test) if len(self.y_test) else None
            # a blown-up network's outputs overflow on the way: its accuracy is still what it is
            train_accuracy, test_accuracy = self._accuracies(net)
        focus = self.focus
        if focus is not None and 0 <= focus[0] < len(acts) and 0 <= focus[1] < acts[focus[0]].shape[0]:
            lut = palette.diverging_lut(strength=0.8)
            values = acts[focus[0]][focus[1]].reshape(r, r)
            decision = lut[to_levels(values).astype(np.intp) * 255 // LEVEL_MAX]
        else:
            focus = None
            decision = palette.map_rgb(self.task, grid.output.reshape(r, r, -1), self.settings.discretize)
        levels = neuron_levels(grid, acts[-1], net.layer_sizes)
        with np.errstate(all="ignore"):
            space = self.space.compute(eval_net, self.arch.features, self.bounds, self.points,
                                       self.labels, self.test_mask, self.run)
        h_epochs, h_train, h_test = self.history.take()
        self.check_result, check = None, self.check_result
        self.published += 1
        return Snapshot(
            seq=self.seq, run=self.run, epoch=epoch, playing=self.playing,
            diverged=self.diverged, task=self.task, layer_sizes=tuple(net.layer_sizes),
            activations=tuple(net.activation_names), features=tuple(self.arch.features),
            step_surrogate=self.step_surrogate, bounds=(self.bounds.low, self.bounds.high),
            train_loss=train_loss, test_loss=test_loss,
            train_accuracy=train_accuracy, test_accuracy=test_accuracy,
            history_epochs=h_epochs, history_train=h_train, history_test=h_test,
            gradient_norms=self._full_gradient_norms(net),
            weights=tuple(frozen(w) for w in net.weights),
            biases=tuple(frozen(b) for b in net.biases),
            decision_rgb=frozen(decision), focus=focus, neuron_levels=levels,
            epochs_per_second=self.epochs_per_second, publish_share=self.publish_share, serial=self.published,
            n_train=len(self.y_train), n_test=len(self.y_test), settings=self.settings,
            message=self.message, gradient_check=check, layer_space=space, held=self.held,
            replay=self.preview is not None, keyframes=self.recorder.take(),
        )


C = TypeVar("C", bound=Command)


class _Handler(Protocol):
    def __call__(self, session: LiveSession, command: Any, /) -> None: ...


def _entry(kind: type[C], handler: Callable[[LiveSession, C], None]) -> tuple[type, _Handler]:
    """One row of the dispatch table; the type checker sees that ``handler`` takes a ``kind``."""
    return kind, handler


# Every command class and the one method that obeys it (a test checks none is missing).
_HANDLERS: dict[type, _Handler] = dict([
    _entry(Play, LiveSession._play),
    _entry(Pause, LiveSession._pause),
    _entry(Step, LiveSession._step),
    _entry(Reset, LiveSession._reset),
    _entry(HoldAt, LiveSession._hold_at),
    _entry(RecordAt, lambda session, command: session.recorder.follow(command.epochs, session.net, session.epoch)),
    _entry(ApplySettings, LiveSession._apply_settings_command),
    _entry(ApplyArchitecture, LiveSession._apply_architecture),
    _entry(SetSurrogate, LiveSession._set_surrogate),
    _entry(SetData, LiveSession._set_data),
    _entry(CheckGradients, LiveSession._check_gradients),
    _entry(SetFocus, LiveSession._set_focus),
    _entry(ShowSpace, LiveSession._show_space),
    _entry(LoadWeights, LiveSession._load_weights),
    _entry(SetWeight, LiveSession._set_weight),
    _entry(SetBias, LiveSession._set_bias),
    _entry(ShowKeyframe, LiveSession._show_keyframe),
    _entry(Stop, LiveSession._stop),
])

# Commands that leave a replayed keyframe on show: they change neither the weights nor the training (a hold limits it).
_KEEP_REPLAY = frozenset({ShowKeyframe, Pause, HoldAt, RecordAt, SetFocus, ShowSpace, ApplySettings, SetSurrogate,
                          SetData})
