"""The presenter of "backprop laid open": the neuron inspector, the hover probe, weight edits, the gradient check.

It turns clicks on neurons, links and points into the inspector's choice or a trainer
command, and keeps those views in step with the snapshots the window draws. It needs the
controller, the data model and the views it serves; no window.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from PySide6.QtCore import QObject
from PySide6.QtWidgets import QDockWidget, QInputDialog, QLabel, QPushButton, QWidget

from engine.commands import CheckGradients
from engine.explain import GradientCheck
from engine.features import LABELS, transform
from engine.network import Network
from engine.snapshot import Snapshot
from gui.controller import Controller
from gui.data_model import DataModel
from gui.widgets.canvas import DataCanvas
from gui.widgets.inspector import NeuronInspector, network_from
from gui.widgets.network_view import NetworkView

INSPECTOR_EVERY = 10  # frames between inspector refreshes while it is shown: its text is costly


def _network_key(snap: Snapshot) -> tuple[object, ...]:
    """What makes a network a different one for the gradient check: its run, shape and activations."""
    return snap.run, snap.layer_sizes, snap.features, snap.activations, snap.step_surrogate


class BackpropPresenter(QObject):
    """Connects the network view, the canvas and the inspector to the trainer's numbers."""

    def __init__(self, dialog_parent: QWidget, controller: Controller, data: DataModel, network: NetworkView,
                 canvas: DataCanvas, inspector: NeuronInspector, dock: QDockWidget, check: QPushButton,
                 check_result: QLabel) -> None:
        super().__init__(dialog_parent)
        self._parent, self.controller, self.data = dialog_parent, controller, data
        self.network, self.inspector, self.dock, self.check_result = network, inspector, dock, check_result
        self.canvas = canvas
        self.probe_point: tuple[float, float] | None = None  # the hovered point on the canvas
        self._probe_net: tuple[Snapshot, Network] | None = None  # (snapshot, network built from it)
        self._checked: tuple[object, ...] | None = None  # the network the gradient check's answer is about
        network.neuron_hovered.connect(controller.set_focus)
        # Another view may claim a neuron click first (the layer-space view's axes): True if it did.
        self.takes_click: Callable[[int, int], bool] = lambda _layer, _neuron: False
        network.neuron_clicked.connect(self._on_neuron_click)
        network.link_clicked.connect(self.edit_weight)
        canvas.hovered.connect(self.hover)
        canvas.point_picked.connect(self.choose_point)
        inspector.bias_requested.connect(controller.set_bias)
        inspector.bias_requested.connect(lambda *_: check_result.setText(""))  # the check was about the old bias
        check.clicked.connect(self.check_gradients)
        controller.gradient_checked.connect(self.show_check)
        dock.visibilityChanged.connect(lambda _shown: self._mark())

    def _mark(self) -> None:
        """Ring the inspector's point on the canvas while the inspector is open."""
        point = self.inspector.point
        self.canvas.mark("inspector", point if self.dock.isVisible() else None)

    def _on_neuron_click(self, layer: int, neuron: int) -> None:
        if not self.takes_click(layer, neuron):
            self.choose_neuron(layer, neuron)

    def choose_neuron(self, layer: int, neuron: int) -> None:
        """Open the inspector on neuron ``neuron`` of layer ``layer`` (1..L), at the first point if none is chosen."""
        self.inspector.choose_neuron(layer, neuron)
        if self.inspector.point is None and len(self.data):
            self.choose_point(0)
        self.dock.show()
        self.inspector.refresh(self.controller.latest)

    def choose_point(self, index: int) -> None:
        """Explain the numbers for data point ``index``."""
        if 0 <= index < len(self.data):
            self.inspector.choose_point(self.data.points[index], self.data.labels[index])
            self.inspector.refresh(self.controller.latest)
            self._mark()

    def edit_weight(self, layer: int, i: int, j: int) -> None:
        """Ask for a new weight from neuron i of layer ``layer - 1`` to neuron j of ``layer`` (training goes on)."""
        snap = self.controller.latest
        if snap is None or layer > len(snap.weights):
            return
        current = float(snap.weights[layer - 1][i, j])
        source = (LABELS[snap.features[i]] if layer == 1 else f"neuron {i + 1} of layer {layer - 1}")
        value, ok = QInputDialog.getDouble(
            self._parent, "Edit weight", f"Weight from {source} to neuron {j + 1} of layer {layer}:",
            current, -100.0, 100.0, 4)
        if ok:
            self.controller.set_weight(layer, i, j, value)
            self.check_result.setText("")  # the check was about the old weights

    def check_gradients(self) -> None:
        """Ask the trainer to compare backprop with finite differences."""
        self.check_result.setText("Checking…")
        self.controller.send(CheckGradients())

    def show_check(self, check: GradientCheck) -> None:
        """Show the gradient check's answer (until the network changes)."""
        snap = self.controller.latest
        self._checked = _network_key(snap) if snap is not None else None
        text = f"Worst relative error {check.worst_error:.1e} over {check.parameters} parameters"
        text += " (backprop agrees)." if check.worst_error < 1e-5 else " — backprop and finite differences disagree!"
        if check.step_layers:
            text += (f" Layers {', '.join(map(str, check.step_layers))} lie below a step: both methods give "
                     "exactly 0 there, because the loss is flat in those weights.")
        self.check_result.setText(text)

    def hover(self, point: tuple[float, float] | None) -> None:
        """The pointer is over ``point`` on the canvas (None: it left)."""
        self.probe_point = point
        self._show_probe(self.controller.latest)

    def _show_probe(self, snap: Snapshot | None) -> None:
        """Light the network view with every neuron's activation at the hovered point."""
        if self.probe_point is None or snap is None:
            self.network.show_probe(None, None)
            return
        if self._probe_net is None or self._probe_net[0] is not snap:
            self._probe_net = (snap, network_from(snap))
        inputs = transform(np.array([self.probe_point]), list(snap.features))
        with np.errstate(all="ignore"):  # a diverging network's activations may overflow: show them as they are
            activations = [a[0] for a in self._probe_net[1].activations(inputs)]
        self.network.show_probe(list(snap.features), activations)

    def draw(self, snap: Snapshot, frame: int) -> None:
        """Keep the probe, the inspector and the check's answer in step with a new snapshot."""
        if self.probe_point is not None:
            self._show_probe(snap)
        if self.dock.isVisible() and (frame % INSPECTOR_EVERY == 0 or not snap.playing):  # paused: each one counts
            self.inspector.refresh(snap)
        if self._checked is not None and _network_key(snap) != self._checked:
            self._checked = None  # the network changed: the check's answer no longer applies
            self.check_result.setText("")
