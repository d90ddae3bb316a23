"""The neuron inspector: one neuron's four backprop equations with live numbers.

For the chosen neuron and data point it shows the incoming activations and weights, the
weighted sum s, the activation a, the delta and where that delta came from, and the
gradients of the bias and every incoming weight. The numbers come from the current
weights (``engine.explain``), refreshed a few times a second so they can be read.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Signal
from PySide6.QtGui import QTextOption
from PySide6.QtWidgets import (
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from engine.explain import NeuronReport, explain_neuron
from engine.features import LABELS, transform
from engine.network import Network
from engine.snapshot import Snapshot
from gui.keyboard import describe


def network_from(snap: Snapshot) -> Network:
    """A float64 network with the snapshot's shape, activations and weights."""
    net = Network(list(snap.layer_sizes), list(snap.activations), snap.task,
                  step_surrogate=snap.step_surrogate)
    net.set_parameters(snap.weights, snap.biases)
    return net


def _num(value: float) -> str:
    # <nobr>: a narrow dock must never break a number after its sign or inside its exponent.
    return f"<nobr>{value:+.4g}</nobr>"


def report_html(report: NeuronReport, input_names: list[str], point, label) -> str:
    """The report as HTML, in the article's notation."""
    from html import escape  # html's tables cost a millisecond at start-up; the first report can pay it

    l, j = report.layer, report.neuron
    rows = []
    for k, (a_k, w_k, g_k) in enumerate(zip(report.inputs, report.weights, report.weight_gradients)):
        name = input_names[k] if l == 1 else f"a<sup>{l - 1}</sup><sub>{k + 1}</sub>"
        rows.append(f"<tr><td>{name}</td><td align=right>{_num(a_k)}</td><td align=right>{_num(w_k)}</td>"
                    f"<td align=right>{_num(g_k)}</td></tr>")
    table = ("<table cellspacing=0 cellpadding=2 border=1 style='border-collapse:collapse'>"
             "<tr><th>input k</th><th>a<sub>k</sub></th><th>w<sub>jk</sub></th>"
             "<th>∂J/∂w<sub>jk</sub> = a<sub>k</sub>δ</th></tr>"
             + "".join(rows) + "</table>")
    sup = f"<sup>{l}</sup>"
    parts = [
        f"<h3>Neuron {j + 1} of layer {l} ({escape(report.activation)})</h3>",
        f"<p>Point ({point[0]:+.2f}, {point[1]:+.2f}), "
        + (f"class {label + 1}.</p>" if isinstance(label, int) else f"value {label:+.3f}.</p>"),
        table,
        f"<p>bias b{sup}<sub>{j + 1}</sub> = {_num(report.bias)}</p>",
        f"<p><b>s</b>{sup} = Σ<sub>k</sub> w<sub>jk</sub> a<sub>k</sub> + b = <b>{_num(report.s)}</b><br>",
        f"<b>a</b>{sup} = f(s) = <b>{_num(report.a)}</b></p>",
    ]
    if report.slope is None:
        assert report.target is not None  # the output layer has a target
        parts.append(f"<p>Output layer: <b>δ</b> = a − t = {_num(report.a)} − {_num(report.target)} "
                     f"= <b>{_num(report.delta)}</b></p>")
    else:
        assert report.upstream_weights is not None and report.upstream_deltas is not None
        assert report.upstream_sum is not None  # a hidden layer has all three
        terms = " + ".join(f"({_num(w)})({_num(d)})" for w, d in zip(report.upstream_weights, report.upstream_deltas))
        parts.append(
            f"<p>δ comes back from layer {l + 1}: Σ<sub>k</sub> w<sub>kj</sub> δ<sub>k</sub> = {terms} "
            f"= {_num(report.upstream_sum)}<br>"
            f"f′(s) = {_num(report.slope)}<br>"
            f"<b>δ</b> = Σ<sub>k</sub> w<sub>kj</sub> δ<sub>k</sub> · f′(s) = <b>{_num(report.delta)}</b></p>")
        if report.activation == "step" and report.slope == 0.0:
            parts.append("<p><i>Step is flat on both sides of its jump, so f′(s) = 0 and δ = 0: "
                         "no gradient reaches this neuron's weights.</i></p>")
    parts.append(f"<p>∂J/∂b = δ = <b>{_num(report.bias_gradient)}</b></p>")
    return "".join(parts)


class NeuronInspector(QWidget):
    """Shows ``explain_neuron`` for the chosen neuron and point; edits the neuron's bias."""

    # The user set the bias of neuron (layer l from 1, neuron j) to a value.
    bias_requested = Signal(int, int, float)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.neuron: tuple[int, int] | None = None
        self.point: tuple[float, float] | None = None
        self.label: float | None = None
        self.report: NeuronReport | None = None
        self.text = describe(QTextBrowser(), "Neuron report",
                             "The chosen neuron's numbers for the chosen point, refreshed as training runs")
        # Break lines between words only: a number split over two lines misreads (the table scrolls instead).
        self.text.setWordWrapMode(QTextOption.WrapMode.WordWrap)
        self.hint = QLabel("Click a neuron in the network view; choose the point with the Pick tool "
                          "(or Ctrl+click) on the canvas.")
        self.hint.setWordWrap(True)
        self.bias = QDoubleSpinBox()
        self.bias.setRange(-100.0, 100.0)
        self.bias.setDecimals(4)
        self.bias.setSingleStep(0.1)
        describe(self.bias, "New bias", "A new bias for this neuron; training continues from it")
        self.apply = describe(QPushButton("Set bias"), "Set bias", "Give the neuron the bias typed beside")
        self.apply.clicked.connect(self._on_apply_click)
        row = QHBoxLayout()
        row.addWidget(QLabel("bias"))
        row.addWidget(self.bias, 1)
        row.addWidget(self.apply)
        layout = QVBoxLayout(self)
        layout.addWidget(self.hint)
        layout.addWidget(self.text, 1)
        layout.addLayout(row)

    def choose_neuron(self, layer: int, neuron: int) -> None:
        """Inspect neuron ``neuron`` of layer ``layer`` (1..L)."""
        self.neuron = (layer, neuron)

    def choose_point(self, point, label) -> None:
        """Explain the numbers for this data point (x, y) and its label."""
        self.point = (float(point[0]), float(point[1]))
        self.label = label

    def refresh(self, snap: Snapshot | None) -> None:
        """Recompute and show the report from the snapshot's weights."""
        if self.neuron is None or self.point is None or self.label is None or snap is None:
            return
        layer, neuron = self.neuron
        if layer > len(snap.layer_sizes) - 1 or neuron >= snap.layer_sizes[layer]:
            self.neuron = None
            self.text.setHtml("<p>That neuron no longer exists.</p>")
            return
        net = network_from(snap)
        x = transform(np.array([self.point]), list(snap.features))
        label = self.label if snap.task == "regression" else int(self.label)
        if snap.task != "regression" and label >= snap.layer_sizes[-1] and snap.task == "multiclass":
            return
        with np.errstate(all="ignore"):  # a diverging network's numbers may overflow: show them as they are
            self.report = explain_neuron(net, x, label, layer, neuron)
        names = [LABELS[f] for f in snap.features]
        scroll = self.text.verticalScrollBar().value()
        self.text.setHtml(report_html(self.report, names, self.point, label))
        self.text.verticalScrollBar().setValue(scroll)
        if not self.bias.hasFocus():
            self.bias.setValue(self.report.bias)

    def _on_apply_click(self) -> None:
        if self.neuron is not None:
            self.bias_requested.emit(self.neuron[0], self.neuron[1], float(self.bias.value()))
