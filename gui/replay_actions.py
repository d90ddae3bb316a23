"""The replay presenter: the timeline under the plots, scrubbing back through the run, continuing from there.

The trainer records keyframes and the ``Controller`` keeps them (``controller.keyframes``).
Moving the timeline sends ``ShowKeyframe``: the trainer pauses and publishes snapshots of
that keyframe's network, computed exactly as live ones, so every view (decision map,
neuron maps, network, inspector, layer space, losses) draws it through the usual path
and this presenter only adds what says "this is the past": the label, the epoch and a
marker on both plots. "Continue from here" loads the keyframe's weights as a new run
with the history up to it (one undo step, which puts the dropped history back).

Compare mode borrows the timeline (``move_timeline``) and may refuse "Continue from here"
(``refusal``, a reason in words); ``gui.compare_replay`` has run B follow what A shows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QObject
from PySide6.QtWidgets import QBoxLayout, QSizePolicy, QVBoxLayout, QWidget

from engine.commands import LoadWeights, ShowKeyframe
from engine.keyframes import Keyframe
from engine.snapshot import Snapshot
from gui.undo import StateCommand
from gui.widgets.timeline import Timeline

if TYPE_CHECKING:
    from gui.main_window import MainWindow

MARKER_COLOUR = "#E69F00"
# The controls' epoch line while replaying: marked, but no wider (the controls column has a fixed width).
EPOCH_STYLE = "QLabel { background: #E69F00; color: black; }"


@dataclass(frozen=True, eq=False)
class RunState:
    """What "Continue from here" replaces and its undo puts back: the weights, the history, the keyframes."""

    keyframe: Keyframe  # the weights to train on from, and their epoch
    history: np.ndarray  # (k, 3): epoch, training loss, test loss
    keyframes: tuple[Keyframe, ...]
    gradients: np.ndarray | None  # (1 + layers, k): epoch, then each layer's gradient norm


class ReplayPresenter(QObject):
    """Puts the timeline under the window's plots and turns its moves into replayed snapshots."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.controller = window.controller
        self.controls = window.controls
        self.configuration = window.configuration
        self.undo_stack = window.undo_stack
        self.timeline = Timeline()
        self._home = self._put_under_plots(window)
        self.refusal: Callable[[], str] | None = None  # why "Continue from here" is refused now ("" if not)
        self.markers = []
        for plot in (window.loss_plot.plot, window.gradient_plot.plot):
            marker = pg.InfiniteLine(angle=90, movable=False, pen=pg.mkPen(MARKER_COLOUR, width=2))
            marker.hide()
            plot.addItem(marker, ignoreBounds=True)
            self.markers.append(marker)
        self.shown: Keyframe | None = None  # the keyframe on show; None while the live network is
        self._sent = 0  # the sequence number of the last ShowKeyframe sent
        self._drawn: tuple[object, ...] = ()
        self.timeline.position_requested.connect(self.show_position)
        self.timeline.live_requested.connect(self.back_to_live)
        self.timeline.continue_requested.connect(self.continue_from_here)

    def _put_under_plots(self, window: MainWindow) -> QBoxLayout:
        """The middle column's lower pane becomes the plots over the timeline (the pane keeps its share)."""
        plots = window.middle.widget(1)
        assert plots is not None  # the window built its middle column: network over plots
        pane = QWidget()
        pane.setSizePolicy(QSizePolicy(plots.sizePolicy()))  # with the plots' share of the height
        window.middle.insertWidget(1, pane)
        layout = QVBoxLayout(pane)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(plots, 1)
        layout.addWidget(self.timeline)
        return layout

    def move_timeline(self, layout: QBoxLayout | None) -> None:
        """Put the timeline at the end of ``layout`` (compare mode's panel), or back under the plots (None)."""
        (layout or self._home).addWidget(self.timeline)
        self.timeline.show()

    @property
    def replaying(self) -> bool:
        """Whether a recorded keyframe is on show (or asked for)."""
        return self.shown is not None

    # ------------------------------------------------------------------ the user's moves
    def show_position(self, position: int) -> None:
        """Show keyframe ``position`` of the timeline (the last position is live); training pauses."""
        keyframes = self.controller.keyframes.keyframes
        if position >= len(keyframes):
            self.back_to_live()
            return
        if self.controls.play.isChecked():
            self.controls.play.setChecked(False)  # the window sends Pause
        self.shown = keyframes[position]
        self._sent = self.controller.send(ShowKeyframe(self.shown, self.controller.run))

    def back_to_live(self) -> None:
        """Show the live network again (training stays paused)."""
        if self.shown is None:
            return
        self.shown = None
        self._sent = self.controller.send(ShowKeyframe(None, self.controller.run))
        self.timeline.show_live(len(self.controller.keyframes))

    def why_not_continue(self) -> str:
        """Why "Continue from here" cannot be used now ("" when it can)."""
        snap, shown = self.controller.latest, self.shown
        if shown is None:
            return "Drag the timeline back first"
        refused = self.refusal() if self.refusal is not None else ""
        if refused:
            return refused
        if snap is None or not snap.replay or snap.seq < self._sent:
            return "Wait until the trainer shows this epoch"
        activations = self.configuration.architecture.activations
        if shown.activations != tuple(activations):
            return (f"At epoch {shown.epoch:,} the layers used {', '.join(shown.activations)}; set them back to "
                    "continue from it")
        return ""

    def continue_from_here(self) -> None:
        """Train on from the keyframe shown: later history and keyframes go (one undo step), training starts."""
        if self.why_not_continue():
            return
        shown = self.shown
        assert shown is not None
        store, losses, series = self.controller.keyframes, self.controller.losses, self.controller.gradients
        history = np.column_stack([losses.column(0), losses.column(1), losses.column(2)])  # a copy
        norms = None if series is None else np.array([series.column(c) for c in range(series.columns)])
        # Entering the replay, the trainer recorded its live network as the newest keyframe: undo goes back there.
        before = RunState(store.keyframes[-1], history, tuple(store.keyframes), norms)
        after = RunState(shown, history[history[:, 0] <= shown.epoch], tuple(store.up_to(shown.epoch)),
                         None if norms is None else norms[:, norms[0] <= shown.epoch])
        self._apply(after)
        self.undo_stack.push(StateCommand("Continue from here", self._apply, before, after))
        self.controls.play.setChecked(True)

    def _apply(self, state: RunState) -> None:
        """Make ``state`` the live run: its weights at its epoch, its history and keyframes (paused)."""
        self.controls.play.setChecked(False)
        self.shown = None
        weights, biases = state.keyframe.arrays()
        seq = self.controller.send(LoadWeights(tuple(w.tolist() for w in weights), tuple(b.tolist() for b in biases),
                                               state.keyframe.epoch))
        self.controller.restore_history(state.history, seq, state.keyframes, state.gradients)
        self.timeline.show_live(len(state.keyframes))

    # ------------------------------------------------------------------ drawing
    def draw(self, snap: Snapshot) -> None:
        """After the window drew ``snap``: the timeline, the label and the markers say what is shown."""
        if self.shown is not None and not snap.replay and snap.seq >= self._sent:
            self.shown = None  # the trainer went back to live (Play, Step, Reset, an edit...)
        store = self.controller.keyframes
        shown = self.shown
        why_not = self.why_not_continue() if shown is not None else ""
        live = self.controller.live
        live_epoch = max(live.epoch if live is not None else 0, store.keyframes[-1].epoch if store.keyframes else 0)
        state = (store.generation, shown, why_not, live_epoch)
        if state == self._drawn:
            return
        self._drawn = state
        if shown is None:
            self.timeline.show_live(len(store))
            self.controls.epoch.setStyleSheet("")
        else:
            if not self.timeline.slider.isSliderDown():
                self.timeline.set_positions(len(store), store.index_at(shown.epoch))
            self.timeline.show_replay(shown.epoch, live_epoch, not why_not, why_not)
            self.controls.epoch.setStyleSheet(EPOCH_STYLE)
        for marker in self.markers:
            marker.setVisible(shown is not None)
            if shown is not None:
                marker.setValue(shown.epoch)
