"""The control panel: run buttons, training settings, data and drawing tools (layout only).

The main window connects these widgets to the controller; this module only builds them,
each with a tooltip, and offers the value lists the app uses.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSlider,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from engine import datasets, palette

LEARNING_RATES = (0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
REG_RATES = (0.0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
SPEEDS = (("1 epoch/s", 1.0), ("5 epochs/s", 5.0), ("20 epochs/s", 20.0), ("60 epochs/s", 60.0),
          ("200 epochs/s", 200.0), ("as fast as it goes", None))
ACTIVATION_NAMES = (("Tanh", "tanh"), ("Sigmoid", "sigmoid"), ("ReLU", "relu"),
                    ("Linear", "linear"), ("Step", "step"))
OPTIMIZER_NAMES = (("SGD", "sgd"), ("Momentum", "momentum"), ("Adam", "adam"))
REGULARIZATION_NAMES = (("None", None), ("L1", "l1"), ("L2", "l2"))
PRESET_NAMES = {"circle": "Circle", "xor": "Exclusive or", "gauss": "Two Gaussians",
                "spiral": "Spiral", "moons": "Moons", "plane": "Plane (regression)",
                "multigauss": "Multi-Gaussian (regression)"}
MAX_CLASSES = 6


def _combo(items, tip: str, current) -> QComboBox:
    combo = QComboBox()
    for text, data in items:
        combo.addItem(text, data)
    combo.setCurrentIndex([d for _, d in items].index(current))
    combo.setToolTip(tip)
    return combo


def _swatch(index: int) -> QIcon:
    pixmap = QPixmap(14, 14)
    r, g, b = palette.CLASS_COLORS[index]
    pixmap.fill(QColor(int(r), int(g), int(b)))
    return QIcon(pixmap)


class Controls(QWidget):
    """Every control of the left panel, as public attributes."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self._run_box())
        layout.addWidget(self._training_box())
        layout.addWidget(self._data_box())
        layout.addWidget(self._draw_box())
        layout.addStretch(1)

    def _run_box(self) -> QGroupBox:
        box = QGroupBox("Run")
        self.play = QPushButton("▶ Play")
        self.play.setCheckable(True)
        self.play.setToolTip("Start or pause training (Space)")
        self.step = QPushButton("Step")
        self.step.setToolTip("Train one epoch (S)")
        self.reset = QPushButton("Reset")
        self.reset.setToolTip("New initial weights, same data (R)")
        self.epoch = QLabel("Epoch 0")
        self.epoch.setStyleSheet("font-size: 16pt; font-weight: bold;")
        self.epoch.setToolTip("Epochs trained: each epoch is one pass over the training points")
        self.speed = _combo(SPEEDS, "How fast to train: epochs per second", None)
        self.check = QPushButton("Check gradients")
        self.check.setToolTip("Compare backprop's gradients with finite differences on the current network")
        self.check_result = QLabel("")
        self.check_result.setWordWrap(True)
        buttons = QHBoxLayout()
        for button in (self.play, self.step, self.reset):
            buttons.addWidget(button)
        form = QVBoxLayout(box)
        form.addLayout(buttons)
        form.addWidget(self.epoch)
        row = QHBoxLayout()
        row.addWidget(QLabel("Speed"))
        row.addWidget(self.speed, 1)
        form.addLayout(row)
        form.addWidget(self.check)
        form.addWidget(self.check_result)
        return box

    def _training_box(self) -> QGroupBox:
        box = QGroupBox("Training")
        form = QFormLayout(box)
        self.learning_rate = _combo([(f"{r:g}", r) for r in LEARNING_RATES],
                                    "Learning rate: the size of each step downhill", 0.03)
        self.activation = _combo(ACTIVATION_NAMES, "Activation of every hidden layer "
                                 "(a layer's own is set in the network view). Keeps the weights.", "tanh")
        self.optimizer = _combo(OPTIMIZER_NAMES, "How gradients turn into weight changes", "sgd")
        self.batch_size = QSpinBox()
        self.batch_size.setRange(1, 500)
        self.batch_size.setValue(10)
        self.batch_size.setToolTip("Points per mini-batch: one weight update per batch")
        self.regularization = _combo(REGULARIZATION_NAMES, "Penalty on large weights (not biases)", None)
        self.reg_rate = _combo([(f"{r:g}", r) for r in REG_RATES], "Strength of the penalty", 0.0)
        self.task = _combo((("Classification", False), ("Regression", True)),
                           "Classify points by colour, or fit a value", False)
        for label, widget in (("Learning rate", self.learning_rate), ("Activation", self.activation),
                              ("Optimizer", self.optimizer), ("Batch size", self.batch_size),
                              ("Regularization", self.regularization), ("Reg. rate", self.reg_rate),
                              ("Task", self.task)):
            form.addRow(label, widget)
        return box

    def _data_box(self) -> QGroupBox:
        box = QGroupBox("Data")
        form = QFormLayout(box)
        self.preset = QComboBox()
        self.preset.setToolTip("A generated data set")
        self.regenerate = QPushButton("Regenerate")
        self.regenerate.setToolTip("Replace the points with a new draw of the chosen data set")
        self.noise = QSlider(Qt.Orientation.Horizontal)
        self.noise.setRange(0, 50)
        self.noise.setToolTip("Noise of the generated data (0 to 50%)")
        self.point_count = QSpinBox()
        self.point_count.setRange(10, 100_000)
        self.point_count.setSingleStep(50)
        self.point_count.setValue(500)
        self.point_count.setToolTip("How many points to generate")
        self.ratio = QSlider(Qt.Orientation.Horizontal)
        self.ratio.setRange(10, 90)
        self.ratio.setValue(50)
        self.ratio.setToolTip("Percentage of points used for training; the rest test the network")
        self.ratio_label = QLabel("50%")
        self.show_test = QCheckBox("Show test points")
        self.show_test.setChecked(True)
        self.show_test.setToolTip("Draw the held-out test points (squares with a dark outline)")
        self.discretize = QCheckBox("Discretize output")
        self.discretize.setToolTip("Colour the map by the predicted class only, without shades")
        preset_row = QHBoxLayout()
        preset_row.addWidget(self.preset, 1)
        preset_row.addWidget(self.regenerate)
        ratio_row = QHBoxLayout()
        ratio_row.addWidget(self.ratio, 1)
        ratio_row.addWidget(self.ratio_label)
        form.addRow("Preset", preset_row)
        form.addRow("Noise", self.noise)
        form.addRow("Points", self.point_count)
        form.addRow("Train ratio", ratio_row)
        form.addRow(self.show_test)
        form.addRow(self.discretize)
        self.set_regression(False)
        return box

    def _draw_box(self) -> QGroupBox:
        box = QGroupBox("Draw")
        layout = QVBoxLayout(box)
        self.classes = QButtonGroup(self)
        class_row = QHBoxLayout()
        for index in range(MAX_CLASSES):
            button = QToolButton()
            button.setIcon(_swatch(index))
            button.setText(str(index + 1))
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
            button.setCheckable(True)
            button.setToolTip(f"Draw class {index + 1} ({index + 1}); a third class makes the task multiclass")
            self.classes.addButton(button, index)
            class_row.addWidget(button)
        self.classes.button(0).setChecked(True)
        self.tools = QButtonGroup(self)
        tool_row = QHBoxLayout()
        for index, (name, tip) in enumerate((
            ("Point", "Click: add a point. Right click: the other class. Shift+click: delete the nearest"),
            ("Brush", "Drag to spray points of the chosen class"),
            ("Eraser", "Drag to delete points"),
            ("Pick", "Click a point to explain it in the neuron inspector (or Ctrl+click with any tool)"),
        )):
            button = QToolButton()
            button.setText(name)
            button.setCheckable(True)
            button.setToolTip(tip)
            self.tools.addButton(button, index)
            tool_row.addWidget(button)
        self.tools.button(0).setChecked(True)
        self.clear = QPushButton("Clear")
        self.clear.setToolTip("Delete every point (Delete)")
        tool_row.addWidget(self.clear)
        self.value = QSlider(Qt.Orientation.Horizontal)
        self.value.setRange(-100, 100)
        self.value.setValue(50)
        self.value.setToolTip("Value of new points in regression (mouse wheel over the canvas)")
        self.value_label = QLabel("value 0.50")
        layout.addLayout(class_row)
        layout.addLayout(tool_row)
        value_row = QHBoxLayout()
        value_row.addWidget(self.value_label)
        value_row.addWidget(self.value, 1)
        layout.addLayout(value_row)
        return box

    def set_regression(self, regression: bool) -> None:
        """Offer the presets of the task (classification or regression)."""
        names = datasets.REGRESSION_PRESETS if regression else datasets.CLASSIFICATION_PRESETS
        self.preset.blockSignals(True)
        self.preset.clear()
        for name in names:
            self.preset.addItem(PRESET_NAMES[name], name)
        self.preset.blockSignals(False)
        if hasattr(self, "value"):
            self.value.setEnabled(regression)
            for button in self.classes.buttons():
                button.setEnabled(not regression)
