"""The replay timeline: a slider over the run's keyframes, whose right end is the live network."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSlider, QVBoxLayout, QWidget

LIVE_STYLE = ""
REPLAY_STYLE = "QLabel { background: #E69F00; color: black; font-weight: bold; border-radius: 3px; padding: 0 4px; }"


class Timeline(QWidget):
    """Slider positions 0..n-1 are the kept keyframes (oldest first); position n is live.

    It only shows and asks: ``position_requested`` when the user moves the slider (mouse or
    keys), ``live_requested`` and ``continue_requested`` from its buttons.
    """

    position_requested = Signal(int)
    live_requested = Signal()
    continue_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = QLabel("Live")  # replaced by "Replaying epoch N of M" while an earlier epoch is shown
        self.label.setObjectName("replay-label")
        self.label.setAccessibleName("Replay state")
        self.label.setToolTip("Drag the timeline back to see the network as it was at an earlier epoch")
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setObjectName("timeline")
        self.slider.setAccessibleName("Training timeline")
        self.slider.setToolTip("Training timeline: drag back to replay an earlier epoch (training pauses); "
                               "the right end is the live network")
        self.slider.setRange(0, 0)
        self.slider.setPageStep(5)
        self.slider.valueChanged.connect(self._on_value_change)
        self.live = QPushButton("Back to live")
        self.live.setObjectName("back-to-live")
        self.live.setAccessibleName("Back to live")
        self.live.setToolTip("Show the live network again (training stays paused)")
        self.live.clicked.connect(self.live_requested)
        self.resume = QPushButton("Continue from here")
        self.resume.setObjectName("continue-here")
        self.resume.setAccessibleName("Continue from here")
        self.resume.setToolTip("Train on from the epoch shown: the later history is dropped (Ctrl+Z undoes it)")
        self.resume.clicked.connect(self.continue_requested)
        # The slider gets the whole width (finer scrubbing); the state and the buttons sit beneath it.
        row = QHBoxLayout()
        row.setSpacing(4)
        row.addWidget(self.label)
        row.addStretch(1)
        row.addWidget(self.live)
        row.addWidget(self.resume)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(1)
        layout.addWidget(self.slider)
        layout.addLayout(row)
        self._quiet = False
        self.show_live(0)

    def _on_value_change(self, value: int) -> None:
        if not self._quiet:
            self.position_requested.emit(value)

    def set_positions(self, keyframes: int, position: int) -> None:
        """``keyframes`` kept (so ``keyframes + 1`` positions) with the handle at ``position``; emits nothing."""
        self._quiet = True
        try:
            self.slider.setRange(0, keyframes)
            self.slider.setValue(position)
        finally:
            self._quiet = False
        self.slider.setEnabled(keyframes > 0)

    def show_live(self, keyframes: int) -> None:
        """The live network is shown: the handle at the right end."""
        self.set_positions(keyframes, keyframes)
        self.label.setText("Live")
        self.label.setStyleSheet(LIVE_STYLE)
        self.live.setEnabled(False)
        self.resume.setEnabled(False)

    def show_replay(self, epoch: int, live_epoch: int, can_continue: bool, why_not: str = "") -> None:
        """Keyframe ``epoch`` (of a run now at ``live_epoch``) is shown: say so, offer the way back and on."""
        self.label.setText(f"Replaying epoch {epoch:,} of {live_epoch:,}")
        self.label.setStyleSheet(REPLAY_STYLE)
        self.live.setEnabled(True)
        self.resume.setEnabled(can_continue)
        self.resume.setToolTip(why_not or "Train on from the epoch shown: the later history is dropped "
                                          "(Ctrl+Z undoes it)")
