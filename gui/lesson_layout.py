"""Room for the Lessons dock on a laptop screen: the dock, the canvas and the plots share the width.

A dock beside the window's three columns would shrink all of them alike; on a 1366 or 1280
pixel wide screen that leaves a canvas too small to work on. So the dock takes a quarter of
the window, the canvas takes its room back from the network column, and the loss and
gradient plots, too narrow side by side in what is left, are stacked. Closing the dock
puts the plots back side by side.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QSplitter
from shiboken6 import isValid

PANEL_WIDTH = (300, 430)  # the lessons dock's narrowest and widest: a quarter of the window, within these
NETWORK_MIN = 290  # pixels the network column keeps when the canvas takes room back from it
CANVAS_MIN = 250
CANVAS_SHARE = 0.38  # of the window's width at most, as the window gives it without the dock
PLOT_MIN = 230  # narrower than this side by side, the loss and gradient plots are stacked


def panel_width(window_width: int) -> int:
    """The lessons dock's width in a window ``window_width`` pixels wide: a quarter, within PANEL_WIDTH."""
    return int(min(max(window_width // 4, PANEL_WIDTH[0]), PANEL_WIDTH[1]))


def make_room(window) -> None:
    """Give the lessons dock a quarter of the window and let the canvas take its room from the network column.

    On a 1366 or 1280 pixel wide screen, a dock beside three columns would shrink all of them
    alike; the canvas is where the student works, so it gets back the largest square the
    network column can spare (keeping NETWORK_MIN pixels) once the dock has been laid out.
    """
    width = panel_width(window.width())
    window.lessons_panel.setMaximumWidth(width)
    window.resizeDocks([window.lessons_dock], [width], Qt.Orientation.Horizontal)
    QTimer.singleShot(0, lambda: _share_with_canvas(window))


def _share_with_canvas(window) -> None:
    if not isValid(window) or not window.lessons_dock.isVisible():
        return
    columns = window.splitter
    total = sum(columns.sizes())
    left = window.controls_scroll.minimumWidth()
    tallest = window.space.area.height()  # the canvas is square: more width than height is wasted
    # No larger than the window's share without the dock either: on a big screen the network keeps its room.
    canvas = max(CANVAS_MIN, min(tallest, total - left - NETWORK_MIN, int(CANVAS_SHARE * window.width())))
    middle = max(0, total - left - canvas)
    columns.setSizes([left, middle, canvas])
    plots = _plots(window)
    if plots is not None and middle < 2 * PLOT_MIN:
        plots.setOrientation(Qt.Orientation.Vertical)
        height = sum(window.middle.sizes())
        window.middle.setSizes([int(height * 0.45), height - int(height * 0.45)])  # two plots need the room


def _plots(window) -> QSplitter | None:
    """The splitter holding the loss and gradient plots."""
    parent = window.gradient_plot.parentWidget()
    return parent if isinstance(parent, QSplitter) else None


def give_back(window) -> None:
    """The dock closed: the plots side by side again, the network column its share of the height."""
    plots = _plots(window)
    if plots is not None and plots.orientation() != Qt.Orientation.Horizontal:
        plots.setOrientation(Qt.Orientation.Horizontal)
        height = sum(window.middle.sizes())
        window.middle.setSizes([int(height * 0.55), height - int(height * 0.55)])
