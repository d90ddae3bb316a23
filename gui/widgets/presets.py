"""Small pictures of the data presets, as TensorFlow Playground offers them, to pick one by eye."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import QButtonGroup, QHBoxLayout, QToolButton, QWidget

from engine import datasets
from engine.maps import DEFAULT_HALF_WIDTH
from gui import theme
from gui.colors import class_color, value_color, value_step

THUMB = 40  # a picture's side in pixels
THUMB_POINTS = 160  # points drawn in a picture: enough to see the shape, few enough to stay clear


def preset_picture(name: str, side: int = THUMB, ratio: float = 1.0) -> QPixmap:
    """A ``side`` x ``side`` picture of preset ``name``: its points in their class (or value) colours.

    ``ratio`` is the device pixel ratio: the picture has ``side * ratio`` pixels, so it stays
    sharp on a screen scaled by that much (painted in ``side`` logical pixels all the same).
    """
    points, labels = datasets.generate(name, THUMB_POINTS, 0.0, seed=0)
    colours = theme.current()
    pixmap = QPixmap(round(side * ratio), round(side * ratio))
    pixmap.setDevicePixelRatio(ratio)
    pixmap.fill(QColor(colours.base))
    painter = QPainter(pixmap)
    scale = side / (2 * DEFAULT_HALF_WIDTH)
    regression = name in datasets.REGRESSION_PRESETS
    dot = max(2.0, side / 16)
    # Each colour's dot is drawn once and stamped at every point of that colour: start-up draws the
    # pictures before the window's first frame, and a stamp costs a sixth of an antialiased ellipse.
    reach = dot / 2 + 1  # from a stamp's corner to its dot's centre, in logical pixels
    stamps: dict[int, QPixmap] = {}  # by class, or by a value's colour step
    for (x, y), label in zip(points.tolist(), labels.tolist(), strict=True):
        key = value_step(label) if regression else int(label)
        stamp = stamps.get(key)
        if stamp is None:
            stamp = stamps[key] = _dot(value_color(label) if regression else class_color(label), dot, reach, ratio)
        painter.drawPixmap(QPointF((x + DEFAULT_HALF_WIDTH) * scale - reach, (DEFAULT_HALF_WIDTH - y) * scale - reach),
                           stamp)
    painter.setPen(QColor(colours.faint))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawRect(0, 0, side - 1, side - 1)
    painter.end()
    return pixmap


def _dot(colour: QColor, diameter: float, reach: float, ratio: float) -> QPixmap:
    """A transparent square ``2 * reach`` logical pixels wide with an antialiased dot of ``colour`` at its centre."""
    side = 2 * reach
    stamp = QPixmap(round(side * ratio), round(side * ratio))
    stamp.setDevicePixelRatio(ratio)
    stamp.fill(Qt.GlobalColor.transparent)
    painter = QPainter(stamp)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(colour)
    painter.drawEllipse(QPointF(reach, reach), diameter / 2, diameter / 2)
    painter.end()
    return stamp


class PresetPictures(QWidget):
    """A row of checkable pictures, one per preset of the current task."""

    # Emitted with the preset name when its picture is clicked.
    chosen = Signal(str)

    def __init__(self, titles: dict[str, str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("preset-pictures")
        self.setAccessibleName("Data set pictures")
        self._titles = titles
        self._row = QHBoxLayout(self)
        self._row.setContentsMargins(0, 0, 0, 0)
        self._row.setSpacing(3)
        self.group = QButtonGroup(self)
        self.group.setExclusive(True)
        self.buttons: dict[str, QToolButton] = {}
        self._pictures: dict[str, QIcon] = {}
        theme.follow(self, self._restyle)

    def _restyle(self, _colours: theme.Theme) -> None:
        """Draw the pictures anew on the theme's surface (only those offered now: the rest when first offered)."""
        self._pictures.clear()
        for name, button in self.buttons.items():
            button.setIcon(self._picture(name))

    def _picture(self, name: str) -> QIcon:
        """Preset ``name``'s picture at 1x and 2x (and the screen's ratio), so it stays sharp on HiDPI screens."""
        icon = self._pictures.get(name)
        if icon is None:
            icon = self._pictures[name] = QIcon()
            for ratio in sorted({1.0, 2.0, float(self.devicePixelRatioF())}):
                icon.addPixmap(preset_picture(name, THUMB, ratio))
        return icon

    def show_presets(self, names: list[str]) -> None:
        """Offer pictures of ``names`` (the presets of the current task)."""
        for button in self.buttons.values():
            self.group.removeButton(button)
            button.deleteLater()
        self.buttons = {}
        while self._row.count():
            self._row.takeAt(0)
        for name in names:
            button = QToolButton(self)
            button.setObjectName(f"preset-{name}")
            button.setIcon(self._picture(name))
            button.setIconSize(QSize(THUMB, THUMB))
            button.setCheckable(True)
            button.setAutoRaise(True)
            button.setToolTip(f"{self._titles[name]}: replace the points with this data set")
            button.setAccessibleName(self._titles[name])
            button.clicked.connect(lambda _=False, n=name: self.chosen.emit(n))
            self.group.addButton(button)
            self._row.addWidget(button)
            self.buttons[name] = button
        self._row.addStretch(1)

    def mark(self, name: str | None) -> None:
        """Show ``name`` as the chosen preset (without emitting anything)."""
        for preset, button in self.buttons.items():
            button.setChecked(preset == name)
