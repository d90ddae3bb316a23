"""Compare mode's panel: runs A and B side by side, their loss curves on one plot, B's difference.

Both maps are ``DataCanvas`` views of the window's one data model: same points, same square,
the same size, and a point drawn on either is drawn for both runs. The panel only shows and
asks; ``gui.compare_actions.ComparePresenter`` decides.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from engine.snapshot import Snapshot
from gui import theme
from gui.compare_model import CHOICES, KINDS, describe
from gui.data_model import DataModel
from gui.replay_actions import MARKER_COLOUR
from gui.series import GrowingSeries
from gui.widgets.axes import epoch_plot, live_curve
from gui.widgets.canvas import DataCanvas, SquareFrame

RUN_B_COLOR = QColor(204, 121, 167)  # Okabe-Ito reddish purple; run A is drawn in the theme's text colour


def run_colors() -> dict[str, QColor]:
    """Each run's colour in the theme in force: A as the text (near black, or near white in the dark), B purple."""
    return {"A": QColor(theme.current().text), "B": RUN_B_COLOR}
SAME = "same as A"  # the value list's first entry: B takes A's value for this kind


def figures(snap: Snapshot | None, wanted: int | None = None) -> str:
    """One run's epoch, loss and accuracies on one line (a replayed epoch said so; ``wanted``: the
    epoch asked for, when the run kept no keyframe there and shows its last one before it)."""
    if snap is None:
        return "starting…"
    loss = "–" if snap.train_loss is None else f"{snap.train_loss:.4f}"
    text = f"{'replaying epoch' if snap.replay else 'epoch'} {snap.epoch:,}   loss {loss}"
    if wanted is not None:
        text += f"   (none kept at {wanted:,})"
    if snap.diverged:
        text += "   diverged: paused"
    elif snap.step_surrogate and "step" in snap.activations and wanted is None:
        text += "   surrogate gradient"  # the trainer's word, so a run never hides the heuristic it uses
    if snap.task != "regression" and snap.train_accuracy is not None:
        test = "–" if snap.test_accuracy is None or not snap.n_test else f"{100 * snap.test_accuracy:.1f}%"
        text += f"\naccuracy {100 * snap.train_accuracy:.1f}%, test {test}"
    return text


