"""The presenter of everything that reads or writes files: File menu, drops, autosave, recovery.

``FilePresenter`` owns the ``FileManager`` (dialogs, reading on a worker thread), the
remembered settings and the autosaver. It puts what a file holds into the window's models
through the ``ConfigPresenter`` and the ``Controller``, as undoable steps, and reports
problems through the file manager's ``error``. It needs a widget to parent its dialogs,
not a window, so tests drive it on its own.
"""

from __future__ import annotations

import ast
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

import numpy as np
from PySide6.QtCore import QByteArray, QObject, QSettings, QTimer
from PySide6.QtGui import QAction, QKeySequence, QUndoStack
from PySide6.QtWidgets import QMenu, QMenuBar, QMessageBox, QSplitter, QWidget

from engine import limits
from engine.commands import LoadWeights
from engine.config import Architecture, Settings
from engine.network import Network
from engine.optimizers import OPTIMIZERS
from engine.session_file import Session
from gui import session as session_io
from gui import theme
from gui.autosave import TRAINING_MS, Autosaver, AutosaveWarning, data_dir, folder_problem
from gui.config_actions import ConfigPresenter
from gui.config_model import Configuration
from gui.controller import Controller
from gui.export_actions import ExportPresenter
from gui.files import FileManager
from gui.undo import StateCommand


def settings_file(folder: Path | None = None) -> QSettings:
    """The remembered settings: ``settings.ini`` in the data folder (``data_dir()`` unless given)."""
    return QSettings(str((folder or data_dir()) / "settings.ini"), QSettings.Format.IniFormat)


