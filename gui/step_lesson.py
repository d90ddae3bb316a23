"""The step lesson kept honest: the surrogate gradient's state on screen, and what a switch to step means.

A small presenter between the surrogate check box, the notice, the network view and the
controller. The surrogate gradient changes what the app teaches, so it is always shown
(the check box, and a mark on every step layer), turned off on Reset and whenever a layer
newly becomes step, and taken from the trainer's snapshot once every command is applied
(a session opened with it on shows it on).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QObject, QSignalBlocker

from gui.controller import Controller
from gui.widgets.controls import Controls
from gui.widgets.network_view import NetworkView
from gui.widgets.notice import Notice


class StepLesson(QObject):
    """Keeps the surrogate control, the step-layer marks and the step notices true."""

    def __init__(self, controls: Controls, notice: Notice, network: NetworkView, controller: Controller,
                 reset: Callable[[], None], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.controls, self.notice, self.network, self.controller = controls, notice, network, controller
        controls.surrogate.toggled.connect(self._on_surrogate_toggle)
        notice.surrogate_requested.connect(lambda: controls.surrogate.setChecked(True))
        notice.restart_requested.connect(reset)

    def _on_surrogate_toggle(self, on: bool) -> None:
        self.controller.set_surrogate(bool(on))
        self.network.show_surrogate(bool(on))

    def turn_off_surrogate(self) -> None:
        """Back to the true gradient (Reset, a new step layer, a guide experiment)."""
        with QSignalBlocker(self.controls.surrogate):
            self.controls.surrogate.setChecked(False)
        self._on_surrogate_toggle(False)  # also when the box was off: a session may have turned it on

    def activations_changed(self, old: Sequence[str], new: Sequence[str]) -> None:
        """Layers changed activation: show it, and treat a newly set step layer as the lesson starting."""
        self.controls.show_activations(new)
        newly_step = any(name == "step" and (k >= len(old) or old[k] != "step") for k, name in enumerate(new))
        if not newly_step:
            return
        self.turn_off_surrogate()
        snap = self.controller.latest
        if snap is not None and snap.epoch > 0 and len(old) == len(new):
            self.notice.mark_switched(snap.run)  # trained weights kept: say what that means

    def snapshot(self, snap) -> None:
        """Once the trainer has applied every command, show the surrogate state it really uses."""
        if snap.seq < self.controller.process.last_seq or snap.step_surrogate == self.controls.surrogate.isChecked():
            return
        with QSignalBlocker(self.controls.surrogate):
            self.controls.surrogate.setChecked(snap.step_surrogate)
        self.network.show_surrogate(snap.step_surrogate)
