"""The main window: layout and wiring only.

Controls and views send their changes to the ``Controller``; a 60 Hz display timer
draws the latest snapshot the trainer published (latest wins, no backlog). The GUI
thread never trains.
"""

from __future__ import annotations

import ctypes
import sys
import time
from collections import deque

import numpy as np
from PySide6.QtCore import QSignalBlocker, Qt, QTimer
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QDragEnterEvent,
    QDropEvent,
    QGuiApplication,
    QKeySequence,
    QUndoStack,
)
from PySide6.QtWidgets import (
    QInputDialog,
    QMainWindow,
    QMessageBox,
)

from engine import limits
from engine.commands import CheckGradients
from engine.datasets import REGRESSION_PRESETS
from engine.features import DEFAULT_FEATURES, LABELS, transform
from engine.maps import view_bounds
from engine.snapshot import Snapshot
from gui import window_layout
from gui.config_actions import ConfigPresenter
from gui.config_model import ConfigModel, Configuration
from gui.controller import Controller
from gui.data_model import DataModel
from gui.file_actions import FilePresenter
from gui.guide import Experiment, GuideDialog
from gui.step_lesson import StepLesson
from gui.widgets.canvas import TOOLS, DataCanvas
from gui.widgets.controls import DEFAULT_SPEED, Controls
from gui.widgets.gradient_plot import GradientPlot
from gui.widgets.inspector import NeuronInspector, network_from
from gui.widgets.loss_plot import LossPlot
from gui.widgets.network_view import NetworkView
from gui.widgets.notice import Notice

FRAME_MS = 16  # display timer: redraw at most ~60 times a second
PLOT_PERIOD = 0.1  # seconds between redraws of the loss and gradient curves
UNDO_LIMIT = 100  # undo steps kept: each data step holds a copy of the points, so memory stays bounded


def _network_key(snap: Snapshot) -> tuple:
    """What makes a network a different one for the gradient check: its run, shape and activations."""
    return snap.run, snap.layer_sizes, snap.features, snap.activations, snap.step_surrogate


def trim_heap() -> None:
    """Give freed memory back to the system (glibc keeps it otherwise: snapshots are unpickled
    on the receiver thread and freed on this one, which fragments the heap over long runs)."""
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL("libc.so.6").malloc_trim(0)
        except (OSError, AttributeError):
            pass


