"""Notices above the canvas: why training stalled or diverged, and ways on.

The notice lives in a slot of fixed height (``NoticeSlot``) that shows a drawing hint
while there is nothing to say, so a notice appearing or going never moves the canvas.
"""

from __future__ import annotations

import math

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QResizeEvent, QTextDocument
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from engine.snapshot import Snapshot
from gui import theme
from gui.keyboard import describe

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


def _layers(numbers: list[int], total: int) -> str:
    """[1, 2] -> "layers 1–2"; the last weight layer is called the output layer."""
    names = ["the output layer" if n == total else f"layer {n}" for n in numbers]
    hidden = [n for n in numbers if n != total]
    if len(hidden) > 2 and hidden == list(range(hidden[0], hidden[-1] + 1)):
        names = [f"layers {hidden[0]}–{hidden[-1]}"] + (["the output layer"] if total in numbers else [])
    elif len(hidden) == 2:
        names = [f"layers {hidden[0]} and {hidden[1]}"] + (["the output layer"] if total in numbers else [])
    return " and ".join(names)


def blocked_layers(activations: tuple[str, ...] | list[str]) -> tuple[list[int], list[int]]:
    """Weight layers (1..L) a step blocks, and those that still learn.

    Hidden layer k (from 1) is made by weight layer k; a step there has slope 0, so every
    weight layer from the input up to the step layer nearest the output gets no gradient.
    """
    total = len(activations) + 1
    steps = [k for k, name in enumerate(activations, start=1) if name == "step"]
    last = max(steps, default=0)
    return list(range(1, last + 1)), list(range(last + 1, total + 1))


def step_text(activations: tuple[str, ...] | list[str]) -> str:
    """The stalled notice for these hidden activations: which layers get zero gradient, which still learn."""
    blocked, learning = blocked_layers(activations)
    total = len(activations) + 1
    get, learn = ("gets" if len(blocked) == 1 else "get"), ("learns" if len(learning) == 1 else "learn")
    return (f"<b>Stalled: {_layers(blocked, total)} {get} exactly zero gradient.</b> Step is flat beside its "
            f"jump (f′(s) = 0), so backprop passes no δ below a step layer. Only {_layers(learning, total)} "
            f"still {learn}.")


def switched_text(activations: tuple[str, ...] | list[str]) -> str:
    """The notice for a trained network just switched to step: its weights are kept, it learns no more below.

    It does not promise the old accuracy: each step neuron now answers only 0 or 1, so the map
    may change a lot (a tanh network whose neurons worked near s = 0 falls back towards chance).
    """
    blocked, learning = blocked_layers(activations)
    total = len(activations) + 1
    return (f"<b>Switched to step: the weights are kept, but {_layers(blocked, total)} can no longer learn "
            f"anything new</b> (step's slope is 0), and each step neuron now answers only 0 or 1. Only "
            f"{_layers(learning, total)} still {'learns' if len(learning) == 1 else 'learn'}. To see step fail, "
            "start over.")


def step_stalled(snap: Snapshot) -> bool:
    """True when a step layer blocks every gradient below it (and the surrogate is off)."""
    if snap.step_surrogate or "step" not in snap.activations or snap.epoch == 0:
        return False
    blocked, _ = blocked_layers(snap.activations)
    return all(snap.gradient_norms[k - 1] == 0.0 for k in blocked)


