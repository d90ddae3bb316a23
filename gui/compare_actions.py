"""Compare mode (View → Compare): a second run B, with its own network, settings and trainer, beside run A.

Run A is the window's own (its controller, controls and network view). Run B is a second
``Controller`` and trainer process on the same ``DataModel``, so every point drawn reaches both,
with the configuration ``compare_model.derive(A's, differences)``. The window's controls act on
A; B follows:

- **Aligned epochs.** B is held (``HoldAt``) at the epoch A last reported, so B never runs ahead
  of A; A is held at B's epoch plus a short lead, so a slower B is waited for. The lead starts
  at ``limits.COMPARE_LEAD_MIN`` epochs and doubles (to ``COMPARE_LEAD_MAX``) each time both
  trainers report that they wait at their holds: then each waits for the other, and the round
  trip of the holds, not B's speed or the chosen pace, is the bottleneck. Play, Pause
  and Step reach B through the holds: B plays whenever it is behind A and stops where A stopped.
- **One gradient rule.** B's step layers use A's surrogate gradient setting (the Training box's
  check box) unless B's differences include it (``compare_model.surrogate_of``).
- **One start.** Whenever either run starts over (Reset, a new shape, a new class, a new
  difference, a restarted trainer), both are reset with one shared seed, so two networks of one
  shape start from the same weights and meet the points in the same order.
- **Replay.** The timeline moves under the panel; B shows the epoch A replays (``gui.compare_replay``).
- **Leaving** keeps A as it is, or puts B's configuration (one undo step), weights and loss
  history into A's trainer.

``ComparePresenter`` takes the window and wires itself: the View menu's entries, the panel
(``gui.compare_view``) in the place of the network view and plots, and File → Export animation,
which then draws both runs side by side.
"""

from __future__ import annotations

import os
import time
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QEvent, QObject, QSignalBlocker, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu

from engine import limits
from engine.commands import HoldAt, LoadWeights, RecordAt, Reset
from engine.errors import EngineError
from engine.maps import view_bounds
from engine.session_file import Session
from engine.snapshot import Snapshot
from gui import session as session_io
from gui.compare_model import (
    a_text,
    check,
    derive,
    differences_text,
    first_difference,
    parse_layers,
    surrogate_of,
)
from gui.compare_replay import CompareReplay
from gui.compare_view import ComparePanel
from gui.config_model import ConfigModel, Configuration
from gui.controller import Controller
from gui.undo import StateCommand

if TYPE_CHECKING:
    from gui.main_window import MainWindow

FRAME_MS = 16  # the panel's display timer, as the window's
CURVE_PERIOD = 0.1  # seconds between redraws of the loss curves