class FilePresenter(QObject):
    """Opens, saves, exports, autosaves and recovers sessions for the window."""

    def __init__(self, parent_widget: QWidget, config: ConfigPresenter, controller: Controller,
                 undo_stack: QUndoStack, notify: Callable[[str], None], persistent: bool, ask: bool) -> None:
        super().__init__(parent_widget)
        self.widget, self.config, self.controller, self.undo_stack = parent_widget, config, controller, undo_stack
        self.data = config.data
        self._notify = notify
        folder = data_dir()
        self.settings = settings_file(folder)
        self.files = FileManager(parent_widget, self.settings, ask=ask)
        self.files.opened.connect(self._on_file_opened)
        self.files.touched.connect(lambda _: self._fill_recent_menu())
        self.recent_menu: QMenu | None = None
        self.exports = ExportPresenter(self.files, self.capture, parent_widget, notify)  # code and animation
        self.autosaver: Autosaver | None = None
        self.settings_problems: list[str] = []  # remembered settings that were invalid and ignored
        self.autosave_warning = AutosaveWarning(parent_widget)
        if persistent:
            self.autosaver = self._start_autosave(folder)

    def _start_autosave(self, folder: Path) -> Autosaver | None:
        """An autosaver for this window, or None (said once, and shown while it lasts) when it cannot work."""
        problem = folder_problem(folder)
        if problem is not None:
            self.autosave_warning.show_problem(f"Your work is not autosaved: {problem}.")
            return None
        saver = Autosaver(self.capture, folder, self)
        if not saver.usable:
            self.autosave_warning.show_problem("Your work is not autosaved: other Neural Sandbox windows hold "
                                               "every autosave slot of the data folder.")
            return None
        if saver.slot > 1:
            self._notify(f"Another Neural Sandbox window uses the data folder: this one autosaves to "
                         f"{saver.path.name}")
        saver.failed.connect(lambda text: self.autosave_warning.show_problem(
            f"Autosave failed ({text}); your latest changes are not saved yet. Retrying…"))
        saver.recovered.connect(self.autosave_warning.clear)
        self._progress_timer = QTimer(self)
        self._progress_timer.setInterval(TRAINING_MS)
        self._progress_timer.timeout.connect(self._check_progress)
        self._progress_timer.start()
        self._saved_epoch = -1
        return saver

    def _check_progress(self) -> None:
        """While training, autosave the weights, epoch and history at a bounded rate."""
        snap = self.controller.latest
        if self.autosaver is not None and snap is not None and snap.epoch != self._saved_epoch:
            self._saved_epoch = snap.epoch
            self.autosaver.progressed()

    def capture(self) -> Session:
        """Everything on screen as a session: points, shape, settings, weights and history."""
        return session_io.capture(self.data, self.config.current(), self.controller)

    # ------------------------------------------------------------------ menu
    def build_menu(self, menu_bar: QMenuBar, images: dict[str, Callable[[], QWidget]]) -> None:
        """Add the File menu; ``images`` names the views that Export image offers."""
        menu = menu_bar.addMenu("&File")

        def add(text: str, slot: Callable[[], object],
                shortcut: QKeySequence | QKeySequence.StandardKey | str | None = None,
                tip: str = "") -> QAction:
            action = QAction(text, self.widget)
            if shortcut is not None:
                action.setShortcut(QKeySequence(shortcut))
            action.setStatusTip(tip)
            action.triggered.connect(slot)
            menu.addAction(action)
            return action

        add("&Open…", lambda: self.open(), QKeySequence.StandardKey.Open,
            "Open a data set (CSV), a session or a model (JSON)")
        self.recent_menu = QMenu("Open &recent", self.widget)
        menu.addMenu(self.recent_menu)
        self._fill_recent_menu()
        menu.addSeparator()
        add("&Save session", lambda: self.save_session(), QKeySequence.StandardKey.Save,
            "Save points, network, settings, weights and history")
        add("Save session &as…", lambda: self.save_session(ask=True), "Ctrl+Shift+S")
        add("Save &data set…", lambda: self.files.save_data(self.data.points, self.data.labels, self.data.regression))
        menu.addSeparator()
        export = menu.addMenu("&Export image")
        for text, widget in images.items():
            action = QAction(text, self.widget)
            action.triggered.connect(lambda _=False, w=widget: self.files.export_image(w()))
            export.addAction(action)
        add("Export &loss history…", lambda: self.export_history())
        add("Export &model…", lambda: self.export_model())
        add("Export as &code…", lambda: self.exports.export_code(),
            tip="The trained network as a standalone Python file (numpy, or torch)")
        add("Export &animation…", lambda: self.exports.export_animation(),
            tip="Train a copy of the network from new weights and save the decision map's changes as a GIF")
        menu.addSeparator()
        add("&Quit", self.widget.close, QKeySequence.StandardKey.Quit)

    def _fill_recent_menu(self) -> None:
        if self.recent_menu is None:
            return
        self.recent_menu.clear()
        for path in self.files.recent():
            action = QAction(os.path.basename(path), self.widget)
            action.setStatusTip(path)
            action.triggered.connect(lambda _=False, p=path: self.open(p))
            self.recent_menu.addAction(action)
        self.recent_menu.setEnabled(bool(self.files.recent()))

    # ---------------------------------------------------------------- saving
    def save_session(self, path: str | None = None, ask: bool = False) -> bool:
        """Save everything (Ctrl+S to the same file, Ctrl+Shift+S to a new one)."""
        return self.files.save_session(self.capture(), path, ask)

    def export_history(self, path: str | None = None) -> bool:
        """Save the loss history as CSV."""
        losses = self.controller.losses
        return self.files.export_history(losses.column(0), losses.column(1), losses.column(2), path)

    def export_model(self, path: str | None = None) -> bool:
        """Save the network as JSON in the CLI's --save-model format."""
        model = self.capture().model
        if model is None:
            self.files.error("Cannot export", "There is no trained network to export yet.")
            return False
        return self.files.export_model({**model, "features": list(self.config.current().architecture.features)},
                                       path)

    # ---------------------------------------------------------------- opening
    def open(self, path: str | None = None) -> None:
        """Read a data set, session or model (asks for a file when ``path`` is None); the result follows."""
        self.files.open(path, regression=self.data.regression)

    def _on_file_opened(self, kind: str, path: str, result: object) -> None:
        if kind == "data":
            points, labels = cast(tuple[np.ndarray, np.ndarray], result)
            if not self.data.regression and len(np.unique(labels)) > limits.DRAWN_CLASSES:
                self.files.error("Cannot open file", f"{path}: the window draws at most {limits.DRAWN_CLASSES} classes")
                return
            self.config.controls.play.setChecked(False)
            self.data.set_points(points, labels, self.data.regression)
            self._notify(f"Opened {len(points):,} points from {os.path.basename(path)}")
        elif kind == "session":
            assert isinstance(result, Session)
            self.restore_session(result)
            self.widget.setWindowTitle(f"Neural Sandbox — {os.path.basename(path)}")
        else:
            net, features = cast(tuple[Network, list[str]], result)
            self.restore_model(net, features)

    def restore_session(self, session: Session) -> None:
        """Put a saved session on screen as one undoable step, weights, loss history and gradient flow included."""
        self.config.controls.play.setChecked(False)
        self.undo_stack.beginMacro("Open session")
        before_data = self.data.state()
        self.config.apply_data(session_io.data_of(session))
        self.undo_stack.push(StateCommand("Open session", self.config.apply_data, before_data, self.data.state()))
        before = self.config.current()
        after = session_io.config_of(session)
        self.config.apply_config(after)
        self.undo_stack.push(StateCommand("Open session", self.config.apply_config, before, after))
        self.undo_stack.endMacro()
        self.controller.set_surrogate(session.step_surrogate)
        if session.model is not None:
            seq = self.controller.send(LoadWeights(tuple(session.model["weights"]), tuple(session.model["biases"]),
                                                   session.epoch))
            norms = None if session.gradients is None else session.gradients.T.copy()  # one array per column
            self.controller.restore_history(session.history, seq, session.keyframes, norms)

    def restore_model(self, net: Network, features: list[str]) -> None:
        """Use a model file's network (shape, activations, weights) on the current data."""
        regression = net.task == "regression"
        if regression != self.data.regression:
            self.files.error("Cannot use model", "The model is for "
                             f"{'regression' if regression else 'classification'}; switch the task first.")
            return
        self.config.change_config("Open model", hidden=tuple(net.layer_sizes[1:-1]),
                                  activations=tuple(net.activation_names), features=tuple(features))
        self.controller.send(LoadWeights(tuple(w.tolist() for w in net.weights),
                                         tuple(b.tolist() for b in net.biases), 0))

    @staticmethod
    def can_open(path: str) -> bool:
        """Whether a dropped file looks like something Open reads (CSV or JSON)."""
        return path.lower().endswith((".csv", ".json"))

    # ---------------------------------------------------------------- autosave
    def offer_recovery(self, ask_restore: Callable[[Session], bool] | None) -> None:
        """After a crash, offer the autosaved session back (``ask_restore`` replaces the question)."""
        if self.autosaver is None:
            return
        crashed = self.autosaver.crashed_session()
        self.autosaver.start()
        if crashed is None:
            self.autosaver.release()
            return
        # Nothing is written until the question is answered (the autosaver is held from its start).
        if ask_restore is None:
            answer = QMessageBox.question(
                self.widget, "Restore your work?",
                "Neural Sandbox did not close properly last time. Restore the session it saved "
                f"({len(crashed.points):,} points, epoch {crashed.epoch:,})?")
            accepted = answer == QMessageBox.StandardButton.Yes
        else:
            accepted = ask_restore(crashed)
        if accepted:
            self.restore_session(crashed)
        else:
            aside = self.autosaver.set_aside()
            if aside is not None:
                self._notify(f"The unrestored work is kept as {aside}")
        self.autosaver.release()

    def remember_layout(self, splitter: QSplitter) -> None:
        """Keep the window's geometry, the splitter and the configuration for the next start."""
        self.settings.setValue("geometry", self.widget.saveGeometry())
        self.settings.setValue("splitter", splitter.saveState())
        config = self.config.current()
        self.settings.setValue("config", repr({"architecture": config.architecture.__dict__,
                                               "settings": config.settings.training()}))

    def restore_layout(self, splitter: QSplitter) -> None:
        """Put back what ``remember_layout`` kept; anything invalid is ignored, and said once."""
        ignored = []
        geometry = self.settings.value("geometry")
        if geometry is not None and not (isinstance(geometry, QByteArray) and self.widget.restoreGeometry(geometry)):
            ignored.append("geometry")
        state = self.settings.value("splitter")
        if state is not None and not (isinstance(state, QByteArray) and splitter.restoreState(state)):
            ignored.append("splitter")
        if self.settings.value(theme.SETTINGS_KEY, "system") not in theme.CHOICES:
            ignored.append(theme.SETTINGS_KEY)  # ThemePresenter used the system's scheme instead
        saved = self.settings.value("config")
        if saved is not None:
            try:
                cfg = remembered_config(saved)
            except (ValueError, SyntaxError, TypeError, KeyError, AttributeError, RecursionError, MemoryError):
                ignored.append("config")
            else:
                if cfg.architecture.regression == self.config.current().architecture.regression:
                    self.config.apply_config(cfg)
        if ignored:
            message = (f"Ignored invalid remembered settings in {self.settings.fileName()}: {', '.join(ignored)} "
                       "(the defaults are used)")
            self.settings_problems.append(message)
            self._notify(message)


