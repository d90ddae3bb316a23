"""The main window: layout and wiring only.

Controls and views send their changes to the ``Controller``; a 60 Hz display timer
draws the latest snapshot the trainer published (latest wins, no backlog). The GUI
thread never trains.
"""

from __future__ import annotations

import time
from collections import deque
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QSignalBlocker, Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QDragEnterEvent, QDropEvent, QKeySequence, QUndoStack
from PySide6.QtWidgets import (
    QDockWidget,
    QLabel,
    QMainWindow,
    QMessageBox,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from engine import limits
from engine.datasets import REGRESSION_PRESETS
from engine.maps import view_bounds
from engine.snapshot import Snapshot
from gui import theme
from gui.backprop_actions import BackpropPresenter
from gui.compare_actions import ComparePresenter
from gui.config_actions import ConfigPresenter
from gui.config_model import ConfigModel, Configuration
from gui.controller import Controller
from gui.data_model import DataModel
from gui.file_actions import FilePresenter, settings_file
from gui.keyboard import keep_tab_order
from gui.plot_turns import PlotTurns
from gui.replay_actions import ReplayPresenter
from gui.space_actions import SpacePresenter
from gui.step_lesson import StepLesson
from gui.theme import ThemePresenter
from gui.widgets.canvas import TOOLS, DataCanvas, SquareFrame
from gui.widgets.colour_scale import ColourScale
from gui.widgets.controls import Controls
from gui.widgets.gradient_plot import GradientPlot
from gui.widgets.inspector import NeuronInspector
from gui.widgets.loss_plot import LossPlot
from gui.widgets.network_view import NetworkView
from gui.widgets.notice import Notice, NoticeSlot
from gui.window_support import RunKeyGuard, after_first_paint, fit_to_screen, share_width, trim_heap

if TYPE_CHECKING:  # the guide is loaded when first opened
    from gui.guide import Experiment, GuideDialog

FRAME_MS = 16  # display timer: redraw at most ~60 times a second
UNDO_LIMIT = 100  # undo steps kept: each data step holds a copy of the points, so memory stays bounded


class MainWindow(QMainWindow):
    """Neural Sandbox's window: data canvas, network view, loss and gradient plots, controls.

    ``persistent`` turns on autosave, crash recovery and remembered settings (off for
    screenshots); ``ask_restore(session) -> bool`` replaces the recovery question (tests).
    """

    def __init__(self, preset: str = "circle", seed: int = 0, persistent: bool = False,
                 ask_restore=None, dialogs: bool = True) -> None:
        super().__init__()
        # The theme before any widget: applied later, its palette would restyle every widget once more.
        theme.apply(theme.remembered(settings_file() if persistent else None))
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
        self._build_layout()
        self.backprop = BackpropPresenter(self, self.controller, self.model, self.network, self.canvas,
                                          self.inspector, self.inspector_dock, self.controls.check,
                                          self.controls.check_result)
        self.backprop.takes_click = self.space.takes_click  # the layer-space view's axes come first
        self.replay = ReplayPresenter(self)  # the timeline under the plots
        self._build_menus()
        self.compare = ComparePresenter(self)  # View -> Compare: a run B beside this window's run A
        self._connect()
        keep_tab_order(self)
        self.step_lesson = StepLesson(self.controls, self.notice, self.network, self.controller,
                                      self._on_reset_click, self)
        self.configuration.changed.connect(lambda before, after: self.step_lesson.activations_changed(
            before.architecture.activations, after.architecture.activations))
        self._frames = 0
        self._fps = 0.0
        self._fps_clock = time.perf_counter()
        self.frame_times: deque[float] = deque(maxlen=1000)  # recent draw durations, for benchmarks
        self._structure: tuple | None = None
        self.plots = PlotTurns(self.loss_plot, self.gradient_plot, lambda: self.controller.gradients)
        self.display_timer = QTimer(self)
        self.display_timer.setInterval(FRAME_MS)
        self.display_timer.timeout.connect(self._on_frame)
        after_first_paint(self.splitter, self.display_timer.start)  # the window first; the map a frame later
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
        """Left: run, training and data controls. Middle: network over the plots. Right: the canvas.

        The canvas is square; the bands above and below it hold the drawing tools, the notice
        slot (fixed height, so nothing moves when a notice comes or goes) and the colour scale.
        """
        self.controls_scroll = scroll = QScrollArea()
        scroll.setWidget(self.controls)
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Tab goes to the controls in it, not to the panel
        scroll.setMinimumWidth(self.controls.minimumSizeHint().width() + scroll.verticalScrollBar().sizeHint().width())
        self.network.setObjectName("network")
        self.network.setAccessibleName("Network view")
        plots = QSplitter(Qt.Orientation.Horizontal)
        plots.addWidget(self.loss_plot)
        plots.addWidget(self.gradient_plot)
        plots.setStretchFactor(0, 1)
        plots.setStretchFactor(1, 1)
        self.middle = middle = QSplitter(Qt.Orientation.Vertical)
        middle.addWidget(self.network)
        middle.addWidget(plots)
        middle.setStretchFactor(0, 3)
        middle.setStretchFactor(1, 2)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(2, 2, 2, 2)
        right_layout.setSpacing(3)
        right_layout.addWidget(self.controls.draw_bar)
        self.notice_slot = NoticeSlot(self.notice)
        right_layout.addWidget(self.notice_slot)
        self.space = SpacePresenter(SquareFrame(self.canvas), self.network, self.controller, self.configuration,
                                    self.settings, self.autosaver is not None,
                                    lambda text: self.statusBar().showMessage(text, 4000), self)
        right_layout.addWidget(self.space.area, 1)
        self.colour_scale = ColourScale()
        right_layout.addWidget(self.colour_scale)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(scroll)
        self.splitter.addWidget(middle)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setStretchFactor(2, 1)
        self.setCentralWidget(self.splitter)
        self.inspector_dock = QDockWidget("Neuron inspector", self)
        self.inspector_dock.setObjectName("inspector")
        self.inspector_dock.setWidget(self.inspector)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.inspector_dock)
        self.inspector_dock.hide()
        self.status = QLabel()
        self.status.setObjectName("status")
        self.status.setAccessibleName("Status")
        self.statusBar().addPermanentWidget(self.status)
        self._key_guard = RunKeyGuard(self)
        self._key_guard.start()

    def _fit_to_screen(self, remembered: bool = False) -> None:
        """Never larger than the screen's free area (see ``gui.window_support.fit_to_screen``)."""
        fit_to_screen(self, self._share_width, remembered)

    def _share_width(self, width: int) -> None:
        """Split the width: the controls get what they need, the canvas a square as tall as it can be."""
        share_width(self.splitter, self.middle, self.controls_scroll.minimumWidth(), self.height(), width)

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
        for index in range(limits.DRAWN_CLASSES):
            action = QAction(f"Class {index + 1}", self)
            action.setShortcut(QKeySequence(str(index + 1)))
            action.triggered.connect(lambda _=False, i=index: self.controls.classes.button(i).click())
            self.addAction(action)
        self.theme = ThemePresenter(self, self.settings, self.autosaver is not None)
        self.theme.build_menu(self.space.build_menu(self.menuBar()))
        help_menu = self.menuBar().addMenu("&Help")
        help_menu.addAction("&Guide and experiments", self.show_guide).setShortcut(QKeySequence("F1"))
        help_menu.addAction("&Lessons", lambda: self.show_lessons()).setShortcut(QKeySequence("F2"))
        help_menu.addAction("&About Neural Sandbox", lambda: QMessageBox.about(
            self, "Neural Sandbox", "Draw points, shape a network, and watch backpropagation train it."))

    def _connect(self) -> None:
        c, ctl = self.controls, self.controller
        c.play.toggled.connect(self._on_play_toggle)
        c.step.clicked.connect(self._on_step_click)
        c.reset.clicked.connect(self._on_reset_click)
        c.speed.currentIndexChanged.connect(lambda _: self._remember_speed())
        c.pictures.chosen.connect(self._on_picture_click)
        c.show_test.toggled.connect(self.canvas.set_show_test)
        c.classes.idClicked.connect(lambda i: setattr(self.canvas, "current_class", i))
        c.tools.idClicked.connect(lambda i: setattr(self.canvas, "tool", TOOLS[i]))
        c.clear.clicked.connect(self.model.clear)
        c.value.valueChanged.connect(self._on_value_change)
        self.canvas.value_changed.connect(lambda v: c.value.setValue(int(round(v * 100))))
        n = self.network
        p = self.config_presenter
        n.feature_toggle_requested.connect(p.toggle_feature)
        n.layer_count_requested.connect(p.set_layer_count)
        n.neuron_count_requested.connect(p.set_neuron_count)
        n.activation_requested.connect(p.set_layer_activation)
        self.notice.sigmoid_requested.connect(p.switch_step_to_sigmoid)
        ctl.trainer_restarted.connect(lambda: self.statusBar().showMessage(
            "The trainer process stopped unexpectedly; a new one took over with fresh weights. "
            "Your points and settings are kept.", 10000))
        self.model.changed.connect(self._on_data_change)
        self.configuration.changed.connect(lambda _before, _after: self._sync_structure())
        self.undo_stack.indexChanged.connect(self._on_undo_index_change)

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

    def _on_value_change(self, value: int) -> None:
        self.canvas.regression_value = value / 100.0
        self.controls.value_label.setText(f"value {value / 100:.2f}")

    def show_guide(self) -> None:
        """Open the guide (non-modal; loaded on first use)."""
        if self.guide is None:
            from gui.guide import GuideDialog
            self.guide = GuideDialog(self)
            self.guide.experiment_requested.connect(self.set_up_experiment)
        self.guide.show()
        self.guide.raise_()

    def show_lessons(self, number: int | None = None) -> bool:
        """Open the Lessons panel at lesson ``number`` (None: where the student left off)."""
        from gui.lessons_panel import open_lessons  # loaded on first use: the first frame does not need it

        return open_lessons(self, number)

    def set_up_experiment(self, experiment: Experiment) -> None:
        """Load one of the guide's experiments, self-contained (one undo step)."""
        from gui.guide import set_up_experiment

        set_up_experiment(self, experiment)
        if experiment.space_layer is not None:
            self.space.show(experiment.space_layer)

    def _on_undo_index_change(self, _index: int) -> None:
        if self.autosaver is not None:
            self.autosaver.changed()

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
        self.plots.draw(snap)
        self.space.draw(snap)
        self.backprop.draw(snap, self._frames)
        self.controls.epoch.setText(f"Epoch {snap.epoch:,}")
        if snap.playing != self.controls.play.isChecked() and not snap.playing:
            # The trainer paused itself (no points, or the loss diverged).
            if snap.seq == self.controller.process.last_seq:
                self.controls.play.blockSignals(True)
                self.controls.play.setChecked(False)
                self.controls.set_playing(False)
                self.controls.play.blockSignals(False)
        self.step_lesson.snapshot(snap)
        self.notice.show_for(snap)
        if snap.task != self.colour_scale.task:
            self.colour_scale.show_task(snap.task)
        self.replay.draw(snap)

    def _update_status(self, snap: Snapshot | None = None) -> None:
        """Point counts from the data as it is now; the training rate only while training runs."""
        test = int(np.count_nonzero(self.model.test_mask))
        text = f"{len(self.model) - test:,} training points, {test:,} test points"
        snap = snap or self.controller.latest
        if self.controls.play.isChecked() and snap is not None and snap.playing:
            text += f"   {snap.epochs_per_second:,.0f} epochs/s   {self._fps:.0f} frames/s"
        self.status.setText(text)

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

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # Qt override
        """Accept a dragged CSV or JSON file."""
        urls = event.mimeData().urls()
        if urls and urls[0].isLocalFile() and self.file_presenter.can_open(urls[0].toLocalFile()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # Qt override
        """Open the dropped file."""
        urls = event.mimeData().urls()
        if urls and urls[0].isLocalFile():
            self.file_presenter.open(urls[0].toLocalFile())
            event.acceptProposedAction()

    # -------------------------------------------------------------- lifecycle
    def closeEvent(self, event: QCloseEvent) -> None:  # Qt override
        """Save, then stop the display timer, any file read and the trainer before the window goes."""
        self.display_timer.stop()
        self._key_guard.stop()
        if self.autosaver is not None:
            self.autosaver.stop()
            self.file_presenter.remember_layout(self.splitter)
        self.files.shut_down()
        self.controller.close()
        super().closeEvent(event)
