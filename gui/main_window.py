"""The main window: layout and wiring only.

Controls and views send their changes to the ``Controller``; a 60 Hz display timer
draws the latest snapshot the trainer published (latest wins, no backlog). The GUI
thread never trains.
"""

from __future__ import annotations

import time

import numpy as np
from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QLabel, QMainWindow, QMessageBox, QScrollArea, QSplitter, QVBoxLayout, QWidget,
)

from engine.live import Snapshot
from engine.maps import view_bounds
from gui.controller import Controller
from gui.data_model import DataModel
from gui.widgets.canvas import TOOLS, DataCanvas, SquareFrame
from gui.widgets.controls import Controls
from gui.widgets.loss_plot import LossPlot
from gui.widgets.network_view import NetworkView

FRAME_MS = 16  # display timer: redraw at most ~60 times a second
MAX_HIDDEN_LAYERS = 8
MAX_NEURONS = 16


class MainWindow(QMainWindow):
    """Neural Sandbox's window: data canvas, network view, loss plot and controls."""

    def __init__(self, preset: str = "circle", seed: int = 0) -> None:
        super().__init__()
        self.setWindowTitle("Neural Sandbox")
        self.model = DataModel(seed)
        self.controller = Controller(self.model, seed, self)
        self.controls = Controls()
        self.canvas = DataCanvas(self.model)
        self.network = NetworkView()
        self.loss_plot = LossPlot(self.controller.losses)
        self.notice = QLabel()
        self.notice.setWordWrap(True)
        self.notice.setStyleSheet("background: #fff4d6; border: 1px solid #e69f00; padding: 6px;")
        self.notice.hide()
        self._build_layout()
        self._build_menus()
        self._connect()
        self._frames = 0
        self._fps = 0.0
        self._fps_clock = time.perf_counter()
        self.frame_times: list[float] = []
        self._structure: tuple | None = None
        self._playing = False
        self.display_timer = QTimer(self)
        self.display_timer.setInterval(FRAME_MS)
        self.display_timer.timeout.connect(self._on_frame)
        self.display_timer.start()
        self.model.generate(preset, 500, 0.0, seed)
        self.controls.preset.setCurrentIndex(max(0, self.controls.preset.findData(preset)))
        self.resize(1360, 820)

    # ------------------------------------------------------------------ layout
    def _build_layout(self) -> None:
        scroll = QScrollArea()
        scroll.setWidget(self.controls)
        scroll.setWidgetResizable(True)
        scroll.setMinimumWidth(340)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        middle = QSplitter(Qt.Orientation.Vertical)
        middle.addWidget(self.network)
        middle.addWidget(self.loss_plot)
        middle.setSizes([520, 260])
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.notice)
        right_layout.addWidget(SquareFrame(self.canvas), 1)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(scroll)
        self.splitter.addWidget(middle)
        self.splitter.addWidget(right)
        self.splitter.setSizes([340, 520, 500])
        self.setCentralWidget(self.splitter)
        self.status = QLabel()
        self.statusBar().addPermanentWidget(self.status)

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        quit_action = QAction("&Quit", self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)
        edit_menu = self.menuBar().addMenu("&Edit")
        self.undo_action = QAction("&Undo", self)
        self.undo_action.setShortcut(QKeySequence.StandardKey.Undo)
        self.undo_action.triggered.connect(self.model.undo)
        self.redo_action = QAction("&Redo", self)
        self.redo_action.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence.StandardKey.Redo])
        self.redo_action.triggered.connect(self.model.redo)
        edit_menu.addAction(self.undo_action)
        edit_menu.addAction(self.redo_action)
        run_menu = self.menuBar().addMenu("&Run")
        for text, key, slot in (
            ("Play / pause", "Space", self._toggle_play),
            ("Step one epoch", "S", self._on_step_click),
            ("Reset weights", "R", self._on_reset_click),
            ("Clear points", "Delete", self.model.clear),
        ):
            action = QAction(text, self)
            action.setShortcut(QKeySequence(key))
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            action.triggered.connect(slot)
            run_menu.addAction(action)
            self.addAction(action)
        for index in range(6):
            action = QAction(f"Class {index + 1}", self)
            action.setShortcut(QKeySequence(str(index + 1)))
            action.triggered.connect(lambda _=False, i=index: self.controls.classes.button(i).click())
            self.addAction(action)
        help_menu = self.menuBar().addMenu("&Help")
        about = QAction("&About Neural Sandbox", self)
        about.triggered.connect(self._show_about)
        help_menu.addAction(about)

    def _connect(self) -> None:
        c, ctl = self.controls, self.controller
        c.play.toggled.connect(self._on_play_toggle)
        c.step.clicked.connect(self._on_step_click)
        c.reset.clicked.connect(self._on_reset_click)
        c.speed.currentIndexChanged.connect(lambda _: ctl.set_settings(speed=c.speed.currentData()))
        c.learning_rate.currentIndexChanged.connect(
            lambda _: ctl.set_settings(learning_rate=c.learning_rate.currentData()))
        c.optimizer.currentIndexChanged.connect(lambda _: ctl.set_settings(optimizer=c.optimizer.currentData()))
        c.batch_size.valueChanged.connect(lambda v: ctl.set_settings(batch_size=int(v)))
        c.regularization.currentIndexChanged.connect(
            lambda _: ctl.set_settings(regularization=c.regularization.currentData()))
        c.reg_rate.currentIndexChanged.connect(lambda _: ctl.set_settings(reg_rate=c.reg_rate.currentData()))
        c.discretize.toggled.connect(lambda on: ctl.set_settings(discretize=bool(on)))
        c.activation.currentIndexChanged.connect(self._on_activation_change)
        c.task.currentIndexChanged.connect(self._on_task_change)
        c.regenerate.clicked.connect(self._on_regenerate)
        c.preset.currentIndexChanged.connect(lambda _: self._on_regenerate())
        c.ratio.valueChanged.connect(self._on_ratio_change)
        c.show_test.toggled.connect(self.canvas.set_show_test)
        c.classes.idClicked.connect(self._on_class_change)
        c.tools.idClicked.connect(lambda i: setattr(self.canvas, "tool", TOOLS[i]))
        c.clear.clicked.connect(self.model.clear)
        c.value.valueChanged.connect(self._on_value_change)
        self.canvas.value_changed.connect(lambda v: c.value.setValue(int(round(v * 100))))
        n = self.network
        n.feature_toggled.connect(self._on_feature_toggle)
        n.layer_count_changed.connect(self._on_layer_count_change)
        n.neuron_count_changed.connect(self._on_neuron_count_change)
        n.activation_changed.connect(self._on_layer_activation_change)
        n.neuron_hovered.connect(ctl.set_focus)
        self.model.changed.connect(self._on_data_change)

    def configure(self, hidden: list[int], activation: str) -> None:
        """Set the hidden layers and their activation (the command line's --layers, --activation)."""
        combo = self.controls.activation
        combo.blockSignals(True)
        combo.setCurrentIndex(max(0, combo.findData(activation)))
        combo.blockSignals(False)
        self.controller.set_architecture(hidden=hidden, activations=[activation] * len(hidden))
        self._sync_structure()

    # ---------------------------------------------------------------- handlers
    def _on_play_toggle(self, on: bool) -> None:
        self.controls.play.setText("⏸ Pause" if on else "▶ Play")
        if on:
            self.controller.play()
        else:
            self.controller.pause()

    def _toggle_play(self) -> None:
        self.controls.play.toggle()

    def _on_step_click(self) -> None:
        self.controls.play.setChecked(False)
        self.controller.step(1)

    def _on_reset_click(self) -> None:
        self.controls.play.setChecked(False)
        self.controller.reset()

    def _on_activation_change(self, _index: int) -> None:
        name = self.controls.activation.currentData()
        self.controller.set_activations([name] * len(self.controller.hidden))
        self._sync_structure()

    def _on_layer_activation_change(self, layer: int, name: str) -> None:
        activations = list(self.controller.activations)
        if 0 <= layer < len(activations) and activations[layer] != name:
            activations[layer] = name
            self.controller.set_activations(activations)

    def _on_task_change(self, _index: int) -> None:
        regression = bool(self.controls.task.currentData())
        self.controls.set_regression(regression)
        self.controls.play.setChecked(False)
        self.controller.set_architecture(regression=regression)
        self._on_regenerate()

    def _on_regenerate(self) -> None:
        c = self.controls
        preset = c.preset.currentData()
        if preset is None:
            return
        seed = int(np.random.default_rng().integers(1 << 31)) if self.model.points.size else 0
        self.model.generate(preset, c.point_count.value(), c.noise.value() / 100.0, seed)

    def _on_ratio_change(self, percent: int) -> None:
        self.controls.ratio_label.setText(f"{percent}%")
        self.model.set_train_ratio(percent / 100.0)

    def _on_class_change(self, index: int) -> None:
        self.canvas.current_class = index

    def _on_value_change(self, value: int) -> None:
        self.canvas.regression_value = value / 100.0
        self.controls.value_label.setText(f"value {value / 100:.2f}")

    def _on_feature_toggle(self, name: str) -> None:
        features = list(self.controller.features)
        if name in features:
            if len(features) == 1:
                self.statusBar().showMessage("At least one input feature is needed.", 4000)
                return
            features.remove(name)
        else:
            from engine.features import FEATURES

            features = [f for f in FEATURES if f in features or f == name]
        self.controller.set_architecture(features=features)
        self._sync_structure()

    def _on_layer_count_change(self, count: int) -> None:
        count = max(0, min(MAX_HIDDEN_LAYERS, count))
        hidden = list(self.controller.hidden)
        hidden = hidden[:count] + [hidden[-1] if hidden else 4] * (count - len(hidden))
        self.controller.set_architecture(hidden=hidden)
        self._sync_structure()

    def _on_neuron_count_change(self, layer: int, count: int) -> None:
        hidden = list(self.controller.hidden)
        if 0 <= layer < len(hidden):
            hidden[layer] = max(1, min(MAX_NEURONS, count))
            self.controller.set_architecture(hidden=hidden)
            self._sync_structure()

    def _on_data_change(self) -> None:
        self.canvas.set_bounds(view_bounds(self.model.points))
        self._sync_structure()

    def _sync_structure(self) -> None:
        """Rebuild the network view when the shape the user asked for changed."""
        ctl = self.controller
        outputs = self.model.class_count() if (not ctl.regression and self.model.class_count() >= 3) else 1
        structure = (tuple(ctl.features), tuple(ctl.hidden), tuple(ctl.activations), outputs)
        if structure != self._structure:
            self._structure = structure
            self.network.set_structure(list(ctl.features), list(ctl.hidden), list(ctl.activations), outputs)

    # ----------------------------------------------------------------- drawing
    def _on_frame(self) -> None:
        snap = self.controller.take_fresh()
        if snap is None:
            return
        started = time.perf_counter()
        self.draw(snap)
        self.frame_times.append(time.perf_counter() - started)
        self._frames += 1
        now = time.perf_counter()
        if now - self._fps_clock >= 1.0:
            self._fps = self._frames / (now - self._fps_clock)
            self._frames, self._fps_clock = 0, now
            self._update_status(snap)

    def draw(self, snap: Snapshot) -> None:
        """Draw one snapshot on every view."""
        self.canvas.set_decision(snap.decision_rgb, snap.bounds)
        structure = (snap.features, tuple(snap.layer_sizes[1:-1]), snap.activations, snap.layer_sizes[-1])
        if structure == self._structure:
            self.network.update_snapshot(snap)
        self.loss_plot.redraw()
        self.loss_plot.set_figures(snap)
        self.controls.epoch.setText(f"Epoch {snap.epoch:,}")
        if snap.playing != self.controls.play.isChecked() and not snap.playing:
            # The trainer paused itself (no points, or the loss diverged).
            if snap.seq == self.controller.process.last_seq:
                self.controls.play.blockSignals(True)
                self.controls.play.setChecked(False)
                self.controls.play.setText("▶ Play")
                self.controls.play.blockSignals(False)
        self._show_notice(snap)

    def _show_notice(self, snap: Snapshot) -> None:
        if snap.diverged:
            self.notice.setText(
                "Training stopped: the loss is no longer a finite number. The learning rate is too "
                "high for this network, so each step overshoots further. The last good weights are kept: "
                "lower the learning rate and press Play, or Reset.")
            self.notice.show()
        elif snap.message:
            self.notice.setText(snap.message)
            self.notice.show()
        else:
            self.notice.hide()

    def _update_status(self, snap: Snapshot) -> None:
        self.status.setText(
            f"{snap.n_train} training points, {snap.n_test} test points   "
            f"{snap.epochs_per_second:,.0f} epochs/s   {self._fps:.0f} frames/s"
        )

    def _show_about(self) -> None:
        QMessageBox.about(self, "Neural Sandbox",
                          "Draw points, shape a network, and watch backpropagation train it.")

    # -------------------------------------------------------------- lifecycle
    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        """Stop the display timer and the trainer before the window goes."""
        self.display_timer.stop()
        self.controller.close()
        QSettings("NeuralSandbox", "NeuralSandbox").setValue("geometry", self.saveGeometry())
        super().closeEvent(event)
