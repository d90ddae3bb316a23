"""The one conversion from the engine's palette to Qt colours (class colours, values, any RGB)."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

import numpy as np
from PySide6.QtGui import QColor

from engine import palette


def qcolor(rgb: Sequence[int] | np.ndarray) -> QColor:
    """An (r, g, b) triple of 0..255 (numpy or plain numbers) as a QColor."""
    r, g, b = (int(c) for c in rgb)
    return QColor(r, g, b)


def class_color(label: int) -> QColor:
    """The colour of class ``label`` (Okabe–Ito; the palette repeats beyond its six colours)."""
    return qcolor(palette.CLASS_COLORS[int(label) % len(palette.CLASS_COLORS)])


def value_color(value: float, bins: int = 21) -> QColor:
    """The colour of a regression value in [-1, 1] (orange negative, white 0, blue positive), in ``bins`` steps."""
    return QColor(_value_colours(bins)[value_step(value, bins)])


def value_step(value: float, bins: int = 21) -> int:
    """Which of ``value_color``'s ``bins`` steps a regression value falls in (0 for -1, ``bins - 1`` for +1)."""
    return int(np.clip(round((value + 1) / 2 * (bins - 1)), 0, bins - 1))


@cache
def _value_colours(bins: int) -> tuple[QColor, ...]:
    """The ``bins`` colours of ``value_color``, made once (a copy of one is handed out each time)."""
    return tuple(qcolor(rgb) for rgb in palette.diverging_lut(bins, strength=1.0))


def translucent(colour: QColor, alpha: int) -> QColor:
    """``colour`` with opacity ``alpha`` (0..255)."""
    result = QColor(colour)
    result.setAlpha(alpha)
    return result
