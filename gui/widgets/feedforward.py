"""The feedforward pass in matrices, for the point under the mouse, with the network's numbers.

In the article's notation layer l computes s^l = W^l a^(l-1) + b^l and a^l = f(s^l), with
row j of W^l holding the weights into neuron j. The engine stores each layer's weights the
other way round, ``weights[l-1]`` of shape (fan_in, fan_out), and computes ``a @ W + b`` for a
row of points; so the W^l shown here is ``weights[l-1].T``, and the view says so.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import numpy as np
from PySide6.QtWidgets import QLabel, QTextBrowser, QVBoxLayout, QWidget

from engine.features import LABELS, transform
from gui.keyboard import describe
from gui.widgets.inspector import network_from

OUTPUT_FUNCTIONS = {"binary": "σ", "multiclass": "softmax", "regression": "identity"}  # the output layer's f


@dataclass(frozen=True)
class LayerPass:
    """One layer's numbers for one point: W^l (fan_out, fan_in), b^l, s^l, a^l and f's name."""

    W: np.ndarray
    b: np.ndarray
    s: np.ndarray
    a: np.ndarray
    f: str


def feedforward(snap, point: tuple[float, float]) -> tuple[np.ndarray, list[LayerPass]]:
    """(a^0, the layers' passes) for ``point`` with the snapshot's weights."""
    net = network_from(snap)
    inputs = transform(np.array([point]), list(snap.features))
    with np.errstate(all="ignore"):  # a diverged network's numbers are shown as they are
        sums, acts = net.trace(inputs)
    layers = []
    for l in range(1, net.n_layers + 1):
        hidden = l < net.n_layers
        f = snap.activations[l - 1] if hidden else OUTPUT_FUNCTIONS[snap.task]
        layers.append(LayerPass(np.asarray(snap.weights[l - 1]).T, np.asarray(snap.biases[l - 1]),
                                sums[l - 1][0], acts[l][0], f))
    return acts[0][0], layers


def _num(value: float) -> str:
    text = f"{value:+.3f}" if abs(value) < 100 else f"{value:+.1e}"
    return text.replace("-", "−")  # a real minus sign: the same width as +, so columns line up


def _block(rows: np.ndarray) -> list[str]:
    """A matrix (2-D) or column vector (1-D) as lines of text between tall brackets."""
    m = rows if rows.ndim == 2 else rows.reshape(-1, 1)
    cells = [[_num(v) for v in row] for row in m]
    width = max(len(c) for row in cells for c in row)
    lines = [" ".join(c.rjust(width) for c in row) for row in cells]
    if len(lines) == 1:
        return [f"[{lines[0]}]"]
    brackets = [("⎡", "⎤")] + [("⎢", "⎥")] * (len(lines) - 2) + [("⎣", "⎦")]
    return [f"{left}{line}{right}" for (left, right), line in zip(brackets, lines)]


def _side_by_side(*parts: list[str] | str) -> str:
    """Blocks and words laid out on one row of text lines, each centred vertically.

    Two matrices in a row touch, as a product is written (Wˡaˡ⁻¹); anything else is spaced.
    """
    blocks = [[p] if isinstance(p, str) else p for p in parts]
    height = max(len(b) for b in blocks)
    out = [""] * height
    for k, block in enumerate(blocks):
        width = max(len(line) for line in block)
        top = (height - len(block)) // 2
        product = isinstance(parts[k], list) and k + 1 < len(parts) and isinstance(parts[k + 1], list)
        for i in range(height):
            line = block[i - top] if 0 <= i - top < len(block) else ""
            out[i] += line.ljust(width) + ("" if product else " ")
    return "\n".join(line.rstrip() for line in out)


def feedforward_rows(a0: np.ndarray, layers: list[LayerPass], features: list[str]) -> list[tuple[bool, str]]:
    """The pass as (is a heading, text) rows: a⁰, then for each layer sˡ = Wˡ aˡ⁻¹ + bˡ and aˡ = f(sˡ)."""
    sup = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
    names = [LABELS[f] for f in features]
    width = max(len(n) for n in names)
    rows = [(False, _side_by_side("a⁰ =", [n.rjust(width) + " " for n in names], _block(a0)))]
    for l, layer in enumerate(layers, start=1):
        this, prev = str(l).translate(sup), str(l - 1).translate(sup)
        rows.append((True, f"Layer {l}{' (output)' if l == len(layers) else ''}: "
                           f"s{this} = W{this} a{prev} + b{this},  a{this} = {layer.f}(s{this})"))
        # Two rows of about 40 characters, so a lessons dock a quarter of a laptop screen wide holds them.
        rows.append((False, _side_by_side(f"s{this} =", _block(layer.W), _block(a_prev(a0, layers, l)), "+",
                                          _block(layer.b))))
        rows.append((False, _side_by_side(" " * len(f"s{this}") + " =", _block(layer.s),
                                          f"  a{this} = {layer.f}(s{this}) =", _block(layer.a))))
    return rows


def feedforward_text(a0: np.ndarray, layers: list[LayerPass], features: list[str]) -> str:
    """The pass as plain text: a⁰, then for each layer sˡ = Wˡ aˡ⁻¹ + bˡ and aˡ = f(sˡ), with the numbers."""
    return "\n\n".join(text for _, text in feedforward_rows(a0, layers, features))


def a_prev(a0: np.ndarray, layers: list[LayerPass], l: int) -> np.ndarray:
    """a^(l-1): the input for layer 1, else the previous layer's activations."""
    return a0 if l == 1 else layers[l - 2].a


def feedforward_html(a0: np.ndarray, layers: list[LayerPass], features: list[str], point) -> str:
    """The pass for the view: a line about the point and the convention, then the numbers in monospace."""
    return (f"<p>Point ({point[0]:+.2f}, {point[1]:+.2f}). Row j of W<sup>l</sup> holds the weights into "
            "neuron j of layer l (the engine's weights[l−1], transposed).</p>"
            + "".join(f"<p><b>{html.escape(text)}</b></p>" if heading  # a heading may wrap; numbers may not
                      else f"<pre style='font-size:7pt'>{html.escape(text)}</pre>"
                      for heading, text in feedforward_rows(a0, layers, features)))


class FeedforwardView(QWidget):
    """The live feedforward view: shows the pass for the hovered point and the latest weights."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("lesson-feedforward")
        self.setAccessibleName("Feedforward in matrices")
        self.point: tuple[float, float] | None = None
        self.passes: tuple[np.ndarray, list[LayerPass]] | None = None  # the numbers on show (tests read them)
        self.hint = QLabel("Hover the canvas: the pass is written out for the point under the mouse.")
        self.hint.setWordWrap(True)
        self.text = describe(QTextBrowser(), "Feedforward written out",
                             "The forward pass in matrices for the point under the mouse or the crosshair")
        self.text.setMinimumHeight(160)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.hint)
        layout.addWidget(self.text, 1)

    def set_point(self, point: tuple[float, float] | None, snap) -> None:
        """Follow the mouse (None: it left the canvas; the last point stays on show)."""
        if point is not None:
            self.point = point
        self.refresh(snap)

    def refresh(self, snap) -> None:
        """Recompute the pass with the snapshot's weights."""
        if snap is None or self.point is None:
            return
        self.passes = feedforward(snap, self.point)
        self.text.setHtml(feedforward_html(*self.passes, list(snap.features), self.point))
