"""Training and test loss per epoch, live, with a log-scale toggle and the accuracies."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from engine.snapshot import Snapshot
from gui.colors import class_color
from gui.keyboard import describe
from gui.series import GrowingSeries, PositiveRange
from gui.widgets.axes import epoch_plot, live_curve, log_span, round_end


class LossPlot(QWidget):
    """Loss curves (downsampled, clipped to view) and a line of figures beneath them."""

    def __init__(self, series: GrowingSeries, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.series = series  # columns: epoch, training loss, test loss
        self._range = PositiveRange()
        self._shown: tuple[tuple[float, float], tuple[float, float]] | None = None  # the ranges set last
        self.plot = epoch_plot("loss")
        self.plot.setObjectName("loss-plot")
        self.plot.setAccessibleName("Loss plot")
        self.train_curve = live_curve(self.plot, pen=pg.mkPen(class_color(1), width=2))
        self.test_curve = live_curve(self.plot, pen=pg.mkPen(class_color(0), width=2, style=Qt.PenStyle.DashLine))
        # The legend sits beside the figures, outside the plot, so it never covers a curve.
        self.legend = QLabel(f"<span style='color:{class_color(1).name()}'><b>——</b></span> training &nbsp; "
                             f"<span style='color:{class_color(0).name()}'><b>- -</b></span> test")
        self.legend.setObjectName("loss-legend")
        self.log_scale = QCheckBox("log scale")
        describe(self.log_scale, "Log scale", "Show the loss on a logarithmic axis")
        self.log_scale.toggled.connect(self._on_log_scale_change)
        self.figures = QLabel("no training yet")
        self.figures.setWordWrap(True)
        self.figures.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        row = QHBoxLayout()
        row.addWidget(self.legend)
        row.addStretch(1)
        row.addWidget(self.log_scale)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.plot, 1)
        layout.addLayout(row)
        layout.addWidget(self.figures)

    def redraw(self) -> None:
        """Push the curves to the plot (downsampled and clipped by pyqtgraph)."""
        epochs = self.series.column(0)
        self.train_curve.setData(epochs, self.series.column(1))
        test = self.series.column(2)
        if np.isnan(test).all():
            self.test_curve.setData([], [])
        else:
            self.test_curve.setData(epochs, test)
        if len(epochs):
            x_range = (0.0, round_end(epochs[-1]))
            y_range = self._fit_y() or (self._shown[1] if self._shown else self._empty_y())
        else:  # a new run (Reset, a new network): the axes start over too
            x_range, y_range = (0.0, 10.0), self._empty_y()
        self._set_ranges(x_range, y_range)

    def _empty_y(self) -> tuple[float, float]:
        return (-1.0, 0.0) if self.log_scale.isChecked() else (0.0, 1.0)

    def _set_ranges(self, x_range: tuple[float, float], y_range: tuple[float, float]) -> None:
        """Set the view's ranges, only when they changed: each change lays the axes out again."""
        if (x_range, y_range) == self._shown:
            return
        self._shown = (x_range, y_range)
        item = self.plot.getPlotItem()
        item.setXRange(*x_range, padding=0.02)
        item.setYRange(*y_range, padding=0.05)

    def _loss_range(self) -> tuple[float, float] | None:
        """Smallest positive and largest loss so far, updated from the new entries only."""
        return self._range.update(self.series, (1, 2))

    def _fit_y(self) -> tuple[float, float] | None:
        """The loss axis's range: from 0 to the largest loss, or (log scale) round decades around them."""
        bounds = self._loss_range()
        if bounds is None:
            return None
        low, high = bounds
        if self.log_scale.isChecked():
            return log_span(low, high)
        return 0.0, high

    def _on_log_scale_change(self, on: bool) -> None:
        self.plot.getPlotItem().setLogMode(y=on)
        self._shown = None
        self.redraw()

    def set_figures(self, snap: Snapshot) -> None:
        """Show the latest losses (and accuracies for classification) in words."""

        def loss(v):
            return "–" if v is None else f"{v:.4f}"

        def pct(v):
            return "–" if v is None else f"{100 * v:.1f}%"

        text = f"loss: training {loss(snap.train_loss)}, test {loss(snap.test_loss)}"
        if snap.task != "regression":
            text += f"\naccuracy: training {pct(snap.train_accuracy)}, test {pct(snap.test_accuracy)}"
        self.figures.setText(text)
