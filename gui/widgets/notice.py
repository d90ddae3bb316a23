"""Notices above the canvas: why training stalled or diverged, and ways on.

The notice lives in a slot of fixed height (``NoticeSlot``) that shows a drawing hint
while there is nothing to say, so a notice appearing or going never moves the canvas.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from engine.snapshot import Snapshot

STEP_TEXT = (
    "<b>Training has stalled: no gradient reaches the hidden layers.</b> Step is flat beside its jump, so "
    "f′(s) = 0, and backprop multiplies every δ below a step layer by it: only the output layer still learns."
)
STEP_WHY = (
    "The step function is flat everywhere except at its jump, so its slope f′(s) is 0. Backprop "
    "multiplies every δ below a step layer by that 0 (δˡ = Σ w δˡ⁺¹ · f′(s)), so no weight there ever changes."
)
DIVERGED_TEXT = (
    "<b>Training stopped: the loss is no longer a finite number.</b> The learning rate is too high, so "
    "each step overshoots further. The last good weights are kept: lower the learning rate and press "
    "Play, or Reset."
)
HINT_TEXT = ("Left click adds a point of the chosen class, right click one of the other class, "
             "Shift+click deletes the nearest. Space trains, S steps one epoch, R resets.")
TEXT_LINES = 3  # lines of text the slot keeps room for


def step_stalled(snap: Snapshot) -> bool:
    """True when a step layer blocks every gradient below it (and the surrogate is off)."""
    if snap.step_surrogate or "step" not in snap.activations or snap.epoch == 0:
        return False
    last_step = max(i for i, name in enumerate(snap.activations) if name == "step")
    return all(norm == 0.0 for norm in snap.gradient_norms[: last_step + 1])


class Notice(QFrame):
    """A yellow box with an explanation and, for the step case, ways on."""

    # The user chose to replace every step layer by sigmoid (weights kept).
    sigmoid_requested = Signal()
    # The user chose the straight-through surrogate gradient for step.
    surrogate_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("notice")
        self.setAccessibleName("Notice")
        self.setStyleSheet("Notice { background: #fff4d6; border: 1px solid #e69f00; }")
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.text.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.to_sigmoid = QPushButton("Switch step to sigmoid")
        self.to_sigmoid.setObjectName("notice-sigmoid")
        self.to_sigmoid.setToolTip("Keep the weights, give the neurons a smooth slope backprop can follow")
        self.to_sigmoid.clicked.connect(self.sigmoid_requested)
        self.surrogate = QPushButton("Use a surrogate gradient")
        self.surrogate.setObjectName("notice-surrogate")
        self.surrogate.setToolTip(
            "Keep step in the forward pass, but let backprop pretend its slope is a sigmoid's "
            "(a straight-through estimator: a heuristic, not the true gradient)")
        self.surrogate.clicked.connect(self.surrogate_requested)
        buttons = QHBoxLayout()
        buttons.addWidget(self.to_sigmoid)
        buttons.addWidget(self.surrogate)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.setSpacing(2)
        layout.addWidget(self.text, 1)
        layout.addLayout(buttons)
        self.kind = ""
        self.hide()

    def show_for(self, snap: Snapshot) -> None:
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
        self.text.setToolTip(STEP_WHY if kind == "step" else "")
        self.to_sigmoid.setVisible(kind == "step")
        self.surrogate.setVisible(kind == "step")
        self.setVisible(bool(kind))
        if kind:
            self.raise_()


class NoticeSlot(QWidget):
    """A band of fixed height above the canvas: the notice when there is one, else a drawing hint."""

    def __init__(self, notice: Notice, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.notice = notice
        self.hint = QLabel(HINT_TEXT, self)
        self.hint.setObjectName("canvas-hint")
        self.hint.setWordWrap(True)
        self.hint.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.hint.setStyleSheet("color: #555;")
        notice.setParent(self)
        button = notice.to_sigmoid.sizeHint().height()
        self.setFixedHeight(TEXT_LINES * self.fontMetrics().lineSpacing() + button + 16)

    def resizeEvent(self, event: QResizeEvent) -> None:  # Qt override
        """The notice and the hint both fill the slot; the notice, when shown, lies on top."""
        super().resizeEvent(event)
        self.hint.setGeometry(self.rect().adjusted(4, 2, -4, -2))
        self.notice.setGeometry(self.rect())
