"""The control panel: run buttons, training settings, data and drawing tools (layout only).

The main window connects these widgets to the controller; this module only builds them,
each with a tooltip, an object name and an accessible name (for tests and screen
readers), and offers the value lists the app uses. The run, training and data boxes form
the left panel; the drawing tools (``draw_bar``) are a separate widget the window places
above the canvas.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from PySide6.QtCore import Qt
from PySide6.QtGui import QIcon, QPixmap, QStandardItemModel
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
    QStackedWidget,
    QStyle,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from engine import datasets, limits
from gui import theme
from gui.colors import class_color
from gui.widgets.presets import PresetPictures

LEARNING_RATES = (0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
REG_RATES = (0.0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
SPEEDS = (("1 epoch/s", 1.0), ("5 epochs/s", 5.0), ("30 epochs/s", 30.0), ("100 epochs/s", 100.0),
          ("300 epochs/s", 300.0), ("as fast as it goes", None))
# Slow enough to watch the network learn (TensorFlow Playground trains about one epoch per frame).
DEFAULT_SPEED = 30.0
ACTIVATION_NAMES = (("Tanh", "tanh"), ("Sigmoid", "sigmoid"), ("ReLU", "relu"),
                    ("Linear", "linear"), ("Step", "step"))
OPTIMIZER_NAMES = (("SGD", "sgd"), ("Momentum", "momentum"), ("Adam", "adam"))
REGULARIZATION_NAMES = (("None", None), ("L1", "l1"), ("L2", "l2"))
PRESET_NAMES = {"circle": "Circle", "xor": "Exclusive or", "gauss": "Two Gaussians",
                "spiral": "Spiral", "moons": "Moons", "plane": "Plane (regression)",
                "multigauss": "Multi-Gaussian (regression)"}
MIXED = "mixed"  # the activation list's entry while the hidden layers differ


def _combo(items, tip: str, current) -> QComboBox:
    combo = QComboBox()
    for text, data in items:
        combo.addItem(text, data)
    combo.setCurrentIndex([d for _, d in items].index(current))
    combo.setToolTip(tip)
    return combo


W = TypeVar("W", bound=QWidget)


def name(widget: W, object_name: str, accessible: str) -> W:
    """Give ``widget`` a stable object name (tests) and an accessible name (screen readers)."""
    widget.setObjectName(object_name)
    widget.setAccessibleName(accessible)
    return widget


def _swatch(index: int) -> QIcon:
    """A square of class ``index``'s colour, with pixels for screens scaled 1x to 3x."""
    icon = QIcon()
    for ratio in (1, 2, 3):
        pixmap = QPixmap(14 * ratio, 14 * ratio)
        pixmap.setDevicePixelRatio(ratio)
        pixmap.fill(class_color(index))
        icon.addPixmap(pixmap)
    return icon