class Notice(QFrame):
    """A yellow box with an explanation and, for the step case, ways on."""

    # The user chose to replace every step layer by sigmoid (weights kept).
    sigmoid_requested = Signal()
    # The user chose the straight-through surrogate gradient for step.
    surrogate_requested = Signal()
    # The user chose to start over (Reset) with the step network.
    restart_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("notice")
        self.setAccessibleName("Notice")
        theme.follow(self, lambda colours: self.setStyleSheet(
            f"Notice {{ background: {colours.notice_background}; border: 1px solid {colours.notice_border}; }}"))
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.text.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.restart = QPushButton("Start over with step")
        self.restart.setObjectName("notice-restart")
        describe(self.restart, "Start over with step",
                 "New initial weights for this step network (Reset): watch it fail to learn")
        self.restart.clicked.connect(self.restart_requested)
        self.to_sigmoid = QPushButton("Switch step to sigmoid")
        self.to_sigmoid.setObjectName("notice-sigmoid")
        describe(self.to_sigmoid, "Switch step to sigmoid",
                 "Keep the weights, give the neurons a smooth slope backprop can follow")
        self.to_sigmoid.clicked.connect(self.sigmoid_requested)
        self.surrogate = QPushButton("Surrogate gradient")
        self.surrogate.setObjectName("notice-surrogate")
        describe(
            self.surrogate, "Surrogate gradient",
            "Keep step in the forward pass, but let backprop pretend its slope is a sigmoid's "
            "(a straight-through estimator: a heuristic, not the true gradient)")
        self.surrogate.clicked.connect(self.surrogate_requested)
        buttons = QHBoxLayout()
        buttons.addWidget(self.restart)
        buttons.addWidget(self.to_sigmoid)
        buttons.addWidget(self.surrogate)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.setSpacing(2)
        layout.addWidget(self.text, 1)
        layout.addLayout(buttons)
        self.kind = ""
        self._switched_run: int | None = None  # the run in which a trained network was switched to step
        self.hide()

    def mark_switched(self, run: int) -> None:
        """A trained network of run ``run`` was just switched to step: say so until the weights start over."""
        self._switched_run = run

    def show_for(self, snap: Snapshot) -> None:
        """Show the notice that fits the snapshot (or hide)."""
        if snap.diverged:
            kind, text = "diverged", DIVERGED_TEXT
        elif snap.run == self._switched_run and "step" in snap.activations and not snap.step_surrogate:
            kind, text = "switched", switched_text(snap.activations)
        elif step_stalled(snap):
            kind, text = "step", step_text(snap.activations)
        elif snap.message:
            kind, text = "message", snap.message
        else:
            kind, text = "", ""
        if kind == self.kind and self.text.text() == text:
            return
        self.kind = kind
        self.text.setText(text)
        self.text.setToolTip(STEP_WHY if kind == "step" else "")
        self.restart.setVisible(kind == "switched")
        self.to_sigmoid.setVisible(kind in ("step", "switched"))
        self.surrogate.setVisible(kind == "step")
        self.setVisible(bool(kind))
        if kind:
            self.raise_()


# The notices a student meets first (a step layer in a deep network names the most layers); the slot
# keeps room for the longest of them at its width.
SAMPLE_NOTICES = (step_text(("sigmoid", "step", "sigmoid")), switched_text(("sigmoid", "step", "sigmoid")),
                  DIVERGED_TEXT)
NOTICE_PADDING = 16  # the notice's frame and margins either side of its text


class NoticeSlot(QWidget):
    """A band of fixed height above the canvas: the notice when there is one, else a drawing hint."""

    def __init__(self, notice: Notice, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.notice = notice
        self.hint = QLabel(HINT_TEXT, self)
        self.hint.setObjectName("canvas-hint")
        self.hint.setWordWrap(True)
        self.hint.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        theme.follow(self.hint, lambda colours: theme.text_style(self.hint, colours.muted))
        notice.setParent(self)
        self._button = notice.to_sigmoid.sizeHint().height()
        self.setFixedHeight(self.height_for(0))

    def height_for(self, width: int) -> int:
        """The slot's height at ``width``: room for the longest usual notice, at least TEXT_LINES lines.

        It depends on the width alone, never on what is shown, so a notice coming or going moves
        nothing; in a narrow column (a small screen with the lessons open) the text wraps onto more
        lines, and the canvas, limited by the width there, has the height to spare.
        """
        text = TEXT_LINES * self.fontMetrics().lineSpacing()
        if width > 0:
            document = QTextDocument()
            document.setDefaultFont(self.notice.text.font())
            document.setDocumentMargin(0)
            document.setTextWidth(max(1, width - NOTICE_PADDING))
            for sample in SAMPLE_NOTICES:
                document.setHtml(sample)
                text = max(text, math.ceil(document.size().height()))
        return text + self._button + 16

    def resizeEvent(self, event: QResizeEvent) -> None:  # Qt override
        """The notice and the hint both fill the slot; the notice, when shown, lies on top."""
        super().resizeEvent(event)
        height = self.height_for(self.width())
        if height != self.height():
            self.setFixedHeight(height)  # the layout resizes the slot again, at the same width
        self.hint.setGeometry(self.rect().adjusted(4, 2, -4, -2))
        self.notice.setGeometry(self.rect())
