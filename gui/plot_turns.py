"""The loss and gradient plots redraw in turns: each about ten times a second, never both in one frame.

A plot's redraw (new curves, and when a range moved, its axes laid out again) is the
costliest paint of a frame. Drawn together with the decision map and the network in one
event-loop turn they made the GUI thread's longest stalls; taken in turns, each frame paints
at most one of them. Curves read as smooth at ten redraws a second; the maps keep every frame.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from engine.snapshot import Snapshot
from gui.series import GrowingSeries
from gui.widgets.gradient_plot import GradientPlot
from gui.widgets.loss_plot import LossPlot

PLOT_PERIOD = 0.1  # seconds between two redraws of the same plot while training runs


class PlotTurns:
    """Decides, frame by frame, which of the two plots redraws (and redraws it)."""

    def __init__(self, loss_plot: LossPlot, gradient_plot: GradientPlot,
                 gradients: Callable[[], GrowingSeries | None]) -> None:
        self.loss_plot = loss_plot
        self.gradient_plot = gradient_plot
        self._gradients = gradients
        self._drawn = [0.0, 0.0]  # when the loss plot and the gradient plot were redrawn last

    def draw(self, snap: Snapshot, now: float | None = None) -> None:
        """Redraw what is due for ``snap``: while training, the plot that waited longest if its
        period is over; otherwise (paused, a step, a reset: the picture then stays) both now."""
        now = time.perf_counter() if now is None else now
        if not snap.playing:
            self._draw(0, snap, now)
            self._draw(1, snap, now)
            return
        which = 0 if self._drawn[0] <= self._drawn[1] else 1
        if now - self._drawn[which] >= PLOT_PERIOD:
            self._draw(which, snap, now)

    def _draw(self, which: int, snap: Snapshot, now: float) -> None:
        self._drawn[which] = now
        if which == 0:
            self.loss_plot.redraw()
            self.loss_plot.set_figures(snap)
        else:
            self.gradient_plot.redraw(self._gradients())
