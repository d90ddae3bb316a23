"""The network view: input features, hidden layers and output as live maps, with their controls.

Above the diagram sit "−"/"+" for the number of hidden layers and, over each hidden
layer's column, "−"/"+" for its neurons and its activation. The view only asks for
changes (signals); the window applies them and calls ``set_structure`` with the result.
"""

from __future__ import annotations

from typing import TypeVar

from PySide6.QtCore import QPoint, QSignalBlocker, Qt, Signal
from PySide6.QtGui import QFont, QMouseEvent, QPalette, QResizeEvent
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QSizePolicy, QToolButton, QVBoxLayout, QWidget

from engine import limits
from engine.activations import ACTIVATIONS
from engine.config import Architecture
from engine.snapshot import Snapshot
from gui.keyboard import describe
from gui.widgets.network_canvas import NetworkCanvas
from gui.widgets.network_keys import DiagramKeys
from gui.widgets.network_layout import column_span

MAX_LAYERS = 8
ACTIVATION_TITLES = {"relu": "ReLU"}  # names shown differently from the engine's


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


W = TypeVar("W", bound=QWidget)


def _small(widget: W) -> W:
    font = QFont(widget.font())
    font.setPointSizeF(max(7.0, font.pointSizeF() - 1))
    widget.setFont(font)
    return widget


def _button(text: str, tip: str) -> QToolButton:
    button = describe(QToolButton(), tip, tip)
    button.setText(text)
    button.setFixedSize(22, 20)
    return button


class _LayerHeader(QWidget):
    """One hidden layer's controls: − / + for its neurons, their count, its activation."""

    # Emitted with the neuron count asked for when − or + is pressed.
    neuron_count_requested = Signal(int)
    # Emitted with an activation name when the user picks one.
    activation_requested = Signal(str)
    # Emitted when the header itself (not its buttons or list) is clicked: show this layer's space.
    clicked = Signal()

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.minus = _button("−", "One neuron fewer")
        self.plus = _button("+", "One neuron more")
        self.count = _small(QLabel(alignment=Qt.AlignmentFlag.AlignCenter))
        self.combo = _small(QComboBox())
        describe(self.combo, "Layer activation", "This layer's activation")
        self.combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.combo.setMinimumContentsLength(7)  # "sigmoid" fits when the column is wide enough
        self.combo.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        for name in ACTIVATIONS:
            self.combo.addItem(ACTIVATION_TITLES.get(name, name), name)
        buttons = QHBoxLayout()
        buttons.setSpacing(2)
        buttons.addStretch()
        buttons.addWidget(self.minus)
        buttons.addWidget(self.plus)
        buttons.addStretch()
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(1)
        column.addLayout(buttons)
        column.addWidget(self.count)
        column.addWidget(self.combo, 0, Qt.AlignmentFlag.AlignHCenter)
        self._neurons = 1
        self.minus.clicked.connect(lambda: self.neuron_count_requested.emit(self._neurons - 1))
        self.plus.clicked.connect(lambda: self.neuron_count_requested.emit(self._neurons + 1))
        self.combo.currentIndexChanged.connect(lambda _: self.activation_requested.emit(self.combo.currentData()))
        self.setToolTip("Click to see how this layer moves the plane (layer space)")

    def mousePressEvent(self, event: QMouseEvent) -> None:
        """A click on the header (its count or background) asks for this layer's space."""
        if event.button() == Qt.MouseButton.LeftButton:
            self.clicked.emit()
            event.accept()
            return
        super().mousePressEvent(event)

    def resizeEvent(self, event: QResizeEvent) -> None:  # Qt override
        """Say "4 neurons", or just "4" when the column is too narrow."""
        super().resizeEvent(event)
        self._show_count()

    def _show_count(self) -> None:
        text = _plural(self._neurons, "neuron")
        fits = self.count.fontMetrics().horizontalAdvance(text) + 4 <= self.width()
        self.count.setText(text if fits else str(self._neurons))

    def show_layer(self, neurons: int, activation: str) -> None:
        """Show this layer's neuron count and activation (without emitting anything)."""
        self._neurons = neurons
        self.count.setToolTip(_plural(neurons, "neuron"))
        self._show_count()
        self.minus.setEnabled(neurons > limits.MIN_NEURONS)
        self.plus.setEnabled(neurons < limits.MAX_NEURONS)
        with QSignalBlocker(self.combo):
            index = self.combo.findData(activation)
            if index >= 0:
                self.combo.setCurrentIndex(index)


