"""Non-modal notices above the canvas: why training stalled or diverged, and ways on."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

STEP_TEXT = (
    "<b>Training has stalled: the gradients into the hidden layers are exactly zero.</b> "
    "The step function is flat everywhere except at its jump, so its slope f′(s) is 0. "
    "Backprop multiplies every δ below a step layer by that 0 (δ<sup>l</sup> = Σ w δ<sup>l+1</sup> · f′(s)), "
    "so no weight there ever changes: only the output layer still learns."
)
DIVERGED_TEXT = (
    "<b>Training stopped: the loss is no longer a finite number.</b> The learning rate is too high "
    "for this network, so each step overshoots further than the last. The last good weights are "
    "kept: lower the learning rate and press Play, or Reset."
)


def step_stalled(snap) -> bool:
    """True when a step layer blocks every gradient below it (and the surrogate is off)."""
    if snap.step_surrogate or "step" not in snap.activations or snap.epoch == 0:
        return False
    last_step = max(i for i, name in enumerate(snap.activations) if name == "step")
    return all(norm == 0.0 for norm in snap.gradient_norms[: last_step + 1])


class Notice(QFrame):
    """A yellow box with an explanation and, for the step case, two ways on."""

    # The user chose to replace every step layer by sigmoid (weights kept).
    sigmoid_chosen = Signal()
    # The user chose the straight-through surrogate gradient for step.
    surrogate_chosen = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setStyleSheet("Notice { background: #fff4d6; border: 1px solid #e69f00; }")
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.to_sigmoid = QPushButton("Switch step to sigmoid")
        self.to_sigmoid.setToolTip("Keep the weights, give the neurons a smooth slope backprop can follow")
        self.to_sigmoid.clicked.connect(self.sigmoid_chosen)
        self.surrogate = QPushButton("Use a surrogate gradient (heuristic)")
        self.surrogate.setToolTip(
            "Keep step in the forward pass, but let backprop pretend its slope is a sigmoid's "
            "(a straight-through estimator: a heuristic, not the true gradient)")
        self.surrogate.clicked.connect(self.surrogate_chosen)
        buttons = QHBoxLayout()
        buttons.addWidget(self.to_sigmoid)
        buttons.addWidget(self.surrogate)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.text)
        layout.addLayout(buttons)
        self.kind = ""
        self.hide()

    def show_for(self, snap) -> None:
        """Show the notice that fits the snapshot (or hide)."""
        if snap.diverged:
            kind, text = "diverged", DIVERGED_TEXT
        elif step_stalled(snap):
            kind, text = "step", STEP_TEXT
        elif snap.message:
            kind, text = "message", snap.message
        else:
            kind, text = "", ""
        if kind == self.kind and (kind != "message" or self.text.text() == text):
            return
        self.kind = kind
        self.text.setText(text)
        self.to_sigmoid.setVisible(kind == "step")
        self.surrogate.setVisible(kind == "step")
        self.setVisible(bool(kind))
