"""Plot axes that stay readable: log labels at the decades, epoch labels that never run together."""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetricsF

from gui import theme

LABEL_GAP = 14  # pixels kept free between two tick labels


class DecadeAxis(pg.AxisItem):
    """Log-scale labels at 0.001, 0.01, 0.1, 1, ...; the ticks in between stay unlabelled.

    When the view spans less than a decade there is no power of ten to label, so the ticks
    in between keep their labels (pyqtgraph leaves out the ones that would crowd).
    """

    def logTickValues(self, minVal, maxVal, size, stdTicks):  # pyqtgraph override
        """pyqtgraph's ticks; when the view is too narrow for any of them, round values in between."""
        ticks = super().logTickValues(minVal, maxVal, size, stdTicks)
        if sum(len(values) for _, values in ticks) >= 2 or maxVal <= minVal:
            return ticks
        low, high = 10.0**minVal, 10.0**maxVal
        raw = (high - low) / 4
        exponent = math.floor(math.log10(raw))
        step = next(m * 10.0**exponent for m in (1, 2, 5, 10) if m * 10.0**exponent >= raw)
        values = np.arange(math.ceil(low / step) * step, high, step)
        return [(None, list(np.log10(values[values > 0])))]

    def logTickStrings(self, values, scale, spacing):  # pyqtgraph override
        """Blank every label that is not a power of ten, unless no power of ten is in view."""
        low, high = sorted(self.range)
        if math.floor(high + 1e-9) < math.ceil(low - 1e-9):  # no decade in view: label what there is
            return [f"{10.0**v * scale:.3g}" for v in values]
        labels = super().logTickStrings(values, scale, spacing)
        return [text if abs(v - round(v)) < 1e-9 else "" for v, text in zip(np.asarray(values), labels, strict=True)]


def compact_number(value: float) -> str:
    """1500 -> "1.5k", 2_000_000 -> "2M": short tick labels for large epoch counts."""
    magnitude = abs(value)
    for size, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if magnitude >= size:
            return f"{value / size:.4g}{suffix}"
    return f"{value:.4g}"


class EpochAxis(pg.AxisItem):
    """An epoch axis whose labelled ticks are spaced by their width, so labels never overlap."""

    def tickStrings(self, values, scale, spacing):  # pyqtgraph override
        """Compact labels (250k, 1.5M)."""
        return [compact_number(v * scale) for v in values]

    def tickSpacing(self, minVal, maxVal, size):  # pyqtgraph override
        """pyqtgraph's spacing, widened until the widest label plus a gap fits between two ticks."""
        levels = super().tickSpacing(minVal, maxVal, size)
        span = maxVal - minVal
        if size <= 0 or span <= 0 or not levels:
            return levels
        metrics = QFontMetricsF(self.style.get("tickFont") or self.font())
        widest = max(metrics.horizontalAdvance(compact_number(v)) for v in (minVal, maxVal, (minVal + maxVal) / 2))
        least = (widest + LABEL_GAP) * span / size  # the smallest spacing (in epochs) that fits
        major = levels[0][0]
        if major >= least:
            return levels
        exponent = math.floor(math.log10(least))
        mantissa = next(m for m in (1, 2, 5, 10) if m * 10**exponent >= least)
        spacing = mantissa * 10**exponent
        return [(spacing, 0), (spacing / (2 if mantissa == 2 else 5), 0)]


def epoch_plot(value_label: str) -> pg.PlotWidget:
    """A fixed (no mouse) plot of a value over the epochs, with a decade-labelled value axis."""
    plot = pg.PlotWidget(axisItems={"left": DecadeAxis("left"), "bottom": EpochAxis("bottom")})
    item = plot.getPlotItem()
    item.setLabel("bottom", "epoch")
    item.setLabel("left", value_label)
    item.getAxis("left").enableAutoSIPrefix(False)
    item.getAxis("bottom").enableAutoSIPrefix(False)
    item.showGrid(x=True, y=True, alpha=0.2)
    item.setMenuEnabled(False)
    item.hideButtons()
    item.setMouseEnabled(False, False)
    plot.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # nothing to do with keys: Tab passes it by
    theme.follow(plot, lambda colours: theme.style_plot(plot, colours))
    return plot


def live_curve(plot: pg.PlotWidget, **style) -> pg.PlotDataItem:
    """A curve that stays cheap however long it grows: peak downsampling to about a point a pixel."""
    curve = plot.plot(antialias=False, **style)
    curve.setDownsampling(auto=True, method="peak")
    curve.opts["autoDownsampleFactor"] = 1.0
    curve.setClipToView(True)
    return curve
