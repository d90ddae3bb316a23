"""The controller: owns the training process; its public methods send commands, in order.

It watches the window's two models: the data (``DataModel``) and the configuration
(``ConfigModel``: one ``Architecture``, one ``Settings``, sent as they are whenever
they change). It keeps the latest snapshot the trainer published; the window draws from
``take_fresh()`` on its display timer. Data edits are coalesced (a brush stroke sends
the data at most every 30 ms), but any other command first flushes pending data, so
commands still reach the trainer in order.
"""

from __future__ import annotations

import time

import numpy as np
from PySide6.QtCore import QObject, QTimer, Signal

from engine.commands import (
    UNEXPECTED,
    ApplyArchitecture,
    ApplySettings,
    Command,
    Pause,
    Play,
    Reset,
    SetBias,
    SetData,
    SetFocus,
    SetSurrogate,
    SetWeight,
    ShowSpace,
    Step,
)
from engine.config import Settings
from engine.keyframes import Keyframe, KeyframeStore
from engine.layer_space import SpaceChoice
from engine.maps import Bounds, view_bounds
from engine.snapshot import Snapshot
from gui.config_model import ConfigModel, Configuration
from gui.data_model import DataModel
from gui.series import GrowingSeries
from gui.worker import TrainingProcess

DATA_FLUSH_MS = 30