class ComparePresenter(QObject):
    """Runs B beside the window's run A: starts and ends it, keeps the two aligned, draws the panel."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.a: Controller = window.controller
        self.b: Controller | None = None
        self.b_config = ConfigModel(self)
        self.differences: dict[str, object] = {}
        self.panel: ComparePanel | None = None
        self._hold: dict[str, int | None] = {"A": None, "B": None}  # the HoldAt last sent to each run
        self._reset_seq = {"A": 0, "B": 0}  # snapshots older than the last joint reset are not trusted
        self._runs: dict[str, int | None] = {"A": None, "B": None}  # each run's number since that reset
        self._b_play_seq = 0  # the last Play sent to B
        self._resets = 0
        self.lead = limits.COMPARE_LEAD_MIN  # epochs A may lead B by
        self._drawn: dict[str, tuple[Snapshot, int | None] | None] = {"A": None, "B": None}  # with B's epoch asked
        self.replayer = CompareReplay(window.replay)
        self._curves_drawn = 0.0
        self.timer = QTimer(self)
        self.timer.setInterval(FRAME_MS)
        self.timer.timeout.connect(self._on_frame)
        self.action = QAction("&Compare two runs", self, checkable=True)
        self.action.setShortcut(QKeySequence("Ctrl+K"))
        self.action.setToolTip("Run a copy of the network with one difference beside it")
        self.action.toggled.connect(lambda on: self.enter() if on else self.leave("A"))
        self.keep_b_action = QAction("Leave compare, keep run &B", self)
        self.keep_b_action.setEnabled(False)
        self.keep_b_action.triggered.connect(lambda: self.leave("B"))
        view = next((a.menu() for a in window.menuBar().actions() if a.text() == "&View"), None)
        if not isinstance(view, QMenu):
            view = window.menuBar().addMenu("&View")
        view.addSeparator()
        view.addAction(self.action)
        view.addAction(self.keep_b_action)
        window.configuration.changed.connect(lambda _before, _after: self._follow_a())
        window.model.changed.connect(self._on_data_change)
        window.controls.play.toggled.connect(self._on_play_toggle)
        self.a.snapshot_arrived.connect(lambda snap: self._on_snapshot("A", snap))
        self.a.trainer_restarted.connect(self._on_trainer_restart)
        self.a.surrogate_changed.connect(lambda _on: self._follow_surrogate())
        window.file_presenter.exports.beside = self.capture_b
        window.files.opened.connect(self._on_file_opened)  # after the file presenter has put the file on screen
        window.installEventFilter(self)  # to stop run B's trainer when the window closes

    @property
    def active(self) -> bool:
        """Whether compare mode is on."""
        return self.b is not None

    # ------------------------------------------------------------------ entering and leaving
    def enter(self, kind: str | None = None, value: object = None) -> None:
        """Start run B as a copy of A with one difference (by default A's activation against step)."""
        if self.b is not None:
            return
        a_config = self.window.configuration.current
        if kind is None:
            kind, value = first_difference(a_config)
        self.differences = {kind: value}
        self.b_config.set(derive(a_config, self.differences))
        self.b = Controller(self.window.model, self.b_config, self.window._seed, self)
        self.b.snapshot_arrived.connect(lambda snap: self._on_snapshot("B", snap))
        self.b.trainer_restarted.connect(self._on_trainer_restart)
        self.b.flush_data()
        panel = self.panel = ComparePanel(self.window.model)
        panel.difference_requested.connect(self.set_difference)
        panel.keep_requested.connect(self.leave)
        panel.show_difference(kind, value)
        self._follow_surrogate()  # also shows the titles
        self._on_data_change()
        splitter = self.window.splitter
        splitter.insertWidget(splitter.indexOf(self.window.middle), panel)
        self.window.middle.hide()
        self.replayer.attach(panel)
        with QSignalBlocker(self.action):
            self.action.setChecked(True)
        self.keep_b_action.setEnabled(True)
        trained = self.a.latest is not None and self.a.latest.epoch > 0
        self.reset_both()
        self.timer.start()
        if trained:  # A's weights start over too: say so, the user may not expect it
            self._say("Compare mode: A and B start over from the same new weights, B differing only as chosen.")

    def leave(self, keep: str = "A") -> None:
        """End compare mode keeping run ``keep`` ("A" as it is, or "B": one undo step)."""
        b = self.b
        if b is None:
            return
        if keep == "B":
            self._keep_b(b)
        self.timer.stop()
        self.a.send(HoldAt(None))
        self._hold["A"] = None
        self.b = None
        b.close()
        b.deleteLater()
        self.replayer.detach()
        if self.panel is not None:
            self.panel.hide()
            self.panel.setParent(None)
            self.panel.deleteLater()
            self.panel = None
        self.window.middle.show()
        with QSignalBlocker(self.action):
            self.action.setChecked(False)
        self.keep_b_action.setEnabled(False)

    def _keep_b(self, b: Controller) -> None:
        """Make B's configuration A's (one undo step) and continue from B's weights and history."""
        w = self.window
        w.controls.play.setChecked(False)
        snap = b.live  # not a keyframe B may be replaying
        before, after = w.configuration.current, self.b_config.current
        surrogate = b.surrogate  # before A's new activations may turn A's surrogate off (a newly step layer)
        w.config_presenter.apply_config(after)
        w.undo_stack.push(StateCommand("Keep run B", w.config_presenter.apply_config, before, after))
        w.controls.surrogate.setChecked(surrogate)  # B's gradient rule goes on in A, and the check box says so
        if self.a.surrogate != surrogate:
            self.a.set_surrogate(surrogate)
        arch = after.architecture
        if snap is None or tuple(snap.layer_sizes[1:-1]) != arch.hidden or snap.features != arch.features:
            return  # B had not started on its shape yet: A starts it afresh
        weights, biases, epoch = list(snap.weights), list(snap.biases), snap.epoch
        kept = b.keyframes.keyframes
        if kept and kept[-1].epoch > epoch and kept[-1].layer_sizes == snap.layer_sizes:
            # Paused on its way into a replay, B's trainer kept its newest weights as a keyframe,
            # possibly after its last live snapshot: that keyframe is B's live network.
            (weights, biases), epoch = kept[-1].arrays(), kept[-1].epoch
        losses = b.losses
        history = np.column_stack([losses.column(0), losses.column(1), losses.column(2)]) if losses.size \
            else np.zeros((0, 3))
        series = b.gradients  # B's gradient flow goes on in A's plot, as its loss curves do
        norms = None if series is None else np.array([series.column(c) for c in range(series.columns)])
        seq = self.a.send(LoadWeights(tuple(w_.tolist() for w_ in weights), tuple(b_.tolist() for b_ in biases), epoch))
        self.a.restore_history(history, seq, tuple(kept), norms)  # B's run replays in A

    def _on_file_opened(self, kind: str, path: str, _result: object) -> None:
        """An opened session or model replaced run A's network: compare mode ends, keeping it."""
        if self.b is not None and kind in ("session", "model"):
            self.leave("A")
            self._say(f"Compare mode ended: {os.path.basename(path)} is the window's network now.")

    def shut_down(self) -> None:
        """Stop run B's trainer (the window is closing)."""
        self.timer.stop()
        if self.b is not None:
            self.b.close()
            self.b = None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # Qt override
        """Stop run B's trainer when the window closes."""
        if watched is self.window and event.type() == QEvent.Type.Close:
            self.shut_down()
        return False

    # ------------------------------------------------------------------ B's difference
    def set_difference(self, kind: str, value: object) -> None:
        """Give B this value of ``kind`` (None: A's value); both runs start over together."""
        if isinstance(value, str) and kind == "layers":
            try:
                value = parse_layers(value)
            except ValueError as problem:
                self._say(f"Layers for B: {problem}")
                self._show_difference(kind)
                return
        changed = dict(self.differences)
        if value is None:
            changed.pop(kind, None)
        else:
            changed.pop(kind, None)
            changed[kind] = value  # the newest difference is listed last
        try:
            check(derive(self.window.configuration.current, changed))
        except EngineError as problem:
            self._say(f"Run B cannot use that: {problem}")
            self._show_difference(kind)
            return
        self.differences = changed
        self._follow_a()
        self.reset_both()
        if kind == "surrogate" and "step" not in self.window.configuration.current.architecture.activations \
                and "step" not in self.b_config.architecture.activations:
            self._say("The surrogate gradient changes only step layers, and neither run has one.")

    def _show_difference(self, kind: str) -> None:
        if self.panel is not None:
            self.panel.show_difference(kind, self.differences.get(kind))

    def _follow_a(self) -> None:
        """A's configuration changed (or B's differences did): B is A's with B's differences."""
        if self.b is None:
            return
        derived = derive(self.window.configuration.current, self.differences)
        try:
            check(derived)
        except EngineError:  # A's new shape leaves no room for B's difference: B takes A's shape
            self.differences = {k: v for k, v in self.differences.items() if k not in ("layers", "features")}
            derived = derive(self.window.configuration.current, self.differences)
        self.b_config.set(derived)
        self._follow_surrogate()

    def _follow_surrogate(self) -> None:
        """B's step layers use A's surrogate gradient setting unless B differs in it (then its own)."""
        b = self.b
        if b is None:
            return
        wanted = surrogate_of(self.a.surrogate, self.differences)
        if b.surrogate != wanted:
            b.set_surrogate(wanted)  # B's controller sends it again to a trainer that replaces B's
        self._show_titles()

    def _show_titles(self) -> None:
        if self.panel is not None:
            a, surrogate = self.window.configuration.current, self.a.surrogate
            self.panel.set_titles(a_text(a, self.differences, surrogate),
                                  differences_text(a, self.differences, surrogate))

    def _say(self, text: str) -> None:
        self.window.statusBar().showMessage(text, 6000)

    # ------------------------------------------------------------------ keeping the runs aligned
    def reset_both(self) -> None:
        """New weights for both runs from one shared seed; A plays on if its Play button is down."""
        b = self.b
        if b is None:
            return
        self._resets += 1
        seed = self.window._seed + 7919 * self._resets  # a fresh start each time, the same for both runs
        self._hold["B"] = 0
        b.send(HoldAt(0))  # before anything else: B must not train on while A starts over
        self._reset_seq = {"A": self.a.send(Reset(seed)), "B": b.send(Reset(seed))}
        self._runs = {"A": None, "B": None}
        self.lead = limits.COMPARE_LEAD_MIN
        if self.window.controls.play.isChecked():
            self.a.play()

    def _on_trainer_restart(self) -> None:
        """A trainer process was replaced (its weights and numbering start over): start both over."""
        self._hold = {"A": None, "B": None}
        self.reset_both()

    def _on_play_toggle(self, on: bool) -> None:
        """Play acts on both: a B that diverged (and paused itself) plays again too."""
        if on and self.b is not None and self.b.latest is not None and self.b.latest.diverged:
            self._b_play_seq = self.b.play()

    def _trusted(self, run: str, snap: Snapshot | None) -> bool:
        return snap is not None and snap.seq >= self._reset_seq[run]

    def _on_snapshot(self, run: str, snap: Snapshot) -> None:
        """Each snapshot of either run: notice a run that started over, then move the holds."""
        b = self.b
        if b is None or not self._trusted(run, snap):
            return
        known = self._runs[run]
        if known is None:
            self._runs[run] = snap.run
        elif snap.run != known:  # it started over on its own (a new shape, a new class, Reset)
            self.reset_both()
            return
        if run == "A" and snap.keyframes and not snap.replay:
            # B records at A's epochs, so a replay finds both at one epoch. B is held at A's last reported
            # epoch, before these: this reaches B before the hold that lets it pass them.
            b.send(RecordAt(tuple(k.epoch for k in snap.keyframes)))
        a_snap, b_snap = self.a.latest, b.latest
        if not (self._trusted("A", a_snap) and self._trusted("B", b_snap)):
            return
        assert a_snap is not None and b_snap is not None
        self.replayer.follow(a_snap, b)
        if self.replayer.replaying(a_snap, b_snap):
            return  # the runs stand still on an earlier epoch: the holds wait until both are live
        if a_snap.held and b_snap.held:  # each waits for the other: the holds' round trip is the bottleneck
            self.lead = min(limits.COMPARE_LEAD_MAX, 2 * self.lead)
        self._send_hold("B", b, a_snap.epoch)
        self._send_hold("A", self.a, None if b_snap.diverged else b_snap.epoch + self.lead)
        if (not b_snap.playing and not b_snap.diverged and b_snap.n_train > 0 and b_snap.epoch < a_snap.epoch
                and b_snap.seq >= self._b_play_seq):
            self._b_play_seq = b.play()  # behind A and stopped: follow A

    def _send_hold(self, run: str, controller: Controller, epoch: int | None) -> None:
        if self._hold[run] != epoch:
            self._hold[run] = epoch
            controller.send(HoldAt(epoch))

    # ------------------------------------------------------------------ drawing
    def _on_data_change(self) -> None:
        if self.panel is not None:
            bounds = view_bounds(self.window.model.points)
            for canvas in self.panel.canvases.values():
                canvas.set_bounds(bounds)

    def draw_now(self) -> None:
        """Draw both runs and their curves at once (for screenshots)."""
        self._curves_drawn = 0.0
        self._drawn = {"A": None, "B": None}
        self._on_frame()

    def _on_frame(self) -> None:
        """Draw what changed: each run's map and figures; the curves ten times a second."""
        panel, b = self.panel, self.b
        if panel is None or b is None:
            return
        main = self.window.canvas
        for canvas in panel.canvases.values():  # draw with the tool and class chosen for the main canvas
            canvas.tool, canvas.current_class = main.tool, main.current_class
            canvas.regression_value = main.regression_value
        changed = False
        a_snap = self.a.latest
        for run, snap in (("A", a_snap), ("B", b.latest)):
            if snap is None:
                continue
            wanted = CompareReplay.wanted(a_snap, snap) if run == "B" else None
            drawn = self._drawn[run]
            if drawn is None or drawn[0] is not snap or drawn[1] != wanted:
                self._drawn[run] = (snap, wanted)
                panel.draw_run(run, snap, wanted)
                changed = True
        if changed:
            panel.show_replayed(a_snap.epoch if a_snap is not None and a_snap.replay else None)
        now = time.perf_counter()
        if changed and now - self._curves_drawn >= CURVE_PERIOD:
            self._curves_drawn = now
            panel.redraw_curves({"A": self.a.losses, "B": b.losses})

    # ------------------------------------------------------------------ scripting and export
    def capture_b(self) -> tuple[Session, str] | None:
        """Run B as a session and its difference in words (None outside compare mode): for the export."""
        if self.b is None:
            return None
        session = session_io.capture(self.window.model, self.b_config.current, self.b)
        return session, differences_text(self.window.configuration.current, self.differences, self.a.surrogate)

    def config_b(self) -> Configuration:
        """Run B's configuration."""
        return self.b_config.current

