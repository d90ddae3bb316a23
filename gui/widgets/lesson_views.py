"""The live views beside a lesson's text: each shows the app's own numbers as they change.

Every view has ``set_point(point, snap)`` (the point under the mouse, None when it leaves
the canvas) and ``refresh(snap)`` (new weights); the lessons panel calls them. The numbers
each view shows are kept on it as plain values, so tests can hold them against the engine.
"""

from __future__ import annotations

import html
from functools import partial

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSlider,
    QSpinBox,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from engine.explain import explain_neuron
from engine.features import transform
from gui import theme
from gui.colors import class_color, translucent
from gui.keyboard import describe
from gui.widgets.inspector import network_from

SLIDER_SCALE = 100  # slider steps per unit: weights and bias to two decimals
SLIDER_RANGE = 6.0


def _f(name: str, s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(f(s), f'(s)) of an activation, for the plots (step: 0 slope everywhere but the jump)."""
    if name == "sigmoid":
        a = 1.0 / (1.0 + np.exp(-s))
        return a, a * (1.0 - a)
    if name == "tanh":
        a = np.tanh(s)
        return a, 1.0 - a * a
    if name == "relu":
        return np.maximum(s, 0.0), (s > 0).astype(float)
    if name == "linear":
        return s.copy(), np.ones_like(s)
    return (s >= 0).astype(float), np.zeros_like(s)  # step


class NeuronView(QWidget):
    """Lesson 1: sliders for the single neuron's two weights and bias, and s, a at the mouse."""

    def __init__(self, window, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.main = window
        self.point: tuple[float, float] | None = None
        self.values: dict[str, float] = {}  # s and a on show, for the point under the mouse
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        self.sliders: list[QSlider] = []
        self.labels: list[QLabel] = []
        for row, (name, text) in enumerate((("lesson-w1", "w₁"), ("lesson-w2", "w₂"), ("lesson-b", "b"))):
            slider = QSlider(Qt.Orientation.Horizontal)
            slider.setObjectName(name)
            describe(slider, f"Weight {text}" if row < 2 else "Bias b",
                     f"Set {'the weight' if row < 2 else 'the bias'} {text} of the one neuron: its map follows")
            slider.setRange(int(-SLIDER_RANGE * SLIDER_SCALE), int(SLIDER_RANGE * SLIDER_SCALE))
            slider.valueChanged.connect(lambda v, r=row: self._on_slide(r, v))
            label = QLabel()
            label.setMinimumWidth(60)
            grid.addWidget(QLabel(text), row, 0)
            grid.addWidget(slider, row, 1)
            grid.addWidget(label, row, 2)
            self.sliders.append(slider)
            self.labels.append(label)
        self.readout = QLabel("Hover the canvas: s and a for the point under the mouse.")
        self.readout.setObjectName("lesson-readout")
        self.readout.setWordWrap(True)
        self.readout.setTextFormat(Qt.TextFormat.RichText)
        grid.addWidget(self.readout, 3, 0, 1, 3)
        grid.setRowStretch(4, 1)  # spare height below the readout, not between the sliders and it

    def _params(self, snap) -> tuple[np.ndarray, float] | None:
        if snap is None or tuple(snap.layer_sizes) != (2, 1) or tuple(snap.features) != ("x1", "x2"):
            return None
        return np.asarray(snap.weights[0])[:, 0], float(snap.biases[0][0])

    def _on_slide(self, row: int, value: int) -> None:
        number = value / SLIDER_SCALE
        self.labels[row].setText(f"{number:+.2f}")
        if row < 2:
            self.main.controller.set_weight(1, row, 0, number)  # layer 1: the output, here
        else:
            self.main.controller.set_bias(1, 0, number)

    def set_point(self, point: tuple[float, float] | None, snap) -> None:
        """Show s and a for the point under the mouse."""
        if point is not None:
            self.point = point
        self.refresh(snap)

    def refresh(self, snap) -> None:
        """Sliders follow the weights (unless the student holds one); s and a follow both."""
        params = self._params(snap)
        if params is None:
            self.readout.setText("This view needs the lesson's network: one neuron on inputs x₁ and x₂.")
            return
        w, b = params
        for slider, label, value in zip(self.sliders, self.labels, (*w, b)):
            if not slider.isSliderDown():
                slider.blockSignals(True)
                slider.setValue(int(round(float(np.clip(value, -SLIDER_RANGE, SLIDER_RANGE)) * SLIDER_SCALE)))
                slider.blockSignals(False)
                label.setText(f"{value:+.2f}")
        if self.point is None:
            return
        x1, x2 = self.point
        s = float(w[0] * x1 + w[1] * x2 + b)
        a = float(1.0 / (1.0 + np.exp(-np.clip(s, -500, 500))))
        self.values = {"s": s, "a": a}
        self.readout.setText(
            f"At ({x1:+.2f}, {x2:+.2f}): s = w₁x₁ + w₂x₂ + b = ({w[0]:+.2f})({x1:+.2f}) + ({w[1]:+.2f})({x2:+.2f})"
            f" + ({b:+.2f}) = <b>{s:+.3f}</b>; a = σ(s) = <b>{a:.3f}</b> "
            f"({'class 2, blue' if a > 0.5 else 'class 1, orange' if a < 0.5 else 'undecided'})")


class ActivationView(QWidget):
    """Lesson 2: f(s) and f'(s) of the first hidden layer, with the training points' s marked."""

    def __init__(self, window, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("lesson-activation-plots")
        self.main = window
        self.name = ""
        self.s_values = np.zeros(0)  # s of hidden neuron 1 at each training point, as marked
        self.title = QLabel()
        self.title.setWordWrap(True)  # the dock may be narrow: a cut title would hide the share of flat dots
        row = QHBoxLayout()
        self.plots = []
        for label in ("f(s)", "f′(s)"):
            plot = pg.PlotWidget()
            plot.setMinimumHeight(130)
            plot.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # pictures: Tab passes them by
            plot.setTitle(label, size="9pt")
            plot.setXRange(-6, 6)
            plot.setMouseEnabled(False, False)
            plot.hideButtons()
            plot.setMinimumWidth(120)
            curve = plot.plot()
            dots = pg.ScatterPlotItem(size=5, pen=None, brush=pg.mkBrush(translucent(class_color(4), 140)))
            plot.addItem(dots)
            self.plots.append((plot, curve, dots))
            theme.follow(plot, partial(self._restyle, plot, curve))
            row.addWidget(plot)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addLayout(row)

    @staticmethod
    def _restyle(plot: pg.PlotWidget, curve: pg.PlotDataItem, colours: theme.Theme) -> None:
        theme.style_plot(plot, colours)
        curve.setPen(pg.mkPen(colours.series[0], width=2))

    def set_point(self, point, snap) -> None:
        """The plots do not follow the mouse."""

    def refresh(self, snap) -> None:
        """Redraw for the first hidden layer's activation and the current weights."""
        if snap is None or len(snap.layer_sizes) < 3:
            return
        name = snap.activations[0]
        if name != self.name:
            self.name = name
            grid = np.linspace(-6, 6, 481)
            f, slope = _f(name, grid)
            for (plot, curve, _), values in zip(self.plots, (f, slope)):
                curve.setData(grid, values)
                plot.setYRange(min(-0.1, float(values.min())), max(1.1, float(values.max()) * 1.05))
        model = self.main.model
        train = model.points[~model.test_mask][:200]
        if not len(train):
            return
        net = network_from(snap)
        with np.errstate(all="ignore"):
            sums, _ = net.trace(transform(train, list(snap.features)))
        self.s_values = sums[0][:, 0]
        f, slope = _f(name, np.clip(self.s_values, -6, 6))
        for (_, _, dots), values in zip(self.plots, (f, slope)):
            dots.setData(np.clip(self.s_values, -6, 6), values)
        flat = float(np.mean(slope == 0.0))
        self.title.setText(f"Hidden neuron 1, activation <b>{html.escape(name)}</b>: "
                           f"{flat:.0%} of the dots have f′(s) = 0.")


class BackpropView(QWidget):
    """Lesson 5: the four equations with live numbers for one point and one hidden neuron."""

    def __init__(self, window, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("lesson-backprop")
        self.main = window
        self.index = 0  # the data point explained (Ctrl+click on the canvas picks another)
        self.reports: tuple = ()  # (output report, hidden report) on show
        self.layer = QSpinBox()
        self.layer.setObjectName("lesson-backprop-layer")
        describe(self.layer, "Hidden layer", "The hidden layer of the neuron explained")
        self.layer.setRange(1, 1)
        self.neuron = QSpinBox()
        self.neuron.setObjectName("lesson-backprop-neuron")
        describe(self.neuron, "Neuron", "The neuron of that layer explained")
        self.neuron.setRange(1, 1)
        choose = QHBoxLayout()
        choose.addWidget(QLabel("hidden layer"))
        choose.addWidget(self.layer)
        choose.addWidget(QLabel("neuron"))
        choose.addWidget(self.neuron)
        choose.addStretch()
        self.text = describe(QTextBrowser(), "Backpropagation written out",
                             "Backprop's numbers for the chosen neuron and point (Ctrl+click on the canvas picks it)")
        self.text.setMinimumHeight(170)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(choose)
        layout.addWidget(self.text, 1)
        self.layer.valueChanged.connect(lambda _: self.refresh(self.main.controller.latest))
        self.neuron.valueChanged.connect(lambda _: self.refresh(self.main.controller.latest))
        window.canvas.point_picked.connect(self._on_pick)

    def _on_pick(self, index: int) -> None:
        self.index = index
        self.refresh(self.main.controller.latest)

    def set_point(self, point, snap) -> None:
        """The equations are about a chosen training point, not the mouse."""

    def leave(self) -> None:
        """The lesson is left: its point is no longer ringed on the canvas."""
        self.main.canvas.mark("lesson", None)

    def refresh(self, snap) -> None:
        """Recompute the four equations with the latest weights; ring the point they are about."""
        model = self.main.model
        if snap is None or len(snap.layer_sizes) < 3 or not len(model) or snap.task != "binary":
            self.text.setHtml("<p>This view needs a classifier with a hidden layer and some points.</p>")
            self.leave()
            return
        self.index = min(self.index, len(model) - 1)
        # Ringed only while the lesson is on screen (the panel keeps polling while its dock is hidden).
        self.main.canvas.mark("lesson", tuple(model.points[self.index]) if self.isVisible() else None)
        self.layer.setMaximum(len(snap.layer_sizes) - 2)
        self.neuron.setMaximum(snap.layer_sizes[self.layer.value()])
        point, label = model.points[self.index], int(model.labels[self.index])
        net = network_from(snap)
        x = transform(point.reshape(1, 2), list(snap.features))
        l, j = self.layer.value(), self.neuron.value() - 1
        with np.errstate(all="ignore"):
            out = explain_neuron(net, x, label, net.n_layers, 0)
            hid = explain_neuron(net, x, label, l, j)
        self.reports = (out, hid)
        L, sup, nxt = net.n_layers, f"<sup>{l}</sup>", f"<sup>{l + 1}</sup>"
        assert hid.upstream_weights is not None and hid.upstream_deltas is not None  # a hidden neuron has them
        terms = " + ".join(f"({w:+.3f})({d:+.3f})" for w, d in zip(hid.upstream_weights, hid.upstream_deltas))
        k = 0
        self.text.setHtml(
            f"<p>Point {self.index + 1} at ({point[0]:+.2f}, {point[1]:+.2f}), class {label + 1} "
            f"(target t = {out.target:g}); neuron {j + 1} of layer {l}.</p>"
            f"<p><b>1.</b> δ<sup>{L}</sup> = a<sup>{L}</sup> − t = {out.a:+.4f} − {out.target:g} "
            f"= <b>{out.delta:+.4f}</b></p>"
            f"<p><b>2.</b> δ{sup}<sub>{j + 1}</sub> = (Σ<sub>k</sub> w{nxt}<sub>k{j + 1}</sub> δ{nxt}<sub>k</sub>)"
            f" · f′(s{sup}<sub>{j + 1}</sub>) = ({terms}) · {hid.slope:+.4f} = <b>{hid.delta:+.4f}</b></p>"
            f"<p><b>3.</b> ∂J/∂b{sup}<sub>{j + 1}</sub> = δ{sup}<sub>{j + 1}</sub> = "
            f"<b>{hid.bias_gradient:+.4f}</b></p>"
            f"<p><b>4.</b> ∂J/∂w{sup}<sub>{j + 1},{k + 1}</sub> = a<sup>{l - 1}</sup><sub>{k + 1}</sub> "
            f"δ{sup}<sub>{j + 1}</sub> = ({hid.inputs[k]:+.4f})({hid.delta:+.4f}) = "
            f"<b>{hid.weight_gradients[k]:+.4f}</b>; for every input k: "
            + ", ".join(f"{g:+.4f}" for g in hid.weight_gradients) + "</p>")


def loss_noise(losses: np.ndarray) -> tuple[float, float]:
    """(share of epochs whose loss rose, std of the epoch-to-epoch changes) of a training-loss curve.

    Full-batch gradient descent with a modest rate goes downhill every epoch (0 rises, tiny
    changes); small batches follow noisy estimates of the slope, so the loss jumps up and down.
    """
    steps = np.diff(np.asarray(losses, dtype=float))
    steps = steps[np.isfinite(steps)]
    if not len(steps):
        return 0.0, 0.0
    return float(np.mean(steps > 0)), float(np.std(steps))


class RatesView(QWidget):
    """Lesson 6: three learning rates, then three batch sizes, each trained afresh; their loss curves kept."""

    RATES = (("Too small: 0.0001", 0.0001), ("Right: 0.03", 0.03), ("Too large: 10", 10.0))
    BATCHES = (("Batch 1", 1), ("Batch 10", 10), ("Whole set", 500))  # 500: more than the lesson's points
    BATCH_RATE = 0.03  # the batch sizes are compared at the right rate

    def __init__(self, window, start_run, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("lesson-rates")
        self.main = window
        self.start_run = start_run
        self.curves: dict[str, tuple[np.ndarray, np.ndarray]] = {}  # label -> (epochs, training loss)
        self.noise: dict[str, tuple[float, float]] = {}  # label -> (share of epochs the loss rose, jitter)
        self.buttons: list[QPushButton] = []
        rows = []
        for choices, name, slot in ((self.RATES, "rate", self.try_rate), (self.BATCHES, "batch", self.try_batch)):
            row = QHBoxLayout()
            if name == "batch":
                row.addWidget(QLabel(f"At η {self.BATCH_RATE:g}:"))
            for text, value in choices:
                button = QPushButton(text)
                button.setObjectName(f"lesson-{name}-{value:g}")
                if name == "rate":
                    describe(button, f"Learning rate {value:g}", f"Train afresh with learning rate {value:g}")
                else:
                    describe(button, f"Batch size {value:g}",
                             f"Train afresh at learning rate {self.BATCH_RATE:g} with batches of {value:g} points")
                button.clicked.connect(lambda _=False, v=value, f=slot: f(v))
                row.addWidget(button)
                self.buttons.append(button)
            rows.append(row)
        self.plot = pg.PlotWidget()
        self.plot.setMinimumHeight(120)
        self.plot.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.plot.setLogMode(False, True)
        self.plot.setLabel("bottom", "epoch")
        self.plot.setLabel("left", "training loss")
        self.plot.getAxis("left").enableAutoSIPrefix(False)
        self.summary = QLabel("Each run's curve is kept here, with how noisy it was.")
        self.summary.setObjectName("lesson-rates-summary")
        self.summary.setToolTip("end: the training loss after the run; rose: the share of epochs whose loss went "
                                "up; jitter: the spread of the loss's change from one epoch to the next")
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for row in rows:
            layout.addLayout(row)
        layout.addWidget(self.plot, 1)
        layout.addWidget(self.summary)
        theme.follow(self, self._restyle)

    def _restyle(self, colours: theme.Theme) -> None:
        """Plot, the runs' curves and their table in the theme's colours."""
        theme.style_plot(self.plot, colours)
        for i, item in enumerate(self.plot.getPlotItem().listDataItems()):
            item.setPen(pg.mkPen(self._colour(i, colours), width=2))
        self._show_table(colours)

    @staticmethod
    def _colour(i: int, colours: theme.Theme) -> str:
        return colours.series[i % len(colours.series)]

    def try_rate(self, rate: float) -> None:
        """Set the learning rate (an undoable edit, as the control does), start afresh and run."""
        combo = self.main.controls.learning_rate
        combo.setCurrentIndex(combo.findData(rate))
        self.main.controls.reset.click()
        self.start_run()

    def try_batch(self, batch: int) -> None:
        """At the right rate, set the batch size on its control, start afresh and run."""
        self.main.controls.batch_size.setValue(batch)
        self.try_rate(self.BATCH_RATE)

    def run_finished(self, start: int, stop: int) -> None:
        """Keep the loss curve of epochs ``start`` to ``stop`` under its settings, with how noisy it was.

        Training at full speed runs on past ``stop`` before it pauses: the curves are cut to the
        run's own epochs, so runs are compared over the same number of epochs.
        """
        losses = self.main.controller.losses
        if not losses.size:
            return
        settings = self.main.config().settings
        training = int(np.count_nonzero(~self.main.model.test_mask))
        batch = "the whole set" if settings.batch_size >= training else f"batch {settings.batch_size}"
        label = f"η {settings.learning_rate:g}, {batch}"
        epochs, train = np.asarray(losses.column(0), dtype=float), np.asarray(losses.column(1), dtype=float)
        keep = (epochs > start) & (epochs <= stop) & np.isfinite(train) & (train > 0)
        self.curves.pop(label, None)  # a run tried again goes to the end, in its new colour
        self.curves[label] = (epochs[keep], train[keep])
        self.noise[label] = loss_noise(train[keep])
        self.plot.clear()
        colours = theme.current()
        for i, (x, y) in enumerate(self.curves.values()):
            self.plot.plot(x, y, pen=pg.mkPen(self._colour(i, colours), width=2))
        self._show_table(colours)

    def _show_table(self, colours: theme.Theme) -> None:
        """Each kept run beneath the plot, in its curve's colour (a legend inside it would cover the curves)."""
        if not self.curves:
            return
        rows = ["<tr><th align=left>run</th><th>&nbsp;end&nbsp;</th><th>&nbsp;rose&nbsp;</th>"
                "<th>&nbsp;jitter</th></tr>"]
        for i, (name, (_, y)) in enumerate(self.curves.items()):
            rose, jitter = self.noise[name]
            end = f"{y[-1]:.3g}" if len(y) else "–"
            rows.append(f"<tr><td><span style='color:{self._colour(i, colours)}'><b>—</b></span> "
                        f"{html.escape(name)}</td><td align=center>{end}</td><td align=center>{rose:.0%}</td>"
                        f"<td align=center>±{jitter:.2g}</td></tr>")
        self.summary.setText("<table cellspacing=0>" + "".join(rows) + "</table>")
        # Room for every line (a wrapped label in a squeezed panel would otherwise overlap the plot).
        self.summary.setMinimumHeight(self.summary.heightForWidth(max(1, self.summary.width())))

    def set_point(self, point, snap) -> None:
        """Not about the mouse."""

    def refresh(self, snap) -> None:
        """Curves are added when a run finishes."""