class MainWindow(QMainWindow):
    """Neural Sandbox's window: data canvas, network view, loss and gradient plots, controls.

    ``persistent`` turns on autosave, crash recovery and remembered settings (off for
    screenshots); ``ask_restore(session) -> bool`` replaces the recovery question (tests).
    """

    def __init__(self, preset: str = "circle", seed: int = 0, persistent: bool = False,
                 ask_restore=None, dialogs: bool = True) -> None:
        super().__init__()
        self.setWindowTitle("Neural Sandbox")
        self._seed = seed
        self.undo_stack = QUndoStack(self)
        self.undo_stack.setUndoLimit(UNDO_LIMIT)
        self.model = DataModel(seed)
        self.configuration = ConfigModel(self)
        self.controller = Controller(self.model, self.configuration, seed, self)
        self.controls = Controls()
        self.config_presenter = ConfigPresenter(self.configuration, self.model, self.undo_stack, self.controls,
                                                lambda text: self.statusBar().showMessage(text, 5000), seed, self)
        self.file_presenter = FilePresenter(self, self.config_presenter, self.controller, self.undo_stack,
                                            lambda text: self.statusBar().showMessage(text, 5000), persistent, dialogs)
        self.files = self.file_presenter.files
        self.settings = self.file_presenter.settings
        self.autosaver = self.file_presenter.autosaver
        self.setAcceptDrops(True)
        self.canvas = DataCanvas(self.model)
        self.network = NetworkView()
        self.loss_plot = LossPlot(self.controller.losses)
        self.gradient_plot = GradientPlot()
        self.notice = Notice()
        self.inspector = NeuronInspector()
        self.guide: GuideDialog | None = None
        self._probe_point: tuple[float, float] | None = None
        self._probe_net = (None, None)  # (snapshot, network built from it)
        self._build_layout()
        self._build_menus()
        self._connect()
        self.step_lesson = StepLesson(self.controls, self.notice, self.network, self.controller,
                                      self._on_reset_click, self)
        self.configuration.changed.connect(lambda before, after: self.step_lesson.activations_changed(
            before.architecture.activations, after.architecture.activations))
        self._frames = 0
        self._fps = 0.0
        self._fps_clock = time.perf_counter()
        self.frame_times: deque[float] = deque(maxlen=1000)  # recent draw durations, for benchmarks
        self._structure: tuple | None = None
        self._playing = False
        self._plots_drawn = 0.0
        self._checked: tuple | None = None  # the network the gradient check's answer is about
        self.display_timer = QTimer(self)
        self.display_timer.setInterval(FRAME_MS)
        self.display_timer.timeout.connect(self._on_frame)
        self.display_timer.start()
        self.trim_timer = QTimer(self)
        self.trim_timer.setInterval(30_000)
        self.trim_timer.timeout.connect(trim_heap)
        self.trim_timer.start()
        self._fit_to_screen()
        regression = preset in REGRESSION_PRESETS
        if regression:
            self.controls.task.setCurrentIndex(1)  # records nothing: the stack is cleared below
        with QSignalBlocker(self.controls.preset):
            self.controls.preset.setCurrentIndex(max(0, self.controls.preset.findData(preset)))
        self.controls.pictures.mark(preset)
        self.model.generate(preset, 500, 0.0, seed)
        if persistent:
            self.file_presenter.restore_layout(self.splitter)
            self._fit_to_screen(remembered=True)
            self._restore_speed()
        self.configuration.update_settings(speed=self.controls.speed.currentData())
        self.undo_stack.clear()
        self.file_presenter.offer_recovery(ask_restore)

    # ------------------------------------------------------------------ layout
    def _build_layout(self) -> None:
        window_layout.build_layout(self)

    def _fit_to_screen(self, remembered: bool = False) -> None:
        window_layout.fit_to_screen(self, remembered)

    def _restore_speed(self) -> None:
        saved = self.settings.value("speed")
        if saved is not None:
            index = self.controls.speed.findText(str(saved))
            if index >= 0:
                self.controls.speed.setCurrentIndex(index)

    def _remember_speed(self) -> None:
        if self.autosaver is not None:  # only a persistent window remembers settings
            self.settings.setValue("speed", self.controls.speed.currentText())

    def _build_menus(self) -> None:
        self.file_presenter.build_menu(self.menuBar(), {
            "Canvas…": lambda: self.canvas, "Network view…": lambda: self.network, "Whole window…": lambda: self})
        self.recent_menu = self.file_presenter.recent_menu
        edit_menu = self.menuBar().addMenu("&Edit")
        self.undo_action = self.undo_stack.createUndoAction(self, "&Undo")
        self.undo_action.setShortcut(QKeySequence("Ctrl+Z"))
        self.redo_action = self.undo_stack.createRedoAction(self, "&Redo")
        self.redo_action.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
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
        guide = QAction("&Guide and experiments", self)
        guide.setShortcut(QKeySequence("F1"))
        guide.triggered.connect(self.show_guide)
        help_menu.addAction(guide)
        about = QAction("&About Neural Sandbox", self)
        about.triggered.connect(self._show_about)
        help_menu.addAction(about)

    def _connect(self) -> None:
        c, ctl = self.controls, self.controller
        c.play.toggled.connect(self._on_play_toggle)
        c.step.clicked.connect(self._on_step_click)
        c.reset.clicked.connect(self._on_reset_click)
        c.speed.currentIndexChanged.connect(lambda _: self._remember_speed())
        c.pictures.chosen.connect(self._on_picture_click)
        c.show_test.toggled.connect(self.canvas.set_show_test)
        c.classes.idClicked.connect(self._on_class_change)
        c.tools.idClicked.connect(lambda i: setattr(self.canvas, "tool", TOOLS[i]))
        c.clear.clicked.connect(self.model.clear)
        c.value.valueChanged.connect(self._on_value_change)
        self.canvas.value_changed.connect(lambda v: c.value.setValue(int(round(v * 100))))
        n = self.network
        p = self.config_presenter
        n.feature_toggled.connect(p.toggle_feature)
        n.layer_count_changed.connect(p.set_layer_count)
        n.neuron_count_changed.connect(lambda k, count: p.set_neuron_count(k + 1, count))
        n.activation_changed.connect(lambda k, name: p.set_layer_activation(k + 1, name))
        n.neuron_hovered.connect(ctl.set_focus)
        n.neuron_clicked.connect(self._on_neuron_click)
        n.link_clicked.connect(self._on_link_click)
        c.check.clicked.connect(self._on_check_click)
        self.canvas.hovered.connect(self._on_canvas_hover)
        self.canvas.point_picked.connect(self._on_point_pick)
        self.inspector.bias_edited.connect(ctl.set_bias)
        self.inspector.bias_edited.connect(lambda *_: self.controls.check_result.setText(""))
        self.notice.sigmoid_chosen.connect(p.switch_step_to_sigmoid)
        ctl.gradient_checked.connect(self._show_check)
        ctl.trainer_restarted.connect(lambda: self.statusBar().showMessage(
            "The trainer process stopped unexpectedly; a new one took over with fresh weights. "
            "Your points and settings are kept.", 10000))
        self.model.changed.connect(self._on_data_change)
        self.configuration.changed.connect(lambda _before, _after: self._sync_structure())
        self.undo_stack.indexChanged.connect(lambda _: self.autosaver and self.autosaver.changed())

    # ---------------------------------------------------------------- handlers
    def _on_play_toggle(self, on: bool) -> None:
        self.controls.set_playing(on)
        self._update_status()
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
        self.step_lesson.turn_off_surrogate()  # a fresh start is a fresh lesson: the true gradient
        self.controller.reset()

    def _on_picture_click(self, preset: str) -> None:
        combo = self.controls.preset
        index = combo.findData(preset)
        if index == combo.currentIndex():
            self.config_presenter.regenerate()  # the same data set again: a new draw, as Regenerate does
        elif index >= 0:
            combo.setCurrentIndex(index)

    def _on_class_change(self, index: int) -> None:
        self.canvas.current_class = index

    def _on_value_change(self, value: int) -> None:
        self.canvas.regression_value = value / 100.0
        self.controls.value_label.setText(f"value {value / 100:.2f}")

    def _on_neuron_click(self, layer: int, neuron: int) -> None:
        self.inspector.choose_neuron(layer, neuron)
        if self.inspector.point is None and len(self.model):
            self._on_point_pick(0)
        self.inspector_dock.show()
        self.inspector.refresh(self.controller.latest)

    def _on_point_pick(self, index: int) -> None:
        if 0 <= index < len(self.model):
            self.inspector.choose_point(self.model.points[index], self.model.labels[index])
            self.inspector.refresh(self.controller.latest)

    def _on_link_click(self, layer: int, i: int, j: int) -> None:
        snap = self.controller.latest
        if snap is None or layer > len(snap.weights):
            return
        current = float(snap.weights[layer - 1][i, j])
        source = (LABELS[snap.features[i]] if layer == 1 else f"neuron {i + 1} of layer {layer - 1}")
        value, ok = QInputDialog.getDouble(
            self, "Edit weight", f"Weight from {source} to neuron {j + 1} of layer {layer}:",
            current, -100.0, 100.0, 4)
        if ok:
            self.controller.set_weight(layer, i, j, value)
            self.controls.check_result.setText("")  # the check was about the old weights

    def _on_check_click(self) -> None:
        self.controls.check_result.setText("Checking…")
        self.controller.send(CheckGradients())

    def _on_canvas_hover(self, point) -> None:
        self._probe_point = point
        self._show_probe(self.controller.latest)

    def _show_probe(self, snap: Snapshot | None) -> None:
        """Light the network view with every neuron's activation at the hovered point."""
        if self._probe_point is None or snap is None:
            self.network.show_probe(None, None)
            return
        if self._probe_net[0] is not snap:
            self._probe_net = (snap, network_from(snap))
        inputs = transform(np.array([self._probe_point]), list(snap.features))
        with np.errstate(all="ignore"):  # a diverging network's activations may overflow: show them as they are
            activations = [a[0] for a in self._probe_net[1].activations(inputs)]
        self.network.show_probe(list(snap.features), activations)

    def show_guide(self) -> None:
        """Open the guide (non-modal)."""
        if self.guide is None:
            self.guide = GuideDialog(self)
            self.guide.experiment_chosen.connect(self.set_up_experiment)
        self.guide.show()
        self.guide.raise_()

    def set_up_experiment(self, experiment: Experiment) -> None:
        """Load one of the guide's experiments, self-contained: data, every setting it depends on,
        fresh weights and history, a watchable speed, the true gradient (one undo step)."""
        c = self.controls
        c.play.setChecked(False)
        self.undo_stack.beginMacro(experiment.title)
        if c.task.currentData():
            c.task.setCurrentIndex(0)
        with QSignalBlocker(c.preset), QSignalBlocker(c.noise), QSignalBlocker(c.point_count):
            c.preset.setCurrentIndex(c.preset.findData(experiment.preset))
            c.noise.setValue(0)
            c.point_count.setValue(limits.DEFAULT_POINTS)
        c.pictures.mark(experiment.preset)
        self.model.generate(experiment.preset, limits.DEFAULT_POINTS, 0.0, self._seed)
        self.config_presenter.change_config(
            experiment.title, hidden=experiment.hidden, activations=(experiment.activation,) * len(experiment.hidden),
            features=tuple(DEFAULT_FEATURES), learning_rate=experiment.learning_rate,
            optimizer=limits.DEFAULT_OPTIMIZER, batch_size=limits.DEFAULT_BATCH_SIZE, regularization=None, reg_rate=0.0)
        self.undo_stack.endMacro()
        c.speed.setCurrentIndex(c.speed.findData(DEFAULT_SPEED))
        self._on_reset_click()  # fresh weights and history: nothing carried over from before
        self.statusBar().showMessage(experiment.advice, 15000)

    def _on_data_change(self) -> None:
        self.canvas.set_bounds(view_bounds(self.model.points))
        self._update_status()
        self._sync_structure()
        if self.autosaver is not None:
            self.autosaver.changed()

    def _sync_structure(self) -> None:
        """Rebuild the network view when the shape the user asked for changed."""
        cfg = self.configuration.architecture
        outputs = self.model.class_count() if (not cfg.regression and self.model.class_count() >= 3) else 1
        structure = (cfg.features, cfg.hidden, cfg.activations, outputs)
        if structure != self._structure:
            self._structure = structure
            self.network.set_structure(list(cfg.features), list(cfg.hidden), list(cfg.activations), outputs)

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
        now = time.perf_counter()
        if now - self._plots_drawn >= PLOT_PERIOD or not snap.playing:
            # Curves and their axes are the costliest paint; 10 redraws a second read as smooth.
            self._plots_drawn = now
            self.loss_plot.redraw()
            self.loss_plot.set_figures(snap)
            self.gradient_plot.redraw(self.controller.gradients)
        if self._probe_point is not None:
            self._show_probe(snap)
        if self.inspector_dock.isVisible() and self._frames % 10 == 0:
            self.inspector.refresh(snap)

        self.controls.epoch.setText(f"Epoch {snap.epoch:,}")
        if snap.playing != self.controls.play.isChecked() and not snap.playing:
            # The trainer paused itself (no points, or the loss diverged).
            if snap.seq == self.controller.process.last_seq:
                self.controls.play.blockSignals(True)
                self.controls.play.setChecked(False)
                self.controls.set_playing(False)
                self.controls.play.blockSignals(False)
        self.step_lesson.snapshot(snap)
        self._show_notice(snap)
        if snap.task != self.colour_scale.task:
            self.colour_scale.show_task(snap.task)
        if self._checked is not None and _network_key(snap) != self._checked:
            self._checked = None  # the network changed: the check's answer no longer applies
            self.controls.check_result.setText("")

    def _show_notice(self, snap: Snapshot) -> None:
        self.notice.show_for(snap)

    def _show_check(self, check) -> None:
        snap = self.controller.latest
        self._checked = _network_key(snap) if snap is not None else None
        text = f"Worst relative error {check.worst_error:.1e} over {check.parameters} parameters"
        text += " (backprop agrees)." if check.worst_error < 1e-5 else " — backprop and finite differences disagree!"
        if check.step_layers:
            text += (f" Layers {', '.join(map(str, check.step_layers))} lie below a step: both methods give "
                     "exactly 0 there, because the loss is flat in those weights.")
        self.controls.check_result.setText(text)

    def _update_status(self, snap: Snapshot | None = None) -> None:
        """Point counts from the data as it is now; the training rate only while training runs."""
        test = int(np.count_nonzero(self.model.test_mask))
        text = f"{len(self.model) - test:,} training points, {test:,} test points"
        snap = snap or self.controller.latest
        if self.controls.play.isChecked() and snap is not None and snap.playing:
            text += f"   {snap.epochs_per_second:,.0f} epochs/s   {self._fps:.0f} frames/s"
        self.status.setText(text)

    def _show_about(self) -> None:
        QMessageBox.about(self, "Neural Sandbox",
                          "Draw points, shape a network, and watch backpropagation train it.")

    # ------------------------------------------------------------- scripting
    def config(self) -> Configuration:
        """The configuration in force (what the user asked for)."""
        return self.configuration.current

    def configure(self, hidden: list[int], activation: str) -> None:
        """Set the hidden layers and their activation (the command line's --layers, --activation)."""
        self.config_presenter.configure(hidden, activation)

    def save_session(self, path: str | None = None, ask: bool = False) -> bool:
        """Save everything (Ctrl+S to the same file, Ctrl+Shift+S to a new one)."""
        return self.file_presenter.save_session(path, ask)

    def export_history(self, path: str | None = None) -> bool:
        """Save the loss history as CSV."""
        return self.file_presenter.export_history(path)

    def export_model(self, path: str | None = None) -> bool:
        """Save the network as JSON in the CLI's --save-model format."""
        return self.file_presenter.export_model(path)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 - Qt override
        """Accept a dragged CSV or JSON file."""
        urls = event.mimeData().urls()
        if urls and urls[0].isLocalFile() and self.file_presenter.can_open(urls[0].toLocalFile()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 - Qt override
        """Open the dropped file."""
        urls = event.mimeData().urls()
        if urls and urls[0].isLocalFile():
            self.file_presenter.open(urls[0].toLocalFile())
            event.acceptProposedAction()

    # -------------------------------------------------------------- lifecycle
    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        """Save, then stop the display timer, any file read and the trainer before the window goes."""
        self.display_timer.stop()
        QGuiApplication.instance().removeEventFilter(self._key_guard)
        if self.autosaver is not None:
            self.autosaver.stop()
            self.file_presenter.remember_layout(self.splitter)
        self.files.shut_down()
        self.controller.close()
        super().closeEvent(event)