def remembered_config(saved: object) -> Configuration:
    """The configuration ``remember_layout`` kept, checked against engine/limits.py (ValueError when invalid)."""
    if not isinstance(saved, str) or len(saved) > 10_000:
        raise ValueError("not a remembered configuration")
    fields = ast.literal_eval(saved)  # literals only: nothing is executed
    arch, train = fields["architecture"], fields["settings"]
    shape: dict[str, Any] = {k: tuple(v) if isinstance(v, list) else v for k, v in arch.items()}
    architecture = Architecture(**shape)
    architecture.check()
    if type(architecture.regression) is not bool:
        raise ValueError("regression must be true or false")
    rate, batch, reg_rate = train["learning_rate"], train["batch_size"], train["reg_rate"]
    if not (type(rate) in (int, float) and limits.MIN_LEARNING_RATE <= rate <= limits.MAX_LEARNING_RATE):
        raise ValueError(f"learning rate {rate!r}")
    if not (type(batch) is int and 1 <= batch <= limits.MAX_BATCH_SIZE):
        raise ValueError(f"batch size {batch!r}")
    if not (type(reg_rate) in (int, float) and 0 <= reg_rate <= limits.MAX_REG_RATE):
        raise ValueError(f"regularization rate {reg_rate!r}")
    if train["optimizer"] not in OPTIMIZERS or train["regularization"] not in (None, "l1", "l2"):
        raise ValueError("unknown optimizer or regularization")
    return Configuration(architecture, Settings(**train))
