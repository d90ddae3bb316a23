"""The layer-space view: the input plane's grid and the points, carried into a hidden layer.

It draws an ``engine.layer_space.LayerSpace`` that the trainer computed (the window only
draws): the grid lines as two curves (horizontal and vertical families, lines separated
by NaN), the points in their colours, the output's decision over the view for the last
hidden layer, and for a step layer the few corners the whole plane lands on. Its header
chooses the layer, the principal directions, and whether it replaces the canvas; two
clicks on neurons of the layer in the network view choose the axes (``choose_neuron``).
"""

from __future__ import annotations

from collections import deque

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, QSignalBlocker, Qt, Signal
from PySide6.QtWidgets import QCheckBox, QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from engine.layer_space import GRID_LINES, LayerSpace, SpaceChoice
from gui import theme
from gui.colors import class_color
from gui.keyboard import describe
from gui.widgets.canvas import REGRESSION_BINS, value_color
from gui.widgets.controls import name

DECISION_PEN = pg.mkPen(*theme.DECISION_LINE, width=2, style=Qt.PenStyle.DashLine)  # always over the map
GOLDEN = 0.6180339887  # spreads the points of a strip evenly and stably over its height


def _family(lines: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Lines (k, samples, 2) -> x and y of one curve, a NaN between lines (``connect='finite'``)."""
    k, samples, _ = lines.shape
    padded = np.full((k, samples + 1, 2), np.nan, np.float64)
    padded[:, :samples] = lines
    flat = padded.reshape(-1, 2)
    return flat[:, 0], flat[:, 1]


def _spread(points: np.ndarray, extent: tuple[float, float, float, float]) -> np.ndarray:
    """Points stacked on a few positions, each stack spread over a small disc (a sunflower
    pattern, the same every frame) so that its classes show; (n, 2)."""
    if not len(points):
        return points
    _, group = np.unique(points, axis=0, return_inverse=True)
    group = group.ravel()
    order = np.argsort(group, kind="stable")
    counts = np.bincount(group)
    rank = np.empty(len(points), np.int64)
    rank[order] = np.arange(len(points)) - (np.cumsum(counts) - counts)[group[order]]
    radius = 0.06 * np.sqrt((rank + 0.5) / counts[group])
    angle = rank * np.pi * (3.0 - np.sqrt(5.0))
    x0, x1, y0, y1 = extent
    return points + np.column_stack([radius * np.cos(angle) * (x1 - x0), radius * np.sin(angle) * (y1 - y0)])


class LayerSpaceView(QWidget):
    """A hidden layer's space: the bent grid, the points and (last layer) the output's decision."""

    # Emitted with an engine.layer_space.SpaceChoice when the user picks a layer, axes or PCA.
    choice_changed = Signal(object)
    # Emitted with True when the view should take the canvas's place, False to sit beside it.
    replace_toggled = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.layer_box = describe(name(QComboBox(), "space_layer", "Layer space of layer"), "Layer space of layer",
                                  "The hidden layer whose space is shown")
        self.pca = describe(name(QCheckBox("Principal directions"), "space_pca", "Principal directions"),
                            "Principal directions",
                            "Show the two directions along which the layer's activations vary most")
        self.replace = describe(name(QCheckBox("Replace the canvas"), "space_replace", "Replace the canvas"),
                                "Replace the canvas", "Show this view in the canvas's place instead of beside it")
        self.layer_box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.title, self.note = QLabel(), QLabel()
        self.title.setObjectName("space_title")
        self.note.setObjectName("space_note")
        self.note.setWordWrap(True)
        self.plot = pg.PlotWidget(enableMenu=False)  # no context menu: none is built
        self.plot.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # a picture: nothing to do with keys
        top = QHBoxLayout()
        top.addWidget(QLabel("Layer space of layer"))
        top.addWidget(self.layer_box)
        top.addWidget(self.pca)
        top.addStretch()
        top.addWidget(self.replace)
        column = QVBoxLayout(self)
        column.setContentsMargins(2, 2, 2, 2)
        column.addLayout(top)
        column.addWidget(self.title)
        column.addWidget(self.plot, 1)
        column.addWidget(self.note)
        item = self.plot.getPlotItem()
        item.setMouseEnabled(False, False)
        item.hideButtons()
        item.setMenuEnabled(False)
        item.getViewBox().disableAutoRange()
        self.regions = pg.ImageItem(axisOrder="row-major")
        self.regions.setZValue(-10)
        item.addItem(self.regions)
        self.horizontal = item.plot(connect="finite", antialias=True)  # images of the lines x2 = const
        self.vertical = item.plot(connect="finite", antialias=True)  # images of the lines x1 = const
        self.decision = item.plot(pen=DECISION_PEN)
        self.decision.setZValue(3)
        self.corners = pg.ScatterPlotItem(pxMode=True, brush=None)
        self.corners.setZValue(0.5)  # under the points
        item.addItem(self.corners)
        self._scatters: dict[tuple[int, bool], pg.ScatterPlotItem] = {}
        self.space: LayerSpace | None = None  # the space drawn last
        self.choice = SpaceChoice()
        self._clicks: deque[int] = deque(maxlen=2)  # the neurons clicked last: the axes
        self._range: tuple[float, float, float, float] | None = None
        self._shape: tuple | None = None
        self.draws = 0  # spaces drawn (tests watch it grow while training runs)
        self.set_layers([])
        self.layer_box.currentIndexChanged.connect(self._on_layer_box)
        self.pca.toggled.connect(self._on_pca)
        self.replace.toggled.connect(self.replace_toggled)
        theme.follow(self, self._restyle)

    def _restyle(self, colours: theme.Theme) -> None:
        """Background, axes, the bent grid and the corners in the theme's colours."""
        theme.style_plot(self.plot, colours)
        horizontal, vertical = colours.grid_lines
        self.horizontal.setPen(pg.mkPen(*horizontal, width=1))
        self.vertical.setPen(pg.mkPen(*vertical, width=1))
        self.corners.setPen(pg.mkPen(colours.text, width=2))

    # ------------------------------------------------------------------ choosing
    def set_layers(self, sizes: list[int]) -> None:
        """The hidden layers' sizes changed: offer them, keeping the chosen layer if it still exists."""
        self._sizes = list(sizes)
        layer = min(max(self.choice.layer, 1), max(len(sizes), 1))
        self.layer_box.blockSignals(True)
        self.layer_box.clear()
        for l, size in enumerate(sizes, start=1):
            self.layer_box.addItem(str(l), l)  # the title names the size: the header stays narrow
            self.layer_box.setItemData(l - 1, f"Hidden layer {l}: {size} neuron{'s' if size > 1 else ''}",
                                       Qt.ItemDataRole.ToolTipRole)
        self.layer_box.setCurrentIndex(layer - 1 if sizes else -1)
        self.layer_box.blockSignals(False)
        self.pca.setEnabled(bool(sizes) and sizes[layer - 1] >= 2)
        neurons = self.choice.neurons if self.choice.layer == layer else None
        if neurons is not None and (not sizes or max(neurons) >= sizes[layer - 1]):  # the layer shrank
            neurons = None
        self._set_choice(SpaceChoice(layer, self.pca.isChecked() and self.pca.isEnabled(), neurons))

    def choose_layer(self, layer: int) -> None:
        """Show hidden layer ``layer`` (1-based), its default axes."""
        if 1 <= layer <= len(self._sizes):
            self.layer_box.setCurrentIndex(layer - 1)  # emits through _on_layer_box when it changes
            if self.choice.layer != layer:
                self._on_layer_box(layer - 1)

    def choose_neuron(self, neuron: int) -> None:
        """Neuron ``neuron`` (0-based) of the shown layer was clicked: it becomes an axis,
        beside the one clicked before it (layers of 3+ neurons)."""
        layer = self.choice.layer
        if not self._sizes or self._sizes[layer - 1] < 3:
            return
        if not self._clicks and self.space is not None and len(self.space.neurons) == 2:
            self._clicks.extend(self.space.neurons)  # start from the axes shown
        if neuron in self._clicks:
            self._clicks.remove(neuron)
        self._clicks.append(neuron)
        if len(self._clicks) < 2:
            return
        with QSignalBlocker(self.pca):
            self.pca.setChecked(False)
        first, second = sorted(self._clicks)
        self._set_choice(SpaceChoice(layer, False, (first, second)))

    def _on_layer_box(self, index: int) -> None:
        layer = self.layer_box.itemData(index)
        if layer is None:
            return
        self.pca.setEnabled(self._sizes[layer - 1] >= 2)
        self._set_choice(SpaceChoice(layer, self.pca.isChecked() and self.pca.isEnabled()))

    def _on_pca(self, on: bool) -> None:
        self._set_choice(SpaceChoice(self.choice.layer, on, None if on else self.choice.neurons))

    def _set_choice(self, choice: SpaceChoice) -> None:
        if choice.layer != self.choice.layer:
            self._clicks.clear()
        if choice != self.choice:
            self.choice = choice
            self.choice_changed.emit(choice)

    # ------------------------------------------------------------------ drawing
    def show_space(self, space: LayerSpace | None, task: str) -> None:
        """Draw ``space`` (None: clear the view) for a network of ``task``."""
        self.space = space
        if space is None:
            for curve in (self.horizontal, self.vertical, self.decision):
                curve.setData([], [])
            self.corners.setData([], [])
            self.regions.clear()
            self._draw_points(np.zeros((0, 2)), np.zeros(0, np.int64), np.zeros(0, bool), False)
            self.title.setText("No hidden layer: add one to see how it bends the plane")
            self.note.setText("")
            return
        self.draws += 1
        d = space.points.shape[1]
        self._set_axes(space, d)
        if d == 2:
            self.horizontal.setData(*_family(space.grid[:GRID_LINES]), connect="finite")
            self.vertical.setData(*_family(space.grid[GRID_LINES:]), connect="finite")
            points = space.points
            if space.corners is not None:  # stacked on a few corners: spread them to show the classes
                points = _spread(points, space.extent)
        else:  # a strip: the points spread over its height, the grid would only overlap itself
            self.horizontal.setData([], [])
            self.vertical.setData([], [])
            spread = 0.1 + 0.8 * ((np.arange(len(space.points)) * GOLDEN) % 1.0)
            points = np.column_stack([space.points[:, 0], spread])
        regression = task == "regression"
        if regression:
            colour = np.clip(np.rint((space.labels + 1) / 2 * (REGRESSION_BINS - 1)), 0, REGRESSION_BINS - 1)
        else:
            colour = space.labels
        self._draw_points(points, colour.astype(np.int64), space.test, regression)
        self._draw_regions(space)
        self._draw_corners(space, d)

    def _set_axes(self, space: LayerSpace, d: int) -> None:
        item = self.plot.getPlotItem()
        shape = (space.layer, space.pca, space.neurons, d, space.activation)
        if shape != self._shape:
            self._shape = shape
            self._range = None
            item.setLabel("bottom", space.axis_labels[0])
            item.setLabel("left", space.axis_labels[1] if d == 2 else "")
            item.getAxis("left").setStyle(showValues=d == 2)
            size = f"{space.size} neuron{'s' if space.size > 1 else ''}"
            self.title.setText(f"Layer {space.layer} ({space.activation}, {size}): {space.title}")
        if space.extent != self._range:  # the view follows the data (a square, or the activation's range)
            self._range = space.extent
            x0, x1, y0, y1 = space.extent
            if space.corners is not None:  # room for the corners' circles and the spread points
                pad_x, pad_y = 0.1 * (x1 - x0), (0.1 * (y1 - y0) if d == 2 else 0.0)
                x0, x1, y0, y1 = x0 - pad_x, x1 + pad_x, y0 - pad_y, y1 + pad_y
            item.getViewBox().setRange(xRange=(x0, x1), yRange=(y0, y1), padding=0)
        note = space.note
        if space.corners is not None:
            corners = len(space.corners)
            note = (f"A step layer: the whole plane lands on {corners} point{'s' if corners > 1 else ''} "
                    "(circles sized by the share of the plane; the points are spread around them so both "
                    "classes show); only which side of each neuron's line a point lies on survives. " + note)
        if space.size >= 3 and not space.pca:
            note += (" " if note else "") + (f"Click two neurons of layer {space.layer} in the network "
                                             "view to choose the axes.")
        self.note.setText(note)

    def _draw_regions(self, space: LayerSpace) -> None:
        if space.regions is None:
            self.regions.clear()
            self.decision.setData([], [])
            return
        x0, x1, y0, y1 = space.extent
        self.regions.setImage(space.regions, autoLevels=False, levels=(0, 255))
        self.regions.setRect(QRectF(x0, y0, x1 - x0, y1 - y0))
        if space.decision is None:
            self.decision.setData([], [])
            return
        u, v, c = space.decision
        if abs(v) > abs(u):  # solve for y along the x range; else for x along the y range
            xs = np.array([x0, x1])
            ys = -(u * xs + c) / v
        else:
            ys = np.array([y0, y1])
            xs = -(v * ys + c) / u
        self.decision.setData(xs, ys)

    def _draw_corners(self, space: LayerSpace, d: int) -> None:
        if space.corners is None:
            self.corners.setData([], [])
            return
        positions = space.corners[:, :d]
        ys = positions[:, 1] if d == 2 else np.full(len(positions), 0.5)
        sizes = 10 + 40 * np.sqrt(space.corners[:, d])
        self.corners.setData(positions[:, 0], ys, size=sizes, brush=None)

    def _style(self, colour: int, is_test: bool, regression: bool) -> dict:
        fill = value_color(colour / (REGRESSION_BINS - 1) * 2 - 1) if regression else class_color(colour)
        pen = pg.mkPen(*theme.TEST_OUTLINE, width=1.6) if is_test else pg.mkPen(*theme.POINT_OUTLINE, width=1.0)
        return {"brush": pg.mkBrush(fill), "pen": pen, "size": 6, "symbol": "s" if is_test else "o"}

    def _draw_points(self, points: np.ndarray, colour: np.ndarray, test: np.ndarray, regression: bool) -> None:
        """One scatter item per (colour, train/test) group: a few draw calls however many points."""
        keys = set(zip(colour.tolist(), test.tolist()))
        for key, item in self._scatters.items():
            if key not in keys:
                item.setData([], [])
        for key in sorted(keys):
            item = self._scatters.get(key)
            if item is None:
                item = pg.ScatterPlotItem(pxMode=True)
                item.setZValue(2 if key[1] else 1)
                self.plot.getPlotItem().addItem(item)
                self._scatters[key] = item
            mask = (colour == key[0]) & (test == key[1])
            item.setData(points[mask, 0], points[mask, 1], **self._style(*key, regression))

    def visible_point_count(self) -> int:
        """How many points are drawn now (for tests)."""
        return sum(len(item.data) for item in self._scatters.values())
