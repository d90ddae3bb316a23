"""The data canvas: the user's points over the network's decision map, edited with the mouse or the keys.

Left click adds a point of the selected class, right click one of the other class
(binary) or the next class; Shift+click deletes the nearest point; Ctrl+click picks the
nearest point for the neuron inspector (as does a click with the Pick tool). The brush tool sprays
points while dragging, the eraser deletes them. In regression mode new points carry the
value from the value control, which the mouse wheel also changes. With the keyboard focus, arrow
keys move a crosshair and Enter (Shift+Enter, Ctrl+Enter) acts there as a click (Shift+, Ctrl+click).
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QFocusEvent, QKeyEvent, QMouseEvent, QWheelEvent
from PySide6.QtWidgets import QGraphicsItem, QWidget

from engine.maps import Bounds
from gui import colors, theme
from gui.data_model import DataModel
from gui.widgets.axes import cache_axes

TOOLS = ("point", "brush", "eraser", "pick")
BRUSH_RADIUS = 0.45  # in data units: the spray's spread and the eraser's reach
BRUSH_POINTS = 2  # points sprayed per mouse move
REGRESSION_BINS = 21  # regression values are drawn in this many colour steps
MARK_SIZE = 22  # pixels: the ring around the point a view explains
# Pixels around the plane: the value axes left and below, a margin above and to the right
# so the top and right tick labels are not cut. Left + right equals bottom + top, so a
# square widget holds a square plane and the view shows exactly the bounds, ends included.
AXIS_LEFT, AXIS_BOTTOM, MARGIN_RIGHT = 34, 24, 10
MARGIN_TOP = AXIS_LEFT + MARGIN_RIGHT - AXIS_BOTTOM
KEY_STEP, BIG_STEP = 1 / 48, 1 / 8  # an arrow key moves the crosshair this share of the plane (with Shift, the big one)
ARROWS = {Qt.Key.Key_Left: (-1, 0), Qt.Key.Key_Right: (1, 0), Qt.Key.Key_Up: (0, 1), Qt.Key.Key_Down: (0, -1)}


def plane_ticks(low: float, high: float) -> list[tuple[float, str]]:
    """Ticks at a round step (about six of them) from ``low`` to ``high``, both ends included when round."""
    span = high - low
    raw = span / 6
    exponent = np.floor(np.log10(raw))
    step = next(m * 10**exponent for m in (1, 2, 2.5, 5, 10) if m * 10**exponent >= raw - 1e-12)
    first = np.ceil(low / step - 1e-9) * step
    values = np.arange(first, high + step * 1e-6, step)
    return [(float(v), f"{v:g}".replace("-", "−")) for v in values]


def value_color(value: float) -> QColor:
    """The colour of a regression value in [-1, 1] (orange negative, blue positive)."""
    return colors.value_color(value, REGRESSION_BINS)


class DataCanvas(pg.PlotWidget):
    """Decision map plus points; mouse edits go straight into the ``DataModel``."""

    # The mouse moved over the plane: (x, y) in data coordinates, or None when it left.
    hovered = Signal(object)
    # The regression value for new points changed (mouse wheel).
    value_changed = Signal(float)
    # Ctrl+click chose the point at this index (for the neuron inspector).
    point_picked = Signal(int)

    def __init__(self, model: DataModel, parent=None) -> None:
        super().__init__(parent, enableMenu=False)  # no context menu: none is built
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
        plot.getAxis("left").setWidth(AXIS_LEFT)
        plot.getAxis("bottom").setHeight(AXIS_BOTTOM)
        for side in ("left", "bottom"):  # the end labels (±6) reach into the margins: draw them anyway
            plot.getAxis(side).setStyle(hideOverlappingLabels=False)
        plot.layout.setContentsMargins(0, MARGIN_TOP, MARGIN_RIGHT, 0)
        cache_axes(self)  # the map under them changes every frame; they do not
        self.setObjectName("canvas")
        self.setAccessibleName("Data canvas")
        self.setMouseTracking(True)
        self.decision = pg.ImageItem(axisOrder="row-major")
        self.decision.setZValue(-10)
        self._decision_shown: tuple[np.ndarray, tuple[float, float]] | None = None  # what the map shows
        plot.addItem(self.decision)
        # The point a view explains (the inspector, lesson 5), ringed so the student sees which one.
        self._marks: dict[str, tuple[float, float]] = {}
        self.marker = pg.ScatterPlotItem(pxMode=True, symbol="o", size=MARK_SIZE, brush=None,
                                         pen=pg.mkPen(0, 0, 0, width=3))
        self.marker_inner = pg.ScatterPlotItem(pxMode=True, symbol="o", size=MARK_SIZE - 4, brush=None,
                                               pen=pg.mkPen(255, 255, 255, width=2))
        for z, item in enumerate((self.marker, self.marker_inner)):
            item.setZValue(5 + z)  # above every point
            plot.addItem(item)
        self._scatters: dict[tuple[int, bool], pg.ScatterPlotItem] = {}
        self._drawn: tuple | None = None  # the model state the scatter items show
        self.set_bounds(Bounds())
        model.changed.connect(self.refresh_points)
        self.refresh_points()
        # The keyboard's cursor: arrows move it, Enter clicks there (shown while the canvas has the focus).
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setToolTip("Click to add points; with the keyboard focus, arrow keys move a crosshair "
                        "(Shift: bigger steps) and Enter adds a point there")
        self._cross = (0.0, 0.0)
        self.cross_item = pg.ScatterPlotItem(pxMode=True, symbol="+", size=22, pen=pg.mkPen(*theme.TEST_OUTLINE),
                                             brush=pg.mkBrush(*theme.POINT_OUTLINE))
        self.cross_item.setZValue(5)
        plot.addItem(self.cross_item)
        theme.follow(self, self._restyle)

    def _restyle(self, colours: theme.Theme) -> None:
        """Axes, margins and the focus frame in the theme's colours (the map and the points keep theirs)."""
        theme.style_plot(self, colours)
        self._draw_crosshair()

    # ------------------------------------------------------------------ drawing
    def set_bounds(self, bounds: Bounds) -> None:
        """Show the square ``bounds`` (the decision map covers the same square)."""
        self.bounds = bounds
        self.getPlotItem().getViewBox().setRange(
            xRange=(bounds.low, bounds.high), yRange=(bounds.low, bounds.high), padding=0
        )
        ticks = [plane_ticks(bounds.low, bounds.high), []]
        for side in ("left", "bottom"):
            self.getPlotItem().getAxis(side).setTicks(ticks)

    def set_decision(self, rgb: np.ndarray, bounds: tuple[float, float]) -> None:
        """Draw the decision map ``rgb (R, R, 3)`` (row 0 at the bottom) over ``bounds``."""
        shown = self._decision_shown
        if (shown is not None and self.decision.image is shown[0] and shown[1] == bounds
                and np.array_equal(shown[0], rgb)):
            return  # the same picture: repainting the plane would change nothing
        self._decision_shown = (rgb, bounds)
        self.decision.setImage(rgb, autoLevels=False, levels=(0, 255))
        low, high = bounds
        self.decision.setRect(QRectF(low, low, high - low, high - low))

    def _groups(self, labels: np.ndarray, test: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Each point's colour group (a class id, or a value bin) and whether it is a test point."""
        if self.model.regression:
            colour = np.clip(np.rint((labels + 1) / 2 * (REGRESSION_BINS - 1)), 0, REGRESSION_BINS - 1)
        else:
            colour = labels
        return colour.astype(np.int64), test

    def _style(self, colour: int, is_test: bool) -> dict:
        if self.model.regression:
            fill = value_color(colour / (REGRESSION_BINS - 1) * 2 - 1)
        else:
            fill = colors.class_color(colour)
        pen = pg.mkPen(*theme.TEST_OUTLINE, width=1.6) if is_test else pg.mkPen(*theme.POINT_OUTLINE, width=1.2)
        return {"brush": pg.mkBrush(fill), "pen": pen, "size": 7, "symbol": "s" if is_test else "o"}

    def _item(self, key: tuple[int, bool]) -> pg.ScatterPlotItem:
        item = self._scatters.get(key)
        if item is None:
            item = pg.ScatterPlotItem(pxMode=True)
            # Drawn once into a pixmap and copied on each frame's repaint of the map beneath:
            # 100,000 points cost as little per frame as 100 (redrawn only when points change).
            item.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
            item.setZValue(2 if key[1] else 1)
            self.getPlotItem().addItem(item)
            self._scatters[key] = item
        return item

    def _draw_points(self, points: np.ndarray, colour: np.ndarray, test: np.ndarray, append: bool) -> None:
        keys = set(zip(colour.tolist(), test.tolist())) if len(points) else set()
        keys = {key for key in keys if self.show_test or not key[1]}
        if not append:
            for key, item in self._scatters.items():
                if key not in keys:
                    item.setData([], [])
        for key in sorted(keys):
            mask = (colour == key[0]) & (test == key[1])
            if append:
                self._item(key).addPoints(points[mask, 0], points[mask, 1], **self._style(*key))
            else:
                self._item(key).setData(points[mask, 0], points[mask, 1], **self._style(*key))

    def refresh_points(self) -> None:
        """Redraw the points: one scatter item per (colour, train/test) group, for speed.

        When points were only added (a click, a brush stroke), just those are drawn: a
        100,000-point data set stays quick to edit.
        """
        model = self.model
        state = (model.points, model.labels, model.keys, model.train_ratio, model.regression, self.show_test)
        old = self._drawn
        n_old = len(old[0]) if old is not None else 0
        appended = (
            old is not None and len(model.points) > n_old and old[3:] == state[3:]
            and np.array_equal(model.points[:n_old], old[0]) and np.array_equal(model.labels[:n_old], old[1])
            and np.array_equal(model.keys[:n_old], old[2])
        )
        self._drawn = state
        colour, test = self._groups(model.labels, model.test_mask)
        if appended:
            self._draw_points(model.points[n_old:], colour[n_old:], test[n_old:], append=True)
        else:
            self._draw_points(model.points, colour, test, append=False)

    def set_show_test(self, show: bool) -> None:
        """Show or hide the test points."""
        self.show_test = bool(show)
        self._drawn = None
        self.refresh_points()

    def mark(self, owner: str, point: tuple[float, float] | None) -> None:
        """Ring ``point``, the point ``owner`` explains (None: ``owner`` explains none now)."""
        if point is None:
            self._marks.pop(owner, None)
        else:
            self._marks[owner] = (float(point[0]), float(point[1]))
        spots = sorted(set(self._marks.values()))
        xs, ys = [x for x, _ in spots], [y for _, y in spots]
        self.marker.setData(xs, ys)
        self.marker_inner.setData(xs, ys)

    def marked(self) -> list[tuple[float, float]]:
        """The ringed points (for tests)."""
        return sorted(set(self._marks.values()))

    def visible_point_count(self) -> int:
        """How many points are drawn now (for tests and the status bar)."""
        return sum(len(item.data) for item in self._scatters.values())

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

    def _press(self, p: QPointF, button: Qt.MouseButton, modifiers: Qt.KeyboardModifier, stroke: bool) -> None:
        """What a click at ``p`` does: pick (Pick tool or Ctrl), delete the nearest (Shift), or use the tool.

        With ``stroke`` the edit stays open until the button is released (a brush stroke is one
        undo step); without, it is one step at once (Enter on the keyboard).
        """
        if not self._inside(p):
            return
        if self.tool == "pick" or modifiers & Qt.KeyboardModifier.ControlModifier:
            nearest = self.model.nearest(p.x(), p.y())
            if nearest is not None:
                self.point_picked.emit(nearest)
            return
        if modifiers & Qt.KeyboardModifier.ShiftModifier:
            nearest = self.model.nearest(p.x(), p.y())
            if nearest is not None:
                self.model.delete([nearest])
            return
        self.model.begin_group()
        self._apply_tool(p, button, first=True)
        if stroke:
            self._dragging = True
            self._button = button
        else:
            self.model.end_group()

    def mousePressEvent(self, ev: QMouseEvent) -> None:  # Qt override
        """Add, spray or erase points (Shift deletes the nearest point); the crosshair moves there."""
        button = ev.button()
        if button not in (Qt.MouseButton.LeftButton, Qt.MouseButton.RightButton):
            super().mousePressEvent(ev)
            return
        p = self.to_data(ev.position().toPoint())
        if self._inside(p):
            self._cross = (p.x(), p.y())
            self._draw_crosshair()
        self._press(p, button, ev.modifiers(), stroke=True)
        ev.accept()

    def mouseMoveEvent(self, ev: QMouseEvent) -> None:  # Qt override
        """Report the hovered point; keep spraying or erasing while dragging."""
        p = self.to_data(ev.position().toPoint())
        inside = self._inside(p)
        self.hovered.emit((p.x(), p.y()) if inside else None)
        if self._dragging and inside and self.tool != "point":
            self._apply_tool(p, self._button, first=False)
        super().mouseMoveEvent(ev)

    def mouseReleaseEvent(self, ev: QMouseEvent) -> None:  # Qt override
        """Finish a stroke: undo treats it as one step."""
        if self._dragging:
            self._dragging = False
            self.model.end_group()
            ev.accept()
            return
        super().mouseReleaseEvent(ev)

    # ----------------------------------------------------------------- keyboard
    @property
    def crosshair(self) -> tuple[float, float]:
        """Where the keyboard's crosshair is, in data coordinates."""
        return self._cross

    def move_crosshair(self, x: float, y: float) -> None:
        """Put the crosshair at (x, y), kept on the plane; the network view shows that point, as on hover."""
        low, high = self.bounds.low, self.bounds.high
        self._cross = (float(np.clip(x, low, high)), float(np.clip(y, low, high)))
        self._draw_crosshair()
        self.hovered.emit(self._cross)

    def _draw_crosshair(self) -> None:
        focused = self.hasFocus()
        self.cross_item.setData([self._cross[0]], [self._cross[1]])
        self.cross_item.setVisible(focused)
        view = self.getPlotItem().getViewBox()
        view.setBorder(pg.mkPen(theme.current().highlight, width=3) if focused else None)

    def keyPressEvent(self, ev: QKeyEvent) -> None:  # Qt override
        """Arrows move the crosshair (Shift: bigger steps); Enter or Return clicks there (with Shift, Ctrl too)."""
        key = Qt.Key(ev.key())
        if key in ARROWS:
            dx, dy = ARROWS[key]
            big = bool(ev.modifiers() & Qt.KeyboardModifier.ShiftModifier)
            step = (self.bounds.high - self.bounds.low) * (BIG_STEP if big else KEY_STEP)
            self.move_crosshair(self._cross[0] + dx * step, self._cross[1] + dy * step)
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self._press(QPointF(*self._cross), Qt.MouseButton.LeftButton, ev.modifiers(), stroke=False)
        else:
            super().keyPressEvent(ev)
            return
        ev.accept()

    def focusInEvent(self, ev: QFocusEvent) -> None:  # Qt override
        """Keyboard focus: a frame round the plane and the crosshair appear (the network shows it once moved)."""
        super().focusInEvent(ev)
        self._draw_crosshair()

    def focusOutEvent(self, ev: QFocusEvent) -> None:  # Qt override
        """The frame and the crosshair go with the focus, and the network stops showing its point."""
        super().focusOutEvent(ev)
        self._draw_crosshair()
        if not self.underMouse():
            self.hovered.emit(None)

    def leaveEvent(self, ev) -> None:  # Qt override
        """The mouse left the canvas."""
        self.hovered.emit(None)
        super().leaveEvent(ev)

    def wheelEvent(self, ev: QWheelEvent) -> None:  # Qt override
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

    def resizeEvent(self, event) -> None:  # Qt override
        """Fit the largest centred square."""
        side = min(self.width(), self.height())
        self.child.setGeometry((self.width() - side) // 2, (self.height() - side) // 2, side, side)
        super().resizeEvent(event)
