"""Lesson 7's view: the challenge's goal, the test accuracy against it, and a ladder of hints."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from gui.keyboard import describe


class ChallengeView(QWidget):
    """Lesson 7: the goal, the test accuracy against it, and a ladder of hints."""

    def __init__(self, goal: float, hints: tuple[str, ...], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.goal, self.hints, self.shown = goal, hints, 0
        self.reached = False
        self.status = QLabel()
        self.status.setObjectName("lesson-goal")
        self.status.setWordWrap(True)
        self.hint_button = QPushButton("Hint")
        self.hint_button.setObjectName("lesson-hint")
        describe(self.hint_button, "Hint", "Show the next hint")
        self.hint_button.clicked.connect(self.next_hint)
        self.hint_text = QLabel()
        self.hint_text.setObjectName("lesson-hints")
        self.hint_text.setWordWrap(True)
        self.hint_text.setTextFormat(Qt.TextFormat.RichText)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.status)
        row = QHBoxLayout()
        row.addWidget(self.hint_button)
        row.addStretch()
        layout.addLayout(row)
        layout.addWidget(self.hint_text)
        self.refresh(None)

    def next_hint(self) -> None:
        """Show one more hint (each is a little more direct than the last)."""
        self.shown = min(self.shown + 1, len(self.hints))
        self.hint_text.setText("".join(f"<p><b>Hint {i + 1}.</b> {html.escape(h)}</p>"
                                       for i, h in enumerate(self.hints[:self.shown])))
        self.hint_button.setEnabled(self.shown < len(self.hints))
        self.hint_button.setText(f"Hint ({len(self.hints) - self.shown} left)")

    def set_point(self, point, snap) -> None:
        """Not about the mouse."""

    def refresh(self, snap) -> None:
        """The test accuracy against the goal."""
        accuracy = None if snap is None else snap.test_accuracy
        if accuracy is not None and accuracy >= self.goal:
            self.reached = True
        text = f"Goal: test accuracy ≥ {self.goal:.0%}. Now: " + ("–" if accuracy is None else f"{accuracy:.1%}")
        if self.reached:
            text += "  <b>Goal reached!</b>"
        self.status.setText(text)
