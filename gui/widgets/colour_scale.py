"""The colour scale under the canvas: which colour means which value, on the map and in the neurons."""

from __future__ import annotations

from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor, QLinearGradient, QPainter, QPaintEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QWidget

from engine import palette
from gui import theme

SCALE_STEPS = 9  # colour stops along the bar (the lookup table is linear between them)


class _Bar(QWidget):
    """The orange-white-blue bar itself."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMinimumSize(60, 12)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setFixedHeight(12)

    def paintEvent(self, event: QPaintEvent) -> None:  # Qt override
        """A gradient through the same colours the maps use."""
        painter = QPainter(self)
        gradient = QLinearGradient(0, 0, self.width(), 0)
        lut = palette.diverging_lut(SCALE_STEPS, strength=1.0)
        for k, rgb in enumerate(lut):
            gradient.setColorAt(k / (SCALE_STEPS - 1), QColor(*map(int, rgb)))
        painter.fillRect(self.rect(), gradient)
        painter.setPen(QColor(theme.current().border))
        painter.drawRect(QRectF(0, 0, self.width() - 1, self.height() - 1))
        painter.end()


class ColourScale(QWidget):
    """"−1 [orange ... white ... blue] 1" and what the ends mean for the current task."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("colour-scale")
        self.setAccessibleName("Colour scale")
        self.low = QLabel("−1")
        self.high = QLabel("1")
        self.bar = _Bar()
        self.meaning = QLabel()
        theme.follow(self.meaning, lambda colours: theme.text_style(self.meaning, colours.muted))
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(4)
        row.addWidget(self.low)
        row.addWidget(self.bar, 1)
        row.addWidget(self.high)
        row.addWidget(self.meaning)
        self.show_task("binary")

    def show_task(self, task: str) -> None:
        """Say what the ends of the scale mean for ``task`` (binary, multiclass or regression)."""
        self.task = task
        if task == "regression":
            low, high, text = "−1", "+1", "value"
            tip = ("Map and points: the network's output value and the points' values, orange for −1, "
                   "blue for +1 (beyond ±1: full colour). Neuron maps: each neuron's activation, same scale.")
        elif task == "multiclass":
            low, high, text = "−1", "+1", "activation"
            tip = ("Neuron maps: each neuron's activation, orange for −1, blue for +1. The canvas mixes the "
                   "class colours by the network's probabilities (white: undecided); each output neuron is "
                   "tinted with its class's colour.")
        else:
            low, high, text = "class 1  −1", "+1  class 2", ""
            tip = ("Map: the network's output, from class 1 (orange, −1) through undecided (white, 0) to "
                   "class 2 (blue, +1). Neuron maps: each neuron's activation on the same scale.")
        self.low.setText(low)
        self.high.setText(high)
        self.meaning.setText(text)
        self.meaning.setVisible(bool(text))
        for widget in (self, self.low, self.high, self.bar, self.meaning):
            widget.setToolTip(tip)