class ComparePanel(QWidget):
    """Two decision maps, their figures, one loss plot, and the controls of B's difference."""

    # The user chose a value for one kind of difference: (kind, value), value None for "same as A".
    difference_requested = Signal(str, object)
    # The user leaves compare mode keeping run "A" or run "B".
    keep_requested = Signal(str)

    def __init__(self, model: DataModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("compare")
        self.kind = QComboBox()
        self.kind.setObjectName("compare-kind")
        self.kind.setAccessibleName("Kind of difference")
        self.kind.setToolTip("What run B does differently from run A")
        for kind, text in KINDS.items():
            self.kind.addItem(text, kind)
        self.value = QComboBox()
        self.value.setObjectName("compare-value")
        self.value.setAccessibleName("B's value")
        self.value.setToolTip("Run B's value for that difference (A keeps the window's)")
        self.value.setMinimumContentsLength(14)
        self.value.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.kind.currentIndexChanged.connect(lambda _: self._fill_values(None))
        self.value.activated.connect(self._on_value_chosen)
        self.keep_a = QPushButton("Keep A")
        self.keep_a.setObjectName("compare-keep-a")
        self.keep_a.setAccessibleName("Keep A")
        self.keep_a.setToolTip("Leave compare mode with run A")
        self.keep_b = QPushButton("Keep B")
        self.keep_b.setObjectName("compare-keep-b")
        self.keep_b.setAccessibleName("Keep B")
        self.keep_b.setToolTip("Leave compare mode with run B: its network, settings and weights (undoable)")
        self.keep_a.clicked.connect(lambda: self.keep_requested.emit("A"))
        self.keep_b.clicked.connect(lambda: self.keep_requested.emit("B"))
        top = QHBoxLayout()
        top.addWidget(QLabel("B differs in"))
        top.addWidget(self.kind)
        top.addWidget(self.value, 1)
        top.addWidget(self.keep_a)
        top.addWidget(self.keep_b)
        self.canvases: dict[str, DataCanvas] = {}
        self.titles: dict[str, QLabel] = {}
        self.figures: dict[str, QLabel] = {}
        grid = QGridLayout()
        grid.setSpacing(3)
        for column, run in enumerate("AB"):
            canvas = DataCanvas(model)
            canvas.setObjectName(f"compare-canvas-{run.lower()}")
            canvas.setAccessibleName(f"Decision map of run {run}")
            self.canvases[run] = canvas
            title = QLabel(run)
            title.setObjectName(f"compare-title-{run.lower()}")
            title.setAlignment(Qt.AlignmentFlag.AlignCenter)
            self.titles[run] = title
            figure = QLabel("starting…\n")
            figure.setAlignment(Qt.AlignmentFlag.AlignCenter)
            figure.setObjectName(f"compare-figures-{run.lower()}")
            figure.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            # A longer line (a replay, the surrogate) wraps instead of widening its column: both maps stay one size
            figure.setWordWrap(True)
            figure.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
            self.figures[run] = figure
            grid.addWidget(title, 0, column)
            grid.addWidget(SquareFrame(canvas), 1, column)
            grid.addWidget(figure, 2, column)
        grid.setRowStretch(1, 1)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)
        self.plot = epoch_plot("training loss")
        self.plot.setObjectName("compare-loss")
        self.plot.setAccessibleName("Loss of runs A and B")
        self.curves = {
            "A": live_curve(self.plot),
            "B": live_curve(self.plot),
        }
        for curve in self.curves.values():
            # Mean per pixel, not peaks: Qt dashes B's curve along its whole length, and a noisy
            # curve drawn by its peaks is a long zigzag (measured: 4 ms a paint, the GUI thread's
            # largest cost in compare mode). The means show the trend the two runs are compared by.
            curve.setDownsampling(auto=True, method="mean")
        self.marker = pg.InfiniteLine(angle=90, movable=False, pen=pg.mkPen(MARKER_COLOUR, width=2))
        self.marker.hide()  # where the replayed epoch is (see gui.compare_replay)
        self.plot.addItem(self.marker, ignoreBounds=True)
        self._names = ("", "")  # what the titles and the legend call A and B
        self.legend = QLabel()
        self.legend.setObjectName("compare-legend")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.setSpacing(3)
        layout.addLayout(top)
        layout.addLayout(grid, 3)
        layout.addWidget(self.plot, 2)
        layout.addWidget(self.legend)
        self._fill_values(None)
        theme.follow(self, self._restyle)

    def _restyle(self, _colours: theme.Theme) -> None:
        """Titles, curves and legend in the runs' colours for the theme in force."""
        colors = run_colors()
        for run, title in self.titles.items():
            title.setStyleSheet(f"color: {colors[run].name()}; font-weight: bold")
        self.curves["A"].setPen(pg.mkPen(colors["A"], width=2))
        self.curves["B"].setPen(pg.mkPen(colors["B"], width=2, style=Qt.PenStyle.DashLine))
        self.set_titles(*self._names)

    # ------------------------------------------------------------------ difference
    def _fill_values(self, chosen: object) -> None:
        """The value list of the chosen kind, showing ``chosen`` (None: "same as A")."""
        kind = self.current_kind()
        with QSignalBlocker(self.value):
            self.value.clear()
            self.value.setEditable(kind == "layers")  # any sizes may be typed, as "6,6,6"
            self.value.addItem(SAME, None)
            for value in CHOICES[kind]:
                self.value.addItem(describe(kind, value), value)
            if chosen is not None and self.value.findData(chosen) < 0:
                self.value.addItem(describe(kind, chosen), chosen)
            self.value.setCurrentIndex(max(0, self.value.findData(chosen)) if chosen is not None else 0)

    def current_kind(self) -> str:
        """The kind of difference on show."""
        return str(self.kind.currentData())

    def show_difference(self, kind: str, value: object) -> None:
        """Show ``kind`` with B's ``value`` (None: B takes A's), without asking for anything."""
        with QSignalBlocker(self.kind):
            self.kind.setCurrentIndex(self.kind.findData(kind))
        self._fill_values(value)

    def _on_value_chosen(self, index: int) -> None:
        data = self.value.itemData(index)
        if data is None and self.value.isEditable() and self.value.itemText(index) != SAME:
            data = self.value.itemText(index)  # typed sizes: the presenter reads and checks them
        self.difference_requested.emit(self.current_kind(), data)

    # ------------------------------------------------------------------ drawing
    def set_titles(self, a: str, b: str) -> None:
        """Name the runs by what differs (also in the loss plot's legend): 'A: tanh', 'B: step'."""
        self._names = (a, b)
        if not a and not b:
            return
        self.titles["A"].setText(f"A: {a}")
        self.titles["B"].setText(f"B: {b}")
        colors = run_colors()
        self.legend.setText(f"<span style='color:{colors['A'].name()}'><b>——</b></span> A ({a}) &nbsp; "
                            f"<span style='color:{colors['B'].name()}'><b>- - -</b></span> B ({b})")

    def draw_run(self, run: str, snap: Snapshot, wanted: int | None = None) -> None:
        """One run's decision map and figures (``wanted``: see ``figures``)."""
        self.canvases[run].set_decision(snap.decision_rgb, snap.bounds)
        self.figures[run].setText(figures(snap, wanted))

    def show_replayed(self, epoch: int | None) -> None:
        """Mark the replayed epoch on the loss plot (None: both runs are live)."""
        self.marker.setVisible(epoch is not None)
        if epoch is not None:
            self.marker.setValue(epoch)

    def redraw_curves(self, losses: dict[str, GrowingSeries]) -> None:
        """Both runs' training loss over the epochs, on one scale."""
        last = 10.0
        high = 0.0
        for run, series in losses.items():
            epochs, train = series.column(0), series.column(1)
            self.curves[run].setData(epochs, train)
            if len(epochs):
                last = max(last, float(epochs[-1]))
                finite = train[np.isfinite(train)]
                if len(finite):
                    high = max(high, float(finite.max()))
        item = self.plot.getPlotItem()
        item.setXRange(0, last, padding=0.02)
        item.setYRange(0, high or 1.0, padding=0.05)