class Controller(QObject):
    """Commands to the trainer and the snapshots that come back."""

    # Emitted (GUI thread) after the trainer process died and a new one took over (weights start over).
    trainer_restarted = Signal()
    # Emitted (GUI thread) with an engine.explain.GradientCheck when a gradient check finished.
    gradient_checked = Signal(object)
    # Emitted (GUI thread) with each snapshot once it is the latest (compare mode aligns two runs by it).
    snapshot_arrived = Signal(object)
    # Emitted with the new setting whenever set_surrogate is called (compare mode's run B follows A's).
    surrogate_changed = Signal(bool)

    def __init__(self, model: DataModel, config: ConfigModel, seed: int = 0, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.config = config
        self.bounds = Bounds()
        self.latest: Snapshot | None = None
        self.live: Snapshot | None = None  # the latest snapshot of the live network (not of a replayed keyframe)
        self.keyframes = KeyframeStore()  # the current run's recorded weights, for replay and sessions
        self._fresh = False
        self.losses = GrowingSeries(3)  # epoch, train loss, test loss
        self.gradients: GrowingSeries | None = None  # epoch, then one norm per layer
        self.trainer_errors: list[str] = []  # unexpected errors the trainer survived (for tests and bug reports)
        self._run = -1
        # What the run that command ``seq`` starts shows at once: (history, seq, keyframes, gradient norms).
        self._pending_history: tuple[np.ndarray, int, tuple[Keyframe, ...], np.ndarray | None] | None = None
        self._seed = seed
        self._surrogate = False
        self._space: SpaceChoice | None = None  # the layer-space view's choice while it is open
        self._closing = False
        self.restarts = 0
        self.process = self._start_process()
        self._data_timer = QTimer(self)
        self._data_timer.setSingleShot(True)
        self._data_timer.setInterval(DATA_FLUSH_MS)
        self._data_timer.timeout.connect(self.flush_data)
        self._data_pending = False
        model.changed.connect(self._on_data_change)
        config.changed.connect(self._on_config_change)
        self._send_config()

    def _start_process(self, first_seq: int = 0) -> TrainingProcess:
        process = TrainingProcess(self._seed, self, on_snapshot=self._on_snapshot, first_seq=first_seq,
                                  take_started=first_seq == 0 and self.restarts == 0)
        process.stopped.connect(self._on_process_stop)
        return process

    def _on_process_stop(self) -> None:
        """The trainer's stream ended: expected at close; otherwise start a new trainer."""
        if self._closing:
            return
        old = self.process
        old.close()
        old.deleteLater()  # the old receiver thread and pipes go with it
        self.restarts += 1
        self.process = self._start_process(first_seq=old.last_seq)
        self._send_config()
        if self._surrogate:
            self.process.send(SetSurrogate(True))
        if self._space is not None:
            self.process.send(ShowSpace(self._space))
        self.flush_data()
        self.trainer_restarted.emit()

    # ------------------------------------------------------------------ sending
    def send(self, command: Command) -> int:
        """Send a command after any pending data edit; returns its sequence number."""
        if self._data_pending:
            self.flush_data()
        return self.process.send(command)

    def _send_config(self) -> None:
        """The whole configuration, to a trainer that has just started."""
        self.process.send(ApplyArchitecture(self.config.architecture))
        if self.config.settings != Settings():
            self.process.send(ApplySettings(self.config.settings))

    def _on_config_change(self, before: Configuration, after: Configuration) -> None:
        # A new shape builds fresh weights; new activations alone keep them (the trainer tells).
        if after.architecture != before.architecture:
            self.send(ApplyArchitecture(after.architecture))
        if after.settings != before.settings:
            self.send(ApplySettings(after.settings))

    def _on_data_change(self) -> None:
        self.bounds = view_bounds(self.model.points)
        self._data_pending = True
        if not self._data_timer.isActive():
            self._data_timer.start()

    def flush_data(self) -> int:
        """Send the current points now (normally done 30 ms after an edit)."""
        self._data_timer.stop()
        self._data_pending = False
        m = self.model
        labels = m.labels if m.regression else m.labels.astype(np.int64)
        return self.process.send(SetData(m.points, labels, m.test_mask, (self.bounds.low, self.bounds.high)))

    def sync(self) -> int:
        """Send any pending data now; returns the sequence number of the last command sent."""
        if self._data_pending:
            self.flush_data()
        return self.process.last_seq

    def play(self) -> int:
        """Start training continuously."""
        return self.send(Play())

    def pause(self) -> int:
        """Stop training after the current epoch."""
        return self.send(Pause())

    def step(self, epochs: int = 1) -> int:
        """Train exactly ``epochs`` epochs, then pause."""
        return self.send(Step(epochs))

    def reset(self) -> int:
        """New initial weights for the same network and data."""
        return self.send(Reset())

    def set_focus(self, focus: tuple[int, int] | None) -> int:
        """Show neuron ``(l, j)``'s map on the canvas instead of the output (None: the output)."""
        return self.send(SetFocus(focus))

    def set_space(self, choice: SpaceChoice | None) -> int:
        """Have the trainer compute this layer space in every snapshot (None: stop, the view closed)."""
        self._space = choice
        return self.send(ShowSpace(choice))

    def set_surrogate(self, on: bool) -> int:
        """Let step layers pass a smooth step's slope backwards (a heuristic), or not."""
        self._surrogate = bool(on)
        seq = self.send(SetSurrogate(bool(on)))
        self.surrogate_changed.emit(self._surrogate)
        return seq

    @property
    def surrogate(self) -> bool:
        """Whether this run's step layers pass the surrogate gradient (as last set; a new trainer gets it too)."""
        return self._surrogate

    def set_weight(self, layer: int, i: int, j: int, value: float) -> int:
        """Set the weight from neuron i of layer ``layer - 1`` to neuron j of ``layer`` (1 = first hidden)."""
        return self.send(SetWeight(layer, i, j, float(value)))

    def set_bias(self, layer: int, j: int, value: float) -> int:
        """Set the bias of neuron j of layer ``layer`` (1 = the first hidden layer)."""
        return self.send(SetBias(layer, j, float(value)))

    # ---------------------------------------------------------------- receiving
    def _on_snapshot(self, snap: Snapshot) -> None:
        if snap.run != self._run:
            self._run = snap.run
            self.losses.clear()
            self.keyframes.clear()
            self.gradients = GrowingSeries(1 + len(snap.gradient_norms))
            pending = self._pending_history
            if pending is not None and snap.seq >= pending[1]:
                history = pending[0]
                if len(history):
                    self.losses.extend(history[:, 0], history[:, 1], history[:, 2])
                self.keyframes.replace(k for k in pending[2] if k.layer_sizes == snap.layer_sizes)
                norms = pending[3]
                if norms is not None and norms.shape[0] == self.gradients.columns:
                    self.gradients.extend(*norms)
                self._pending_history = None
        if snap.keyframes:
            self.keyframes.add(snap.keyframes)
        if len(snap.history_epochs):
            self.losses.extend(snap.history_epochs, snap.history_train, snap.history_test)
        self._record_gradients(snap)
        if snap.message.startswith(UNEXPECTED) and (not self.trainer_errors or self.trainer_errors[-1] != snap.message):
            self.trainer_errors.append(snap.message)
        if snap.gradient_check is not None:
            self.gradient_checked.emit(snap.gradient_check)
        self.latest = snap
        if not snap.replay:
            self.live = snap
        self._fresh = True
        self.snapshot_arrived.emit(snap)

    def _record_gradients(self, snap: Snapshot) -> None:
        """One row of gradient norms per epoch; a new measurement at the same epoch replaces the row.

        The trainer measures the gradient afresh in every snapshot, so after an activation change
        (a switch to step, even while paused) the row says what the network now in force gets.
        Only norms measured on training points count: with no points the trainer reports zeros,
        and the plot must never claim "exactly zero" for a gradient nobody measured.
        """
        gradients = self.gradients
        if gradients is None or snap.n_train <= 0 or len(snap.gradient_norms) + 1 != gradients.columns:
            return
        if gradients.size and snap.epoch == gradients.column(0)[-1]:
            last = tuple(float(gradients.column(k)[-1]) for k in range(1, gradients.columns))
            if last != snap.gradient_norms:
                gradients.replace_last(float(snap.epoch), *snap.gradient_norms)
        elif not gradients.size or snap.epoch > gradients.column(0)[-1]:
            gradients.extend(np.array([snap.epoch]), *(np.array([norm]) for norm in snap.gradient_norms))

    @property
    def run(self) -> int:
        """The trainer's run the latest snapshot belongs to (it changes whenever the weights start over)."""
        return self._run

    def restore_history(self, history: np.ndarray, seq: int, keyframes: tuple[Keyframe, ...] = (),
                        gradients: np.ndarray | None = None) -> None:
        """Show ``history (k, 3)`` (epoch, train, test) as the loss curves of the run command ``seq`` starts,
        replay ``keyframes`` in it, and show ``gradients`` (columns: epoch, one norm per layer) if given."""
        self._pending_history = (np.asarray(history, dtype=np.float64).reshape(-1, 3), seq, tuple(keyframes),
                                 gradients)

    def take_fresh(self) -> Snapshot | None:
        """The latest snapshot if it arrived since the last call, else None (the caller draws it:
        the trainer hears so, and holds no more snapshots back for it)."""
        if not self._fresh or self.latest is None:
            return None
        self._fresh = False
        self.process.report_drawn(self.latest.serial)
        return self.latest

    def wait_until(self, condition, timeout: float = 60.0) -> bool:
        """Process events until ``condition(latest)`` holds (for tests and screenshots)."""
        from PySide6.QtCore import QCoreApplication

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            QCoreApplication.processEvents()
            if self.latest is not None and condition(self.latest):
                return True
            time.sleep(0.002)
        return False

    def close(self) -> None:
        """Stop the trainer process and its receiver thread."""
        self._closing = True
        self._data_timer.stop()
        self.process.close()