class _ColumnHeader(QWidget):
    """A strip over the diagram whose widgets are placed over the canvas's columns."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.features_title = _small(QLabel("Features", self, alignment=Qt.AlignmentFlag.AlignCenter))
        self.output_title = _small(QLabel("Output", self, alignment=Qt.AlignmentFlag.AlignCenter))
        self.layers = [_LayerHeader(self) for _ in range(MAX_LAYERS)]
        self.setFixedHeight(self.layers[0].sizeHint().height() + 4)
        self._n_layers = 0

    def show_layers(self, n_layers: int) -> None:
        """Show the first ``n_layers`` layer headers and place everything."""
        self._n_layers = n_layers
        for k, header in enumerate(self.layers):
            header.setVisible(k < n_layers)
        self._place()

    def resizeEvent(self, event: QResizeEvent) -> None:  # Qt override
        """Keep each header over its column."""
        super().resizeEvent(event)
        self._place()

    def _place(self) -> None:
        n_columns = self._n_layers + 2
        height = self.height()
        columns = [self.features_title, *self.layers[: self._n_layers], self.output_title]
        for c, widget in enumerate(columns):
            left, right = column_span(c, n_columns, self.width())
            if widget in (self.features_title, self.output_title):
                label_height = widget.sizeHint().height()
                widget.setGeometry(int(left), height - label_height - 2, int(right - left), label_height)
            else:
                widget.setGeometry(int(left) + 3, 2, int(right - left) - 6, height - 4)


class NetworkView(QWidget):
    """TensorFlow Playground's network diagram: features, hidden layers, output, live."""

    # Layers count as everywhere in the app: 0 is the inputs, 1 the first hidden layer, L the output.
    # Emitted with a feature name (engine.features.FEATURES) when its input node is clicked.
    feature_toggle_requested = Signal(str)
    # Emitted with the number of hidden layers asked for (0..8) when − or + is pressed.
    layer_count_requested = Signal(int)
    # Emitted with (hidden layer l from 1, neurons asked for) from that layer's − or +.
    neuron_count_requested = Signal(int, int)
    # Emitted with (hidden layer l from 1, activation name) from a layer's combo box.
    activation_requested = Signal(int, str)
    # Emitted with (l, j) (l = 1..L, as in Snapshot.neuron_levels[l-1]) on hovering a neuron, None on leaving.
    neuron_hovered = Signal(object)
    # Emitted with (l, j) when a hidden or output neuron is clicked.
    neuron_clicked = Signal(int, int)
    # Emitted with (l, i, j) when the link carrying weights[l-1][i, j] is clicked.
    link_clicked = Signal(int, int, int)
    # Emitted with a hidden layer (1-based) when its header is clicked: show that layer's space.
    layer_space_requested = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAutoFillBackground(True)  # one surface behind the controls and the diagram, as the plots'
        self.setBackgroundRole(QPalette.ColorRole.Base)
        self.layers_minus = _button("−", "One hidden layer fewer")
        self.layers_plus = _button("+", "One hidden layer more")
        self.layers_label = QLabel()
        self.header = _ColumnHeader(self)
        self.canvas = NetworkCanvas(self)
        # Clicking the diagram takes the keyboard focus from any field, so Space, S and R run training;
        # Tab reaches it too, and the arrow keys walk its cells.
        self.keys = DiagramKeys(self.canvas)
        top = QHBoxLayout()
        top.setSpacing(3)
        top.addStretch()
        top.addWidget(self.layers_minus)
        top.addWidget(self.layers_plus)
        top.addSpacing(4)
        top.addWidget(self.layers_label)
        top.addStretch()
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addLayout(top)
        column.addWidget(self.header)
        column.addWidget(self.canvas, 1)
        self._hidden: list[int] = []
        self.layers_minus.setObjectName("layers-minus")
        self.layers_plus.setObjectName("layers-plus")
        self._activations: list[str] = []
        self._surrogate = False
        self.layers_minus.clicked.connect(lambda: self.layer_count_requested.emit(len(self._hidden) - 1))
        self.layers_plus.clicked.connect(lambda: self.layer_count_requested.emit(len(self._hidden) + 1))
        for layer, header in enumerate(self.header.layers, start=1):
            header.neuron_count_requested.connect(lambda n, l=layer: self.neuron_count_requested.emit(l, n))
            header.activation_requested.connect(lambda name, l=layer: self.activation_requested.emit(l, name))
            header.clicked.connect(lambda l=layer: self.layer_space_requested.emit(l))
        self.canvas.feature_clicked.connect(self.feature_toggle_requested)
        self.canvas.neuron_hovered.connect(self.neuron_hovered)
        self.canvas.neuron_clicked.connect(self.neuron_clicked)
        self.canvas.link_clicked.connect(self.link_clicked)
        arch = Architecture()
        self.set_structure(list(arch.features), list(arch.hidden), list(arch.activations), 1)

    def set_structure(
        self, active_features: list[str], hidden: list[int], activations: list[str], n_outputs: int
    ) -> None:
        """Rebuild the diagram for a new topology; call only when the topology changes."""
        self._hidden = list(hidden)
        n_layers = len(hidden)
        self.layers_label.setText(_plural(n_layers, "hidden layer"))
        self.layers_minus.setEnabled(n_layers > 0)
        self.layers_plus.setEnabled(n_layers < MAX_LAYERS)
        for header, neurons, activation in zip(self.header.layers, hidden, activations, strict=False):
            header.show_layer(neurons, activation)
        self.header.show_layers(min(n_layers, MAX_LAYERS))
        self.canvas.set_structure(active_features, hidden, n_outputs)
        self._activations = list(activations)
        self._mark_surrogate()

    def show_surrogate(self, on: bool) -> None:
        """Mark every step layer while the surrogate gradient is on (it changes what backprop does there)."""
        self._surrogate = bool(on)
        self._mark_surrogate()

    def _mark_surrogate(self) -> None:
        steps = [k for k, name in enumerate(self._activations) if name == "step"]
        self.canvas.set_marked_layers(steps if self._surrogate else [])
        for k, header in enumerate(self.header.layers[: len(self._activations)]):
            marked = self._surrogate and k in steps
            header.combo.setToolTip("This layer's activation" + (
                ": step, with a surrogate gradient backwards (a heuristic; turn it off in Training)" if marked else ""))

    def update_snapshot(self, snap: Snapshot) -> None:
        """Restyle the maps, links and bias marks from a snapshot (stale shapes are skipped)."""
        self.canvas.show_snapshot(snap)

    def show_probe(self, features, activations) -> None:
        """Show every neuron's activation for one input point (a^0 .. a^L), or None for the maps."""
        self.canvas.show_probe(features, activations)

    # ------------------------------------------------------------------ for tests and tools
    def viewport(self) -> QWidget:
        """The widget that draws the diagram and takes its clicks."""
        return self.canvas

    def neuron_center(self, l: int, j: int) -> QPoint:
        """Centre of neuron j of weight layer l (1..L), in viewport coordinates."""
        return self.canvas.centre_of(l, j)

    def feature_center(self, name: str) -> QPoint:
        """Centre of the input node of feature ``name``, in viewport coordinates."""
        return self.canvas.feature_centre(name)

    def link_point(self, l: int, i: int, j: int) -> QPoint:
        """A point on the link carrying weights[l-1][i, j], in viewport coordinates."""
        return self.canvas.link_point(l, i, j)

    def layer_header(self, layer: int) -> _LayerHeader:
        """The controls over hidden layer ``layer`` (1 = the first hidden layer)."""
        return self.header.layers[layer - 1]
