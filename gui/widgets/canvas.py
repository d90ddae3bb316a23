"""The data canvas: the user's points over the network's decision map, edited with the mouse.

Left click adds a point of the selected class, right click one of the other class
(binary) or the next class; Shift+click deletes the nearest point; Ctrl+click picks the
nearest point for the neuron inspector. The brush tool sprays
points while dragging, the eraser deletes them. In regression mode new points carry the
value from the value control, which the mouse wheel also changes.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QMouseEvent, QWheelEvent
from PySide6.QtWidgets import QWidget

from engine import palette
from engine.maps import Bounds
from gui.data_model import DataModel

TOOLS = ("point", "brush", "eraser")
BRUSH_RADIUS = 0.45  # in data units: the spray's spread and the eraser's reach
BRUSH_POINTS = 2  # points sprayed per mouse move
REGRESSION_BINS = 21  # regression values are drawn in this many colour steps


def class_color(label: int) -> QColor:
    """The colour of class ``label``."""
    r, g, b = palette.CLASS_COLORS[int(label) % len(palette.CLASS_COLORS)]
    return QColor(int(r), int(g), int(b))


def value_color(value: float) -> QColor:
    """The colour of a regression value in [-1, 1] (orange negative, blue positive)."""
    lut = palette.diverging_lut(REGRESSION_BINS, strength=1.0)
    r, g, b = lut[int(np.clip(round((value + 1) / 2 * (REGRESSION_BINS - 1)), 0, REGRESSION_BINS - 1))]
    return QColor(int(r), int(g), int(b))


class DataCanvas(pg.PlotWidget):
    """Decision map plus points; mouse edits go straight into the ``DataModel``."""

    # The mouse moved over the plane: (x, y) in data coordinates, or None when it left.
    hovered = Signal(object)
    # The regression value for new points changed (mouse wheel).
    value_changed = Signal(float)
    # Ctrl+click chose the point at this index (for the neuron inspector).
    point_picked = Signal(int)

    def __init__(self, model: DataModel, parent=None) -> None:
        super().__init__(parent, background="w")
        self.model = model
        self.tool = "point"
        self.current_class = 0
        self.regression_value = 0.5
        self.show_test = True
        self._dragging = False
        self._spray = np.random.default_rng(1)
        self.bounds = Bounds()
        plot = self.getPlotItem()
        plot.setMouseEnabled(False, False)
        plot.hideButtons()
        plot.setMenuEnabled(False)
        plot.showGrid(False, False)
        plot.getViewBox().setAspectLocked(True)
        plot.getViewBox().disableAutoRange()
        self.setMouseTracking(True)
        self.decision = pg.ImageItem(axisOrder="row-major")
        self.decision.setZValue(-10)
        plot.addItem(self.decision)
        self._scatters: list[pg.ScatterPlotItem] = []
        self.set_bounds(Bounds())
        model.changed.connect(self.refresh_points)
        self.refresh_points()

    # ------------------------------------------------------------------ drawing
    def set_bounds(self, bounds: Bounds) -> None:
        """Show the square ``bounds`` (the decision map covers the same square)."""
        self.bounds = bounds
        self.getPlotItem().getViewBox().setRange(
            xRange=(bounds.low, bounds.high), yRange=(bounds.low, bounds.high), padding=0
        )

    def set_decision(self, rgb: np.ndarray, bounds: tuple[float, float]) -> None:
        """Draw the decision map ``rgb (R, R, 3)`` (row 0 at the bottom) over ``bounds``."""
        self.decision.setImage(rgb, autoLevels=False, levels=(0, 255))
        low, high = bounds
        self.decision.setRect(QRectF(low, low, high - low, high - low))

    def _scatter(self, index: int) -> pg.ScatterPlotItem:
        while len(self._scatters) <= index:
            item = pg.ScatterPlotItem(pxMode=True)
            self.getPlotItem().addItem(item)
            self._scatters.append(item)
        return self._scatters[index]

    def refresh_points(self) -> None:
        """Redraw the points: one scatter item per (colour, train/test) group, for speed."""
        model = self.model
        points, labels, test = model.points, model.labels, model.test_mask
        if model.regression:
            bins = np.clip(np.rint((labels + 1) / 2 * (REGRESSION_BINS - 1)), 0, REGRESSION_BINS - 1)
            groups = [(value_color(b / (REGRESSION_BINS - 1) * 2 - 1), bins == b)
                      for b in np.unique(bins)]
        else:
            groups = [(class_color(c), labels == c) for c in np.unique(labels)]
        used = 0
        white, dark = pg.mkPen(255, 255, 255, width=1.2), pg.mkPen(30, 30, 30, width=1.6)
        for color, members in groups:
            for is_test in (False, True):
                mask = members & (test if is_test else ~test)
                if is_test and not self.show_test:
                    continue
                if not mask.any():
                    continue
                item = self._scatter(used)
                used += 1
                item.setData(
                    points[mask, 0], points[mask, 1], brush=pg.mkBrush(color),
                    pen=dark if is_test else white, size=7,
                    symbol="s" if is_test else "o",
                )
                item.setZValue(2 if is_test else 1)
        for item in self._scatters[used:]:
            item.setData([], [])

    def set_show_test(self, show: bool) -> None:
        """Show or hide the test points."""
        self.show_test = bool(show)
        self.refresh_points()

    def visible_point_count(self) -> int:
        """How many points are drawn now (for tests and the status bar)."""
        return sum(len(item.data) for item in self._scatters)

    # -------------------------------------------------------------------- mouse
    def to_data(self, pos) -> QPointF:
        """A viewport position -> data coordinates."""
        return self.getPlotItem().getViewBox().mapSceneToView(self.mapToScene(pos))

    def to_viewport(self, x: float, y: float):
        """Data coordinates -> a viewport position (QPoint)."""
        scene = self.getPlotItem().getViewBox().mapViewToScene(QPointF(x, y))
        return self.mapFromScene(scene)

    def _inside(self, p: QPointF) -> bool:
        return self.bounds.low <= p.x() <= self.bounds.high and self.bounds.low <= p.y() <= self.bounds.high

    def _label_for(self, button) -> float:
        if self.model.regression:
            return self.regression_value
        if button == Qt.MouseButton.RightButton:
            classes = self.model.class_count()
            return float(1 - self.current_class if classes <= 2 and self.current_class <= 1
                         else (self.current_class + 1) % max(classes, 2))
        return float(self.current_class)

    def _apply_tool(self, p: QPointF, button, first: bool) -> None:
        if self.tool == "eraser":
            self.model.delete_within(p.x(), p.y(), BRUSH_RADIUS)
        elif self.tool == "brush":
            spray = self._spray.normal(0.0, BRUSH_RADIUS / 2, (BRUSH_POINTS, 2)) + (p.x(), p.y())
            spray = np.clip(spray, self.bounds.low, self.bounds.high)
            self.model.add(spray, np.full(BRUSH_POINTS, self._label_for(button)))
        elif first:
            self.model.add([(p.x(), p.y())], [self._label_for(button)])

    def mousePressEvent(self, ev: QMouseEvent) -> None:  # noqa: N802 - Qt override
        """Add, spray or erase points (Shift deletes the nearest point)."""
        button = ev.button()
        if button not in (Qt.MouseButton.LeftButton, Qt.MouseButton.RightButton):
            super().mousePressEvent(ev)
            return
        p = self.to_data(ev.position().toPoint())
        if not self._inside(p):
            return
        if ev.modifiers() & Qt.KeyboardModifier.ControlModifier:
            nearest = self.model.nearest(p.x(), p.y())
            if nearest is not None:
                self.point_picked.emit(nearest)
            return
        if ev.modifiers() & Qt.KeyboardModifier.ShiftModifier:
            nearest = self.model.nearest(p.x(), p.y())
            if nearest is not None:
                self.model.delete([nearest])
            return
        self._dragging = True
        self._button = button
        self.model.begin_group()
        self._apply_tool(p, button, first=True)
        ev.accept()

    def mouseMoveEvent(self, ev: QMouseEvent) -> None:  # noqa: N802 - Qt override
        """Report the hovered point; keep spraying or erasing while dragging."""
        p = self.to_data(ev.position().toPoint())
        inside = self._inside(p)
        self.hovered.emit((p.x(), p.y()) if inside else None)
        if self._dragging and inside and self.tool != "point":
            self._apply_tool(p, self._button, first=False)
        super().mouseMoveEvent(ev)

    def mouseReleaseEvent(self, ev: QMouseEvent) -> None:  # noqa: N802 - Qt override
        """Finish a stroke: undo treats it as one step."""
        if self._dragging:
            self._dragging = False
            self.model.end_group()
            ev.accept()
            return
        super().mouseReleaseEvent(ev)

    def leaveEvent(self, ev) -> None:  # noqa: N802 - Qt override
        """The mouse left the canvas."""
        self.hovered.emit(None)
        super().leaveEvent(ev)

    def wheelEvent(self, ev: QWheelEvent) -> None:  # noqa: N802 - Qt override
        """In regression mode the wheel sets the value of new points; it never zooms."""
        if self.model.regression:
            step = 0.1 if ev.angleDelta().y() > 0 else -0.1
            self.regression_value = float(np.clip(round(self.regression_value + step, 2), -1.0, 1.0))
            self.value_changed.emit(self.regression_value)
        ev.accept()


class SquareFrame(QWidget):
    """Holds one widget and keeps it square and centred, so the plane is never stretched."""

    def __init__(self, child: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.child = child
        child.setParent(self)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt override
        """Fit the largest centred square."""
        side = min(self.width(), self.height())
        self.child.setGeometry((self.width() - side) // 2, (self.height() - side) // 2, side, side)
        super().resizeEvent(event)
