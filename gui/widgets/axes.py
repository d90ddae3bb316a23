"""A value axis that, on a log scale, labels only the decades (minor labels overlap)."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg


class DecadeAxis(pg.AxisItem):
    """Log-scale labels at 0.001, 0.01, 0.1, 1, ...; the ticks in between stay unlabelled."""

    def logTickStrings(self, values, scale, spacing):  # noqa: N802 - pyqtgraph override
        """Blank every label that is not a power of ten."""
        labels = super().logTickStrings(values, scale, spacing)
        return [text if abs(v - round(v)) < 1e-9 else "" for v, text in zip(np.asarray(values), labels, strict=True)]


def epoch_plot(value_label: str) -> pg.PlotWidget:
    """A fixed (no mouse) plot of a value over the epochs, with a decade-labelled value axis."""
    plot = pg.PlotWidget(background="w", axisItems={"left": DecadeAxis("left")})
    item = plot.getPlotItem()
    item.setLabel("bottom", "epoch")
    item.setLabel("left", value_label)
    item.getAxis("left").enableAutoSIPrefix(False)
    item.showGrid(x=True, y=True, alpha=0.2)
    item.setMenuEnabled(False)
    item.hideButtons()
    item.setMouseEnabled(False, False)
    return plot


def live_curve(plot: pg.PlotWidget, **style) -> pg.PlotDataItem:
    """A curve that stays cheap however long it grows: peak downsampling to about a point a pixel."""
    curve = plot.plot(antialias=False, **style)
    curve.setDownsampling(auto=True, method="peak")
    curve.opts["autoDownsampleFactor"] = 1.0
    curve.setClipToView(True)
    return curve
