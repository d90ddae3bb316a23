"""The network diagram without a mouse: arrow keys walk its cells, Enter clicks the one marked.

Left and Right move between the columns (the input features, then each layer's neurons),
Up and Down within a column; the marked cell is outlined as under the pointer, and a neuron
shows its map large on the canvas as when hovered. Enter or Return does what a click there
does: it switches a feature on or off, or opens the neuron in the inspector. Ctrl+Enter on a
neuron asks which of its incoming links to change, then for the weight, as a click on the link.
"""

from __future__ import annotations

from typing import cast

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QInputDialog

from gui.widgets.network_canvas import NetworkCanvas
from gui.widgets.network_layout import FEATURE_NAMES

STEPS = {Qt.Key.Key_Left: (-1, 0), Qt.Key.Key_Right: (1, 0), Qt.Key.Key_Up: (0, -1), Qt.Key.Key_Down: (0, 1)}


class DiagramKeys(QObject):
    """Walks ``canvas``'s cells with the arrow keys while it has the focus; Enter clicks the marked cell."""

    def __init__(self, canvas: NetworkCanvas) -> None:
        super().__init__(canvas)
        self.canvas = canvas
        self.column, self.row = 0, 0  # column 0: the features; column l: weight layer l's neurons
        canvas.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        canvas.setAccessibleName("Network diagram")
        canvas.setToolTip("Click a feature to use or drop it, a neuron to inspect it, a link to set its weight. "
                          "With the keyboard: arrow keys mark a cell, Enter clicks it")
        canvas.installEventFilter(self)

    def _column_size(self, column: int) -> int:
        return len(FEATURE_NAMES) if column == 0 else self.canvas.layer_sizes[column - 1]

    def mark(self) -> None:
        """Outline the marked cell (kept inside the diagram as its shape changes)."""
        columns = len(self.canvas.layer_sizes) + 1
        self.column = min(self.column, columns - 1)
        self.row = min(self.row, self._column_size(self.column) - 1)
        if self.column == 0:
            self.canvas.mark_cell(None, FEATURE_NAMES[self.row])
        else:
            self.canvas.mark_cell((self.column, self.row), None)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # Qt override
        """Arrows move the mark, Enter clicks; the mark comes and goes with the focus."""
        kind = event.type()
        if kind == QEvent.Type.FocusIn:
            self.mark()
        elif kind == QEvent.Type.FocusOut:
            self.canvas.mark_cell(None, None)
        elif kind == QEvent.Type.KeyPress:
            key = Qt.Key(cast(QKeyEvent, event).key())
            if key in STEPS:
                dx, dy = STEPS[key]
                self.column = max(0, min(self.column + dx, len(self.canvas.layer_sizes)))
                self.row = max(0, min(self.row + dy, self._column_size(self.column) - 1))
                self.mark()
                return True
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                if cast(QKeyEvent, event).modifiers() & Qt.KeyboardModifier.ControlModifier:
                    self.choose_link()
                else:
                    self.click()
                return True
        return False

    def choose_link(self) -> None:
        """Ask which incoming link of the marked neuron to set, then set it as a click on the link does."""
        if self.column == 0:
            return
        layer, j = self.column, self.row
        sources = self.canvas.sources(layer)
        choice, ok = QInputDialog.getItem(self.canvas.window(), "Edit weight",
                                          f"The link into neuron {j + 1} of layer {layer} from:", sources, 0, False)
        if ok and choice in sources:
            self.canvas.link_clicked.emit(layer, sources.index(choice), j)

    def click(self) -> None:
        """What a click on the marked cell does."""
        if self.column == 0:
            self.canvas.feature_clicked.emit(FEATURE_NAMES[self.row])
        else:
            self.canvas.neuron_clicked.emit(self.column, self.row)
