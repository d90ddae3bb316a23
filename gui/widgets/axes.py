"""Plot axes that stay readable: log labels at the decades, epoch labels that never run together."""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetricsF
from PySide6.QtWidgets import QGraphicsItem

from gui import theme

LABEL_GAP = 14  # pixels kept free between two tick labels
# Round ends for a growing axis: each is at most 4/3 of the one before, so right after the
# axis grows the data still fill at least three quarters of it.
ROUND_ENDS = (1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0)
LOG_STEP = 0.125  # a log axis's ends move in eighths of a decade


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


def round_end(value: float, least: float = 10.0) -> float:
    """The smallest round number (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6 or 8 times a power of ten) >= ``value``.

    A live plot's epoch axis ends there: it moves only when the data reach its end, so its
    ticks and labels are laid out again a few times per decade instead of every frame.
    """
    value = max(float(value), least)
    exponent = math.floor(math.log10(value))
    for mantissa in (*ROUND_ENDS, 10.0):
        end = mantissa * 10.0**exponent
        if end >= value * (1 - 1e-12):
            return end
    return 10.0 ** (exponent + 1)


def log_span(low: float, high: float) -> tuple[float, float]:
    """The log10 range shown for positive values ``low`` .. ``high``, its ends on eighths of a decade."""
    bottom = math.floor(math.log10(low) / LOG_STEP) * LOG_STEP
    top = math.ceil(math.log10(high) / LOG_STEP) * LOG_STEP
    return bottom, max(top, bottom + LOG_STEP)


def cache_axes(plot: pg.PlotWidget) -> None:
    """Keep every axis of ``plot`` (ticks, labels and grid lines) as a pixmap.

    pyqtgraph replays an axis's whole drawing whenever anything under it is repainted (the
    grid lines span the plot, the tick marks reach into it); measured while training, that
    replay was the largest part of painting a plot. Cached, a repaint copies pixels, and the
    axis is drawn again only when it changes (new range, new size).
    """
    for side in ("left", "bottom", "right", "top"):
        plot.getPlotItem().getAxis(side).setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)


def epoch_plot(value_label: str) -> pg.PlotWidget:
    """A fixed (no mouse) plot of a value over the epochs, with a decade-labelled value axis."""
    # enableMenu=False: no context menus are built (they are never shown; building them slowed start-up)
    plot = pg.PlotWidget(axisItems={"left": DecadeAxis("left"), "bottom": EpochAxis("bottom")}, enableMenu=False)
    item = plot.getPlotItem()
    item.setLabel("bottom", "epoch")
    item.setLabel("left", value_label)
    item.getAxis("left").enableAutoSIPrefix(False)
    item.getAxis("bottom").enableAutoSIPrefix(False)
    item.showGrid(x=True, y=True, alpha=0.2)
    item.setMenuEnabled(False)
    item.hideButtons()
    item.setMouseEnabled(False, False)
    item.disableAutoRange()  # the owner sets round ranges itself; auto range would move the axes every frame
    cache_axes(plot)
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
