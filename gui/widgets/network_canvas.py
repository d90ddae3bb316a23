"""The network diagram's drawing surface: neuron maps, links and bias marks, with hit-testing.

Everything is painted by one ``paintEvent`` from a few precomputed lists, so a frame
costs little: every neuron map is copied into one uint8 atlas of levels, turned into
colours with one lookup, and drawn tile by tile from a single ``QImage``; the links are
sorted into buckets of equal pen (sign and width) and drawn with one ``drawLines`` each.
Geometry is rebuilt only when the topology or the widget's size changes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from PySide6.QtCore import QLineF, QPoint, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QFont, QImage, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QToolTip, QWidget

from engine import limits, maps, palette
from engine.features import DEFAULT_FEATURES, LABELS, transform
from engine.live import LEVEL_MAX, MAP_RESOLUTION, NEURON_STRIDE, to_levels
from engine.snapshot import Snapshot
from gui import theme
from gui.colors import class_color, qcolor
from gui.widgets.network_layout import FEATURE_NAMES, DiagramLayout, build_layout

TILE = MAP_RESOLUTION // NEURON_STRIDE  # a neuron map's side in atlas pixels (50)
BACKGROUND_LEVEL = 255  # the atlas level drawn as background (no map yet)
INACTIVE_FADE = 0.3  # how much of its contrast an inactive feature's map keeps
WIDTH_STEPS = 8  # link widths: |w| in steps of WEIGHT_STEP, the last step open-ended
WEIGHT_STEP = 0.25

_LEVEL_RGB = np.vstack([palette.diverging_lut(LEVEL_MAX + 1, strength=1.0), [[255, 255, 255]]])
_LEVEL_ARGB = (0xFF000000 | _LEVEL_RGB[:, 0].astype(np.uint32) << 16
               | _LEVEL_RGB[:, 1].astype(np.uint32) << 8 | _LEVEL_RGB[:, 2]).astype(np.uint32)
# A sigmoid output's levels (probability 0..1 -> 127..254) stretched to the full -1..1 range.
_PROBABILITY_LEVELS = np.append(np.clip(2 * (np.arange(255) - 127), 0, LEVEL_MAX), 255).astype(np.uint8)
_LEVEL_COLORS = [qcolor(rgb) for rgb in _LEVEL_RGB]


def _tint_argb(colour: np.ndarray) -> np.ndarray:
    """Levels -> ARGB from white (probability 0, level <= 127) to ``colour`` (probability 1, level 254)."""
    weight = np.clip((np.arange(256) - 127) / 127.0, 0.0, 1.0)[:, None]
    rgb = np.rint(255 * (1 - weight) + colour.astype(np.float64) * weight).astype(np.uint32)
    rgb[255] = 255  # the background level stays white
    return (0xFF000000 | rgb[:, 0] << 16 | rgb[:, 1] << 8 | rgb[:, 2]).astype(np.uint32)


# A multiclass output neuron's map shows its class's probability in its class's colour.
_CLASS_ARGB = [_tint_argb(c) for c in palette.CLASS_COLORS]
_ORANGE, _BLUE = class_color(0), class_color(1)
_MARK = class_color(4)  # vermillion: the surrogate-gradient mark


def feature_levels(bounds: tuple[float, float], resolution: int = TILE) -> np.ndarray:
    """Every feature over the plane as levels (7, r, r), each scaled to [-1, 1], row 0 at the top."""
    cells = maps.grid(maps.Bounds(*bounds), resolution)
    values = transform(cells, FEATURE_NAMES)
    values /= np.maximum(np.abs(values).max(axis=0), 1e-12)
    return to_levels(values.T.reshape(-1, resolution, resolution))[:, ::-1]


class NetworkCanvas(QWidget):
    """Paints the diagram and reports hovers and clicks on features, neurons and links."""

    # Emitted with a feature name (engine.features.FEATURES) when its input cell is clicked.
    feature_clicked = Signal(str)
    # Emitted with (l, j) when the pointer enters neuron j of weight layer l, None when it leaves.
    neuron_hovered = Signal(object)
    # Emitted with (l, j) when a hidden or output neuron is clicked.
    neuron_clicked = Signal(int, int)
    # Emitted with (l, i, j) when the link carrying weights[l-1][i, j] is clicked.
    link_clicked = Signal(int, int, int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMouseTracking(True)
        self.setMinimumSize(160, 120)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self._font = QFont(self.font())
        self._font.setPointSizeF(max(7.0, self._font.pointSizeF() - 1))
        self._bounds = (-maps.DEFAULT_HALF_WIDTH, maps.DEFAULT_HALF_WIDTH)
        self._features = feature_levels(self._bounds)
        self._hover: tuple[int, int] | None = None
        self._hover_feature: str | None = None
        self._weights: np.ndarray | None = None  # (n_links,) in link order, once a snapshot came
        self._link_buckets: list[tuple[QPen, list[QLineF]]] = []
        self._link_widths = np.zeros(0)
        self._bias_colors: list[QColor] = []
        self._biases = np.zeros(0)
        self._probe: list[tuple[int, float]] | None = None  # (cell index, value) while probing
        self._tinted = 0  # how many output tiles (the last ones) are drawn in class colours
        self._marked: list[int] = []  # hidden layers (from 0) marked as using the surrogate gradient
        self._colours = theme.current()
        self.set_structure(list(DEFAULT_FEATURES), list(limits.DEFAULT_HIDDEN), 1)
        theme.follow(self, self._restyle)

    def _restyle(self, colours: theme.Theme) -> None:
        """The surface, borders, labels and link pens in the theme's colours (the maps keep theirs)."""
        self._colours = colours
        self._relayout()

    # ------------------------------------------------------------------ structure
    @property
    def geometry_layout(self) -> DiagramLayout:
        """The current placement of cells and links, in this widget's pixels."""
        return self._layout

    @property
    def atlas(self) -> np.ndarray:
        """Levels of every drawn map (7 features, then neurons layer by layer): (n, 50, 50), row 0 on top."""
        return self._atlas

    @property
    def link_widths(self) -> np.ndarray:
        """Each link's pen width in pixels (n_links,), in the layout's link order."""
        return self._link_widths

    @property
    def layer_sizes(self) -> list[int]:
        """Neurons in each weight layer, 1..L (the hidden layers, then the output)."""
        return list(self._sizes)

    def sources(self, l: int) -> list[str]:
        """What feeds weight layer l, in the order of its links' first index: features, or the layer below."""
        if l == 1:
            return [LABELS[name] for name in self._active]
        return [f"neuron {k + 1} of layer {l - 1}" for k in range(self._sizes[l - 2])]

    def mark_cell(self, neuron: tuple[int, int] | None, feature: str | None) -> None:
        """Outline a neuron (l, j) or a feature as the pointer does (the keyboard's mark), or neither."""
        self._set_hover(neuron, feature)

    def tile_index(self, l: int, j: int) -> int:
        """The atlas tile of neuron j in weight layer l (1..L)."""
        return len(FEATURE_NAMES) + sum(self._sizes[: l - 1]) + j

    def set_structure(self, active_features: Sequence[str], hidden: Sequence[int], n_outputs: int) -> None:
        """Rebuild the atlas and geometry for a new topology; maps stay blank until a snapshot."""
        self._active = list(active_features)
        self._sizes = [*hidden, n_outputs]
        self._atlas = np.full((len(FEATURE_NAMES) + sum(self._sizes), TILE, TILE), BACKGROUND_LEVEL, np.uint8)
        self._rgb = np.empty(self._atlas.shape, np.uint32)
        self._fill_features()
        self._weights = None
        self._tinted = 0
        self._bias_colors, self._biases = [], np.zeros(0)
        self._probe = None
        self._set_hover(None)
        self._relayout()

    def _fill_features(self) -> None:
        levels = self._features.copy()
        inactive = [k for k, name in enumerate(FEATURE_NAMES) if name not in self._active]
        faded = 127 + (levels[inactive].astype(np.float32) - 127) * INACTIVE_FADE
        levels[inactive] = np.rint(faded).astype(np.uint8)
        self._atlas[: len(FEATURE_NAMES)] = levels
        self._render_atlas()

    def _render_atlas(self) -> None:
        np.take(_LEVEL_ARGB, self._atlas, out=self._rgb, mode="clip")
        first = len(self._atlas) - self._tinted
        for k in range(self._tinted):
            lut = _CLASS_ARGB[k % len(_CLASS_ARGB)]
            np.take(lut, self._atlas[first + k], out=self._rgb[first + k], mode="clip")
        height = self._rgb.shape[0] * TILE
        self._image = QImage(self._rgb.data, TILE, height, 4 * TILE, QImage.Format.Format_RGB32)

    def _relayout(self) -> None:
        self._layout = layout = build_layout(self._active, self._sizes[:-1], self._sizes[-1],
                                             self.width(), self.height())
        c = layout.cell
        corners = [layout.input_cells, *layout.neuron_cells]
        self._cells = [QRectF(x, y, c, c) for x, y in np.concatenate(corners)]
        mark = max(4.0, round(c * 0.22))
        self._bias_rects = [QRectF(x - mark / 2, y + c - mark / 2, mark, mark)
                            for x, y in np.concatenate(layout.neuron_cells)]
        self._lines = [QLineF(*map(float, s)) for s in layout.segments]
        max_width = float(np.clip(c * 0.16, 2.0, 6.0))
        widths = np.linspace(0.7, max_width, WIDTH_STEPS)
        strengths = np.linspace(0.45, 1.0, WIDTH_STEPS)
        self._pens = [self._pen(colour, w, a, self._colours.base) for w, a in zip(widths, strengths, strict=True)
                      for colour in (_ORANGE, _BLUE)]
        self._pen_widths = np.repeat(widths, 2)
        self._restyle_links()
        self.update()

    @staticmethod
    def _pen(colour: QColor, width: float, strength: float, surface: str) -> QPen:
        """An opaque pen of ``colour`` mixed with the ``surface`` colour: translucent lines cost 4-6x more."""
        under = QColor(surface)
        mixed = [round(u + (c - u) * strength) for c, u in ((colour.red(), under.red()),
                                                            (colour.green(), under.green()),
                                                            (colour.blue(), under.blue()))]
        pen = QPen(QColor(*mixed), float(width))
        pen.setCapStyle(Qt.PenCapStyle.FlatCap)
        return pen

    def set_marked_layers(self, layers: Sequence[int]) -> None:
        """Mark hidden layers ``layers`` (from 0): their step passes a surrogate gradient backwards."""
        self._marked = [k for k in layers if k < len(self._sizes) - 1]
        self.update()

    @property
    def marked_layers(self) -> list[int]:
        """The hidden layers (from 0) drawn with the surrogate mark."""
        return list(self._marked)

    def _paint_marks(self, painter: QPainter) -> None:
        """A dashed frame and the word "surrogate" around each marked layer's column."""
        pen = QPen(_MARK, 1.6, Qt.PenStyle.DashLine)
        painter.setFont(self._font)
        for k in self._marked:
            cells = self._layout.neuron_cells[k]
            c = self._layout.cell
            left, top = cells[:, 0].min() - 5, cells[:, 1].min() - 5
            frame = QRectF(left, top, c + 10, cells[:, 1].max() - top + c + 5)
            painter.setPen(pen)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(frame, 4, 4)
            label = QRectF(frame.center().x() - 40, frame.bottom() + 1, 80, 14)
            painter.setPen(_MARK)
            painter.drawText(label, int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop), "surrogate")

    # ------------------------------------------------------------------ per frame
    def show_snapshot(self, snap: Snapshot) -> bool:
        """Restyle maps, links and bias marks from ``snap``; False if it has another topology."""
        expected = (len(self._active), *self._sizes)
        if tuple(snap.layer_sizes) != expected or set(snap.features) != set(self._active):
            return False
        if snap.bounds != self._bounds:
            self._bounds = snap.bounds
            self._features = feature_levels(self._bounds)
            self._fill_features()
        start = len(FEATURE_NAMES)
        last = len(snap.neuron_levels)
        for l, levels in enumerate(snap.neuron_levels, start=1):
            tiles, flipped = self._atlas[start : start + len(levels)], levels[:, ::-1]
            if l == last and snap.task == "binary":
                np.take(_PROBABILITY_LEVELS, flipped, out=tiles, mode="clip")
            else:
                tiles[...] = flipped
            start += len(levels)
        self._tinted = snap.layer_sizes[-1] if snap.task == "multiclass" else 0
        self._render_atlas()
        weights = list(snap.weights)
        if tuple(snap.features) != tuple(self._active):  # first-layer rows follow snap.features
            weights[0] = weights[0][[snap.features.index(f) for f in self._active]]
        self._weights = np.nan_to_num(np.concatenate([w.ravel() for w in weights]))
        self._restyle_links()
        biases = np.nan_to_num(np.concatenate(snap.biases))
        levels = np.rint((np.tanh(biases) + 1.0) * (LEVEL_MAX / 2)).astype(np.intp)
        self._bias_colors = [_LEVEL_COLORS[k] for k in levels]
        self._biases = biases
        self.update()
        return True

    def show_probe(self, features: Sequence[str] | None, activations: Sequence[np.ndarray] | None) -> None:
        """Light every cell with its value for one input point, or (None) go back to the maps.

        ``activations`` holds a^0 (the input features, in ``features`` order) .. a^L, each (size_l,).
        """
        if activations is None or features is None:
            self._probe = None
        else:
            cells = [(FEATURE_NAMES.index(name), float(v)) for name, v in zip(features, activations[0], strict=True)]
            start = len(FEATURE_NAMES)
            for values in activations[1:]:
                cells += [(start + j, float(v)) for j, v in enumerate(values)]
                start += len(values)
            self._probe = cells if start == len(self._cells) else None
        self.update()

    @property
    def probe(self) -> list[tuple[int, float]] | None:
        """The (cell index, value) pairs shown while probing one point, or None."""
        return self._probe

    def _paint_probe(self, painter: QPainter) -> None:
        painter.setFont(self._font)
        for k, value in self._probe or ():
            level = int(np.clip(np.rint((np.clip(value, -1, 1) + 1) * LEVEL_MAX / 2), 0, LEVEL_MAX))
            rect = self._cells[k]
            painter.fillRect(rect, _LEVEL_COLORS[level])
            painter.setPen(QColor(255, 255, 255) if abs(value) > 0.6 else QColor(20, 20, 20))
            painter.drawText(rect, int(Qt.AlignmentFlag.AlignCenter), f"{value:+.2f}")

    def _restyle_links(self) -> None:
        if self._weights is None or len(self._weights) != len(self._lines):
            pen = self._pen(QColor(self._colours.faint), 0.8, 0.6, self._colours.base)
            self._link_buckets = [(pen, self._lines)] if self._lines else []
            self._link_widths = np.full(len(self._lines), 0.8)
            return
        widest = (WIDTH_STEPS - 1) * WEIGHT_STEP
        steps = (np.minimum(np.abs(self._weights), widest) / WEIGHT_STEP).astype(np.intp)
        keys = 2 * steps + (self._weights > 0)
        order = np.argsort(keys, kind="stable")  # thin links first, so thick ones are drawn on top
        ends = np.cumsum(np.bincount(keys, minlength=2 * WIDTH_STEPS))
        lines = self._lines
        self._link_buckets = [
            (self._pens[key], [lines[k] for k in order[ends[key] - count : ends[key]]])
            for key, count in enumerate(np.diff(ends, prepend=0)) if count
        ]
        self._link_widths = self._pen_widths[keys]

    # ------------------------------------------------------------------ painting
    def paintEvent(self, event: QPaintEvent) -> None:  # Qt override
        """Links, then maps, borders and bias marks, then the feature labels."""
        painter = QPainter(self)
        colours = self._colours
        painter.fillRect(self.rect(), QColor(colours.base))
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        for pen, lines in self._link_buckets:
            painter.setPen(pen)
            painter.drawLines(lines)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        for k, target in enumerate(self._cells):
            painter.drawImage(target, self._image, QRectF(0, k * TILE, TILE, TILE))
        n_inputs = len(FEATURE_NAMES)
        active = [FEATURE_NAMES.index(f) for f in self._active]
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.setPen(QPen(QColor(colours.faint), 1.0))
        painter.drawRects([r for k, r in enumerate(self._cells[:n_inputs]) if k not in active])
        painter.setPen(QPen(QColor(colours.border), 1.0))
        painter.drawRects([self._cells[k] for k in active] + self._cells[n_inputs:])
        painter.setPen(QPen(QColor(colours.text), 2.0))
        if self._hover is not None:
            painter.drawRect(self._cells[self.tile_index(*self._hover)].adjusted(-1, -1, 1, 1))
        if self._hover_feature is not None:
            painter.drawRect(self._cells[FEATURE_NAMES.index(self._hover_feature)].adjusted(-1, -1, 1, 1))
        painter.setPen(QPen(QColor(colours.muted), 0.8))
        for rect, colour in zip(self._bias_rects, self._bias_colors, strict=False):
            painter.setBrush(colour)
            painter.drawRect(rect)
        if self._probe is not None:
            self._paint_probe(painter)
        self._paint_marks(painter)
        self._paint_labels(painter, active)
        if self.hasFocus():  # the keyboard is here: a frame says so
            painter.setPen(QPen(QColor(colours.highlight), 2.0))
            painter.drawRect(QRectF(self.rect()).adjusted(1, 1, -1, -1))
        painter.end()

    def _paint_labels(self, painter: QPainter, active: list[int]) -> None:
        painter.setFont(self._font)
        for k, name in enumerate(FEATURE_NAMES):
            cell = self._cells[k]
            box = QRectF(0, cell.top() - 10, cell.left() - 5, cell.height() + 20)
            painter.setPen(QColor(self._colours.text if k in active else self._colours.faint))
            painter.drawText(box, int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter), LABELS[name])

    # ------------------------------------------------------------------ pointer
    def resizeEvent(self, event) -> None:  # Qt override
        """Place everything again for the new size."""
        super().resizeEvent(event)
        self._relayout()

    def centre_of(self, l: int, j: int) -> QPoint:
        """Centre of neuron j in weight layer l (1..L), in this widget's pixels."""
        return self._cells[self.tile_index(l, j)].center().toPoint()

    def feature_centre(self, name: str) -> QPoint:
        """Centre of the input cell of feature ``name``."""
        return self._cells[FEATURE_NAMES.index(name)].center().toPoint()

    def link_point(self, l: int, i: int, j: int) -> QPoint:
        """A point on the link carrying weights[l-1][i, j], away from the other links."""
        return QPointF(*self._layout.link_probe(self._layout.link_index(l, i, j))).toPoint()

    def _link_near(self, x: float, y: float) -> int | None:
        tolerance = np.maximum(self._link_widths / 2 + 1.5, 3.5)
        return self._layout.link_at(x, y, tolerance)

    def _set_hover(self, neuron: tuple[int, int] | None, feature: str | None = None) -> None:
        if feature != self._hover_feature:
            self._hover_feature = feature
            self.update()
        if neuron != self._hover:
            self._hover = neuron
            self.neuron_hovered.emit(neuron)
            self.update()

    def _hit(self, x: float, y: float) -> tuple[str, Any] | None:
        """What lies under (x, y): ("feature", name), ("neuron", (l, j)), ("link", k) or None."""
        if (feature := self._layout.feature_at(x, y)) is not None:
            return "feature", feature
        if (neuron := self._layout.neuron_at(x, y)) is not None:
            return "neuron", neuron
        if (link := self._link_near(x, y)) is not None:
            return "link", link
        return None

    def _hit_or_nothing(self, event: QMouseEvent) -> tuple[str | None, Any]:
        return self._hit(event.position().x(), event.position().y()) or (None, None)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # Qt override
        """Track the neuron under the pointer, point at clickable things, tell weights and biases."""
        kind, thing = self._hit_or_nothing(event)
        self._set_hover(thing if kind == "neuron" else None, thing if kind == "feature" else None)
        self.setCursor(Qt.CursorShape.ArrowCursor if kind is None else Qt.CursorShape.PointingHandCursor)
        tip = ""
        if kind == "link" and self._weights is not None:
            tip = f"weight {self._weights[thing]:+.3f}"
        elif kind == "neuron" and len(self._biases):
            tip = f"bias {self._biases[self.tile_index(*thing) - len(FEATURE_NAMES)]:+.3f}"
        elif kind == "feature":
            tip = f"{LABELS[thing]}: click to {'drop' if thing in self._active else 'use'} this input"
        if tip:
            QToolTip.showText(event.globalPosition().toPoint(), tip, self)
        else:
            QToolTip.hideText()

    def leaveEvent(self, event) -> None:  # Qt override
        """The pointer left: no neuron is hovered any more."""
        self._set_hover(None)
        super().leaveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # Qt override
        """A left click on a feature, neuron or link reports it."""
        if event.button() != Qt.MouseButton.LeftButton:
            return
        kind, thing = self._hit_or_nothing(event)
        if kind == "feature":
            self.feature_clicked.emit(thing)
        elif kind == "neuron":
            self.neuron_clicked.emit(*thing)
        elif kind == "link":
            self.link_clicked.emit(*map(int, self._layout.link_ids[thing]))
