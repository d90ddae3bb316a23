"""Gradient flow: each layer's weight-gradient norm per epoch, on a log scale, live.

A deep sigmoid network shows its vanishing gradients as curves stacked decades apart;
a step network's hidden layers have gradients of exactly zero, which a log axis cannot
draw, so the caption beneath names the layers whose latest measured gradient is exactly 0.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from gui import theme
from gui.series import GrowingSeries, PositiveRange
from gui.widgets.axes import epoch_plot, live_curve, log_span, round_end

CAPTION = "Gradient flow: each layer's ‖∂J/∂W‖ over the training points, epoch by epoch."


def layer_name(l: int, layers: int) -> str:
    """The name of weight layer ``l`` (from 0) of ``layers``: "layer 1" ... or "output"."""
    return "output" if l == layers - 1 else f"layer {l + 1}"


class GradientPlot(QWidget):
    """||dJ/dW^l|| per layer over the epochs (log scale), one point per snapshot."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.plot = epoch_plot("‖∂J/∂W‖")
        self.plot.setObjectName("gradient-plot")
        self.plot.setAccessibleName("Gradient flow plot")
        self.plot.getPlotItem().setLogMode(y=True)
        # One coloured name per layer, beneath the plot: a legend inside would cover the curves.
        self.legend = QLabel()
        self.legend.setObjectName("gradient-legend")
        self.legend.setWordWrap(True)
        self.curves: list[pg.PlotDataItem] = []
        self._range = PositiveRange()
        self._shown: tuple[tuple[float, float], tuple[float, float] | None] | None = None  # the ranges set last
        self.caption = QLabel(CAPTION)
        self.caption.setWordWrap(True)
        self.caption.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.plot, 1)
        layout.addWidget(self.legend)
        layout.addWidget(self.caption)
        theme.follow(self, self._restyle)

    def _restyle(self, colours: theme.Theme) -> None:
        """Each layer's curve in the theme's series colours (black is no colour on a dark plot)."""
        layers = len(self.curves)
        names = []
        for l, curve in enumerate(self.curves):
            colour = colours.series[l % len(colours.series)]
            curve.setPen(pg.mkPen(colour, width=2))
            names.append(f"<span style='color:{colour}'><b>—</b></span>&nbsp;{layer_name(l, layers)}")
        self.legend.setText(" &nbsp; ".join(names))

    def _ensure_curves(self, layers: int) -> None:
        if len(self.curves) == layers:
            return
        for curve in self.curves:
            self.plot.removeItem(curve)
        self.curves = [live_curve(self.plot) for _ in range(layers)]
        self._restyle(theme.current())

    def _set_ranges(self, x_range: tuple[float, float], norms: tuple[float, float] | None) -> None:
        """Round ranges (the epochs' next round end; eighths of a decade around the norms), set
        only when they changed: each change lays the axes out again."""
        y_range = log_span(*norms) if norms is not None else None
        if (x_range, y_range) == self._shown:
            return
        self._shown = (x_range, y_range)
        item = self.plot.getPlotItem()
        item.setXRange(*x_range, padding=0.02)
        if y_range is not None:
            item.setYRange(*y_range, padding=0.05)

    def redraw(self, series: GrowingSeries | None) -> None:
        """Draw the gradient history (columns: epoch, then one norm per layer)."""
        if series is None or series.columns < 2:
            return
        layers = series.columns - 1
        self._ensure_curves(layers)
        epochs = series.column(0)
        zero_layers = []
        palette = theme.current().series
        for l, curve in enumerate(self.curves):
            norms = series.column(l + 1)
            positive = norms > 0
            if len(norms) and norms[-1] == 0:  # the latest measurement: with the activations now in force
                zero_layers.append(layer_name(l, layers))
            # A log axis cannot show 0: leave gaps there (connect="finite" skips NaN).
            shown = np.where(positive, norms, np.nan)
            # One measurement (epoch 0, a session just opened) is no line: show it as a dot.
            single = len(norms) == 1
            x, y = (epochs[positive], norms[positive]) if single else (epochs, shown)  # no dot for a zero
            curve.setData(x, y, connect="finite", symbol="o" if single else None, symbolSize=6,
                          symbolPen=None, symbolBrush=palette[l % len(palette)])
        self._set_ranges((0.0, round_end(epochs[-1]) if len(epochs) else 10.0),
                         self._range.update(series, tuple(range(1, series.columns))))
        if zero_layers:
            self.caption.setText(f"Exactly zero gradient (nothing to draw on a log scale): {', '.join(zero_layers)}.")
        else:
            self.caption.setText(CAPTION)
