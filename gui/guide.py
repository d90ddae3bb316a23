"""The guide (Help menu): what each view shows, and three experiments set up by one click."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QSignalBlocker, Signal
from PySide6.QtWidgets import QDialog, QHBoxLayout, QPushButton, QTextBrowser, QVBoxLayout, QWidget

from engine import limits
from gui.keyboard import describe
from gui.widgets.controls import DEFAULT_SPEED

if TYPE_CHECKING:
    from gui.main_window import MainWindow


@dataclass(frozen=True)
class Experiment:
    """A set-up the guide can load: data, network and training settings."""

    title: str
    preset: str
    hidden: tuple[int, ...]
    activation: str
    learning_rate: float
    advice: str
    features: tuple[str, ...] = ("x1", "x2")
    space_layer: int | None = None  # open the layer-space view of this hidden layer
    # What a lesson (gui.lesson_book) also sets; the guide's experiments keep these defaults.
    points: int = limits.DEFAULT_POINTS
    noise: float = 0.0
    layer_activations: tuple[str, ...] | None = None  # one per hidden layer; None: ``activation`` for all
    optimizer: str = limits.DEFAULT_OPTIMIZER
    batch_size: int = limits.DEFAULT_BATCH_SIZE
    speed: float | None = DEFAULT_SPEED

    def activations(self) -> tuple[str, ...]:
        """The hidden layers' activations."""
        if self.layer_activations is not None:
            return self.layer_activations
        return (self.activation,) * len(self.hidden)


EXPERIMENTS = (
    Experiment(
        "Tanh against step on the circle", "circle", limits.DEFAULT_HIDDEN, "step", limits.DEFAULT_LEARNING_RATE,
        "Press Play: the step network's hidden maps never change and the loss stays high. Then pick "
        "Tanh in Activation (the weights are kept) and watch the same network learn."),
    Experiment(
        "Vanishing gradients in a deep sigmoid network", "spiral", (8, 8, 8, 8, 8, 8), "sigmoid",
        limits.DEFAULT_LEARNING_RATE,
        "Press Play and look at the gradient flow plot: each layer further from the output gets a "
        "gradient many times smaller, so the first layers hardly move. Try Tanh or ReLU for comparison."),
    Experiment(
        "A learning rate that is too high", "circle", limits.DEFAULT_HIDDEN, "relu", 3.0,
        "Press Play: every step overshoots, the loss jumps around or blows up. Lower the learning rate "
        "while it trains and the loss settles."),
    Experiment(
        "Watch the circle straighten", "circle", (3,), "tanh", 0.03,
        "Press Play and watch the layer-space view: the three tanh neurons lift the inner disc away "
        "from the ring until, in their space, one flat cut separates them; with x₁ and x₂ alone no "
        "straight line on the canvas could.", space_layer=1),
)

GUIDE_HTML = """
<h2>How to read Neural Sandbox</h2>
<p><b>The canvas</b> (right) shows your points over the network's answer for every place in the
plane: orange for class 1, blue for class 2, white where the network is undecided. Test points,
which the network never trains on, are squares. Hover the canvas and the network view shows what
every neuron computes for that one point.</p>
<p><b>The network</b> (middle) is drawn left to right: the input features, the hidden layers, the
output. Each neuron is a weighted sum of the layer before it plus a bias,
s = Σ w·a + b, passed through its activation, a = f(s); its small map shows a over the plane. Blue
links are positive weights, orange negative, and wider means larger. Click a neuron to open the
inspector, click a link to edit its weight.</p>
<p><b>Backprop</b> works backwards from the loss. The output neuron's δ = ∂J/∂s is simply a − t.
Each layer's δ comes from the next one:
δ<sub>j</sub> = (Σ<sub>k</sub> w<sub>kj</sub> δ<sub>k</sub>) · f′(s<sub>j</sub>).
From δ, every knob's slope follows: ∂J/∂b = δ and ∂J/∂w<sub>jk</sub> = a<sub>k</sub>·δ. Gradient descent
then turns each knob a little downhill: w ← w − η ∂J/∂w. The inspector shows these numbers live.</p>
<p><b>The loss plot</b> shows how wrong the network is on the training and test points, epoch by
epoch; <b>the gradient flow</b> plot shows how large each layer's gradient is. A gradient of exactly
zero (a step network) cannot be drawn on a log scale and is named beneath the plot.</p>
<p><b>Why step fails</b>: step is flat on both sides of its jump, so f′(s) = 0 and every δ below a
step layer is 0. No gradient, no learning. Sigmoid is a smooth step with a slope everywhere.</p>
<p><b>The layer space</b> (click a hidden layer's header, or View → Layer space) draws the plane's
grid lines and your points where that layer moves them: look for the moment the last hidden layer
has pulled the classes apart so far that the output's straight dashed line separates them.</p>
<h3>Experiments</h3>
"""


def set_up_experiment(win: MainWindow, experiment: Experiment) -> None:
    """Load an experiment or lesson, self-contained: data, network, features, every setting,
    speed, fresh weights and history, the true gradient (one undo step)."""
    c = win.controls
    c.play.setChecked(False)
    win.undo_stack.beginMacro(experiment.title)
    if c.task.currentData():
        c.task.setCurrentIndex(0)
    with QSignalBlocker(c.preset), QSignalBlocker(c.noise), QSignalBlocker(c.point_count), \
            QSignalBlocker(c.activation):
        c.preset.setCurrentIndex(c.preset.findData(experiment.preset))
        c.noise.setValue(int(round(experiment.noise * 100)))
        c.point_count.setValue(experiment.points)
        c.activation.setCurrentIndex(c.activation.findData(experiment.activation))
    c.pictures.mark(experiment.preset)
    win.model.generate(experiment.preset, experiment.points, experiment.noise, win._seed)
    win.config_presenter.change_config(
        experiment.title, hidden=experiment.hidden, activations=experiment.activations(),
        features=experiment.features, learning_rate=experiment.learning_rate, optimizer=experiment.optimizer,
        batch_size=experiment.batch_size, regularization=None, reg_rate=0.0)
    win.undo_stack.endMacro()
    c.speed.setCurrentIndex(c.speed.findData(experiment.speed))
    win.controller.set_surrogate(False)
    c.reset.click()  # fresh weights and history: nothing carried over from before
    if experiment.advice:
        win.statusBar().showMessage(experiment.advice, 15000)


class GuideDialog(QDialog):
    """A non-modal guide with one button per experiment."""

    # Emitted with the Experiment the user chose to set up.
    experiment_requested = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Neural Sandbox guide")
        self.setModal(False)
        self.resize(640, 620)
        text = describe(QTextBrowser(), "Guide", "What each view shows, and experiments to set up")
        text.setHtml(GUIDE_HTML + "".join(
            f"<p><b>{i + 1}. {e.title}.</b> {e.advice}</p>" for i, e in enumerate(EXPERIMENTS)))
        buttons = QHBoxLayout()
        self.buttons: list[QPushButton] = []
        for experiment in EXPERIMENTS:
            button = describe(QPushButton(experiment.title), f"Experiment: {experiment.title}")
            button.setToolTip("Set up this experiment (your points are replaced; Undo brings them back)")
            button.clicked.connect(lambda _=False, e=experiment: self.experiment_requested.emit(e))
            buttons.addWidget(button)
            self.buttons.append(button)
        layout = QVBoxLayout(self)
        layout.addWidget(text, 1)
        layout.addLayout(buttons)
