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