class Controls(QWidget):
    """Every control of the left panel, plus the drawing tools, as public attributes."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(4)
        layout.addWidget(self._run_box())
        layout.addWidget(self._training_box())
        layout.addWidget(self._data_box())
        layout.addStretch(1)
        self.draw_bar = self._draw_bar()
        self.set_regression(False)

    def _run_box(self) -> QGroupBox:
        box = QGroupBox("Run")
        style = self.style()
        self._play_icon = style.standardIcon(QStyle.StandardPixmap.SP_MediaPlay)
        self._pause_icon = style.standardIcon(QStyle.StandardPixmap.SP_MediaPause)
        self.play = name(QPushButton(self._play_icon, "Play"), "play", "Play")
        self.play.setCheckable(True)
        self.play.setToolTip("Start or pause training (Space)")
        self.step = name(QPushButton(style.standardIcon(QStyle.StandardPixmap.SP_MediaSkipForward), "Step"),
                         "step", "Step one epoch")
        self.step.setToolTip("Train one epoch (S)")
        self.reset = name(QPushButton(style.standardIcon(QStyle.StandardPixmap.SP_BrowserReload), "Reset"),
                          "reset", "Reset weights")
        self.reset.setToolTip("New initial weights, same data (R)")
        self.epoch = name(QLabel("Epoch 0"), "epoch", "Epoch")
        self.epoch.setStyleSheet("font-size: 14pt; font-weight: bold;")
        self.epoch.setToolTip("Epochs trained: each epoch is one pass over the training points")
        self.speed = name(_combo(SPEEDS, "How fast to train: epochs per second (remembered)", DEFAULT_SPEED),
                          "speed", "Speed")
        self.check = name(QPushButton("Check gradients"), "check-gradients", "Check gradients")
        self.check.setToolTip("Compare backprop's gradients with finite differences on the current network")
        self.check_result = name(QLabel(""), "check-result", "Gradient check result")
        self.check_result.setWordWrap(True)
        buttons = QHBoxLayout()
        for button in (self.play, self.step, self.reset):
            buttons.addWidget(button)
        form = QVBoxLayout(box)
        form.setSpacing(4)
        form.addLayout(buttons)
        row = QHBoxLayout()
        row.addWidget(self.epoch, 1)
        row.addWidget(QLabel("Speed"))
        row.addWidget(self.speed)
        form.addLayout(row)
        form.addWidget(self.check)
        form.addWidget(self.check_result)
        return box

    def set_playing(self, playing: bool) -> None:
        """Show Play or Pause on the play button (a standard icon and a word: no font glyph needed)."""
        self.play.setIcon(self._pause_icon if playing else self._play_icon)
        self.play.setText("Pause" if playing else "Play")
        self.play.setAccessibleName(self.play.text())

    def _training_box(self) -> QGroupBox:
        box = QGroupBox("Training")
        form = QFormLayout(box)
        form.setVerticalSpacing(3)
        self.learning_rate = name(_combo([(f"{r:g}", r) for r in LEARNING_RATES],
                                         "Learning rate: the size of each step downhill", 0.03),
                                  "learning-rate", "Learning rate")
        self.activation = name(_combo(ACTIVATION_NAMES, "Activation of every hidden layer "
                                      "(a layer's own is set in the network view). Keeps the weights.", "tanh"),
                               "activation", "Activation")
        self.surrogate = name(QCheckBox("Surrogate gradient for step"), "surrogate", "Surrogate gradient for step")
        self.surrogate.setToolTip(
            "Keep step in the forward pass, but let backprop pretend its slope is a smooth step's "
            "(a straight-through estimator: a heuristic, not the true gradient). Off after Reset.")
        self.optimizer = name(_combo(OPTIMIZER_NAMES, "How gradients turn into weight changes", "sgd"),
                              "optimizer", "Optimizer")
        self.batch_size = name(QSpinBox(), "batch-size", "Batch size")
        self.batch_size.setRange(1, 500)
        self.batch_size.setValue(10)
        self.batch_size.setToolTip("Points per mini-batch: one weight update per batch")
        self.regularization = name(_combo(REGULARIZATION_NAMES, "Penalty on large weights (not biases)", None),
                                   "regularization", "Regularization")
        self.reg_rate = name(_combo([(f"{r:g}", r) for r in REG_RATES], "Strength of the penalty", 0.0),
                             "regularization-rate", "Regularization rate")
        self.task = name(_combo((("Classification", False), ("Regression", True)),
                                "Classify points by colour, or fit a value", False), "task", "Task")
        regularization = QHBoxLayout()
        regularization.addWidget(self.regularization, 1)
        regularization.addWidget(QLabel("rate"))
        regularization.addWidget(self.reg_rate)
        for label, widget in (("Learning rate", self.learning_rate), ("Activation", self.activation),
                              ("", self.surrogate), ("Optimizer", self.optimizer), ("Batch size", self.batch_size),
                              ("Regularization", regularization), ("Task", self.task)):
            form.addRow(label, widget)
        return box

    def _data_box(self) -> QGroupBox:
        box = QGroupBox("Data")
        form = QFormLayout(box)
        form.setVerticalSpacing(3)
        self.pictures = PresetPictures(PRESET_NAMES)
        self.preset = name(QComboBox(), "preset", "Data set")
        self.preset.setToolTip("A generated data set")
        self.preset.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.preset.currentIndexChanged.connect(lambda _: self.pictures.mark(self.preset.currentData()))
        self.regenerate = name(QPushButton("Regenerate"), "regenerate", "Regenerate")
        self.regenerate.setToolTip("Replace the points with a new draw of the chosen data set")
        self.noise = name(QSlider(Qt.Orientation.Horizontal), "noise", "Noise")
        self.noise.setRange(0, 50)
        self.noise.setToolTip("Noise of the generated data (0 to 50%)")
        self.point_count = name(QSpinBox(), "point-count", "Points")
        self.point_count.setRange(10, 100_000)
        self.point_count.setSingleStep(50)
        self.point_count.setValue(500)
        self.point_count.setToolTip("How many points to generate")
        self.ratio = name(QSlider(Qt.Orientation.Horizontal), "train-ratio", "Train ratio")
        self.ratio.setRange(10, 90)
        self.ratio.setValue(50)
        self.ratio.setToolTip("Percentage of points used for training; the rest test the network")
        self.ratio_label = QLabel("50%")
        preset_row = QHBoxLayout()
        preset_row.addWidget(self.preset, 1)
        preset_row.addWidget(self.regenerate)
        ratio_row = QHBoxLayout()
        ratio_row.addWidget(self.ratio, 1)
        ratio_row.addWidget(self.ratio_label)
        count_row = QHBoxLayout()
        count_row.addWidget(self.point_count)
        count_row.addWidget(QLabel("noise"))
        count_row.addWidget(self.noise, 1)
        form.addRow(self.pictures)
        form.addRow(preset_row)
        self.show_test = name(QCheckBox("Show test points"), "show-test", "Show test points")
        self.show_test.setChecked(True)
        self.show_test.setToolTip("Draw the held-out test points (squares with a dark outline)")
        self.discretize = name(QCheckBox("Discretize"), "discretize", "Discretize output")
        self.discretize.setToolTip("Colour the map by the predicted class only, without shades")
        options = QHBoxLayout()
        options.addWidget(self.show_test)
        options.addWidget(self.discretize)
        options.addStretch(1)
        form.addRow("Points", count_row)
        form.addRow("Train ratio", ratio_row)
        form.addRow(options)
        return box

    def _draw_bar(self) -> QWidget:
        """Classes (or, in regression, the value of new points) and the drawing tools, one row each."""
        bar = name(QWidget(), "draw-tools", "Drawing tools")
        self.classes = QButtonGroup(self)
        classes = QWidget()
        class_row = QHBoxLayout(classes)
        class_row.setContentsMargins(0, 0, 0, 0)
        class_row.setSpacing(2)
        for index in range(limits.DRAWN_CLASSES):
            button = name(QToolButton(), f"class-{index + 1}", f"Class {index + 1}")
            button.setIcon(_swatch(index))
            button.setText(str(index + 1))
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
            button.setCheckable(True)
            button.setToolTip(f"Draw class {index + 1} ({index + 1}); a third class makes the task multiclass")
            self.classes.addButton(button, index)
            class_row.addWidget(button)
        class_row.addStretch(1)
        self.classes.button(0).setChecked(True)
        value = QWidget()
        value_row = QHBoxLayout(value)
        value_row.setContentsMargins(0, 0, 0, 0)
        self.value = name(QSlider(Qt.Orientation.Horizontal), "value", "Value of new points")
        self.value.setRange(-100, 100)
        self.value.setValue(50)
        self.value.setToolTip("Value of new points in regression (mouse wheel over the canvas)")
        self.value_label = QLabel("value 0.50")
        value_row.addWidget(self.value_label)
        value_row.addWidget(self.value, 1)
        # Classes and the value never apply at once: one row shows whichever the task uses.
        self.label_choice = QStackedWidget()
        self.label_choice.addWidget(classes)
        self.label_choice.addWidget(value)
        self.tools = QButtonGroup(self)
        tool_row = QHBoxLayout()
        tool_row.setSpacing(2)
        for index, (text, tip) in enumerate((
            ("Point", "Click: add a point. Right click: the other class. Shift+click: delete the nearest"),
            ("Brush", "Drag to spray points of the chosen class"),
            ("Eraser", "Drag to delete points"),
            ("Pick", "Click a point to explain it in the neuron inspector (or Ctrl+click with any tool)"),
        )):
            button = name(QToolButton(), f"tool-{text.lower()}", f"{text} tool")
            button.setText(text)
            button.setCheckable(True)
            button.setToolTip(tip)
            self.tools.addButton(button, index)
            tool_row.addWidget(button)
        self.tools.button(0).setChecked(True)
        self.clear = name(QToolButton(), "clear", "Clear points")
        self.clear.setText("Clear")
        self.clear.setToolTip("Delete every point (Delete)")
        tool_row.addSpacing(6)
        tool_row.addWidget(self.clear)
        tool_row.addStretch(1)
        layout = QVBoxLayout(bar)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.label_choice)
        layout.addLayout(tool_row)
        # The chosen class and tool in the highlight colour: Fusion's pressed look is faint, in the dark nearly gone.
        theme.follow(bar, lambda colours: bar.setStyleSheet(
            f"QToolButton:checked {{ background: {colours.highlight}; color: {colours.highlighted_text}; "
            f"border: 1px solid {colours.highlight}; border-radius: 3px; padding: 2px 3px; }}"
            f"QToolButton:checked:focus {{ border: 2px solid {colours.text}; padding: 1px 2px; }}"))
        return bar

    def show_activations(self, activations: Sequence[str]) -> None:
        """Show the hidden layers' activation, or "Mixed" when they differ (never a value not in force)."""
        combo = self.activation
        mixed = combo.findData(MIXED)
        combo.blockSignals(True)
        if len(set(activations)) > 1:
            if mixed < 0:
                combo.addItem("Mixed", MIXED)
                mixed = combo.count() - 1
                # Shown, never chosen: picking an activation sets every layer to it.
                model = combo.model()
                if isinstance(model, QStandardItemModel):
                    model.item(mixed).setEnabled(False)
            combo.setCurrentIndex(mixed)
        else:
            if activations:
                combo.setCurrentIndex(combo.findData(activations[0]))
            if mixed >= 0:
                combo.removeItem(mixed)
        combo.blockSignals(False)

    def set_regression(self, regression: bool) -> None:
        """Offer the presets of the task (classification or regression)."""
        names = list(datasets.REGRESSION_PRESETS if regression else datasets.CLASSIFICATION_PRESETS)
        self.preset.blockSignals(True)
        self.preset.clear()
        for preset in names:
            self.preset.addItem(PRESET_NAMES[preset], preset)
        self.preset.blockSignals(False)
        self.pictures.show_presets(names)
        self.pictures.mark(self.preset.currentData())
        self.value.setEnabled(regression)
        for button in self.classes.buttons():
            button.setEnabled(not regression)
        self.label_choice.setCurrentIndex(1 if regression else 0)

