"""The window's File menu, drag and drop, autosave and recovery (mixed into MainWindow)."""

from __future__ import annotations

import os

import numpy as np
from PySide6.QtCore import QSettings
from PySide6.QtGui import QAction, QDragEnterEvent, QDropEvent, QKeySequence
from PySide6.QtWidgets import QMenu, QMessageBox

from engine.commands import LoadWeights
from engine.config import Architecture, Settings
from engine.network import Network
from engine.session_file import Session
from gui import session as session_io
from gui.autosave import Autosaver, data_dir
from gui.config_model import Configuration
from gui.files import FileManager
from gui.undo import StateCommand


class FileActions:
    """File menu, recent files, drops, autosave: everything that reads or writes files."""

    def _setup_files(self, persistent: bool, ask: bool) -> None:
        folder = data_dir()
        self.settings = QSettings(str(folder / "settings.ini"), QSettings.Format.IniFormat)
        self.files = FileManager(self, self.settings, ask=ask)
        self.files.opened.connect(self._on_file_opened)
        self.files.touched.connect(lambda _: self._fill_recent_menu())
        self.autosaver = Autosaver(lambda: session_io.capture(self), folder, self) if persistent else None
        self.setAcceptDrops(True)

    def _build_file_menu(self) -> None:
        menu = self.menuBar().addMenu("&File")

        def add(text: str, slot, shortcut=None, tip: str = "") -> QAction:
            action = QAction(text, self)
            if shortcut is not None:
                action.setShortcut(QKeySequence(shortcut))
            action.setStatusTip(tip)
            action.triggered.connect(slot)
            menu.addAction(action)
            return action

        add("&Open…", lambda: self.files.open(regression=self.model.regression), QKeySequence.StandardKey.Open,
            "Open a data set (CSV), a session or a model (JSON)")
        self.recent_menu = QMenu("Open &recent", self)
        menu.addMenu(self.recent_menu)
        self._fill_recent_menu()
        menu.addSeparator()
        add("&Save session", lambda: self.save_session(), QKeySequence.StandardKey.Save,
            "Save points, network, settings, weights and history")
        add("Save session &as…", lambda: self.save_session(ask=True), "Ctrl+Shift+S")
        add("Save &data set…", lambda: self.files.save_data(self.model.points, self.model.labels,
                                                             self.model.regression))
        menu.addSeparator()
        export = menu.addMenu("&Export image")
        for text, widget in (("Canvas…", lambda: self.canvas), ("Network view…", lambda: self.network),
                             ("Whole window…", lambda: self)):
            action = QAction(text, self)
            action.triggered.connect(lambda _=False, w=widget: self.files.export_image(w()))
            export.addAction(action)
        add("Export &loss history…", lambda: self.export_history())
        add("Export &model…", lambda: self.export_model())
        menu.addSeparator()
        add("&Quit", self.close, QKeySequence.StandardKey.Quit)

    def _fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        for path in self.files.recent():
            action = QAction(os.path.basename(path), self)
            action.setStatusTip(path)
            action.triggered.connect(lambda _=False, p=path: self.files.open(p, regression=self.model.regression))
            self.recent_menu.addAction(action)
        self.recent_menu.setEnabled(bool(self.files.recent()))

    # ---------------------------------------------------------------- saving
    def save_session(self, path: str | None = None, ask: bool = False) -> bool:
        """Save everything (Ctrl+S to the same file, Ctrl+Shift+S to a new one)."""
        return self.files.save_session(session_io.capture(self), path, ask)

    def export_history(self, path: str | None = None) -> bool:
        """Save the loss history as CSV."""
        losses = self.controller.losses
        return self.files.export_history(losses.column(0), losses.column(1), losses.column(2), path)

    def export_model(self, path: str | None = None) -> bool:
        """Save the network as JSON in the CLI's --save-model format."""
        model = session_io.capture(self).model
        if model is None:
            self.files._error("Cannot export", "There is no trained network to export yet.")
            return False
        return self.files.export_model({**model, "features": list(self.config().architecture.features)}, path)

    # ---------------------------------------------------------------- opening
    def _on_file_opened(self, kind: str, path: str, result) -> None:
        if kind == "data":
            points, labels = result
            if not self.model.regression and len(np.unique(labels)) > 6:
                self.files._error("Cannot open file", f"{path}: the window draws at most 6 classes")
                return
            self.controls.play.setChecked(False)
            self.model.set_points(points, labels, self.model.regression)
            self.statusBar().showMessage(f"Opened {len(points):,} points from {os.path.basename(path)}", 5000)
        elif kind == "session":
            self.restore_session(result)
            self.setWindowTitle(f"Neural Sandbox — {os.path.basename(path)}")
        else:
            net, features = result
            self.restore_model(net, features)

    def restore_session(self, session: Session) -> None:
        """Put a saved session on screen as one undoable step, weights and history included."""
        self.controls.play.setChecked(False)
        self.undo_stack.beginMacro("Open session")
        before_data = self.model.state()
        self._apply_data(session_io.data_of(session))
        self.undo_stack.push(StateCommand("Open session", self._apply_data, before_data, self.model.state()))
        before = self.config()
        after = session_io.config_of(session)
        self.apply_config(after)
        self.undo_stack.push(StateCommand("Open session", self.apply_config, before, after))
        self.undo_stack.endMacro()
        self.controller.set_surrogate(session.step_surrogate)
        if session.model is not None:
            seq = self.controller.send(LoadWeights(tuple(session.model["weights"]), tuple(session.model["biases"]),
                                                   session.epoch))
            self.controller.restore_history(session.history, seq)

    def restore_model(self, net: Network, features: list[str]) -> None:
        """Use a model file's network (shape, activations, weights) on the current data."""
        regression = net.task == "regression"
        if regression != self.model.regression:
            self.files._error("Cannot use model", "The model is for "
                              f"{'regression' if regression else 'classification'}; switch the task first.")
            return
        self.change_config("Open model", hidden=tuple(net.layer_sizes[1:-1]),
                           activations=tuple(net.activation_names), features=tuple(features))
        self.controller.send(LoadWeights(tuple(w.tolist() for w in net.weights),
                                         tuple(b.tolist() for b in net.biases), 0))

    # ---------------------------------------------------------------- drops
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 - Qt override
        """Accept a dragged CSV or JSON file."""
        urls = event.mimeData().urls()
        if urls and urls[0].isLocalFile() and urls[0].toLocalFile().lower().endswith((".csv", ".json")):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 - Qt override
        """Open the dropped file."""
        urls = event.mimeData().urls()
        if urls and urls[0].isLocalFile():
            self.files.open(urls[0].toLocalFile(), regression=self.model.regression)
            event.acceptProposedAction()

    # ---------------------------------------------------------------- autosave
    def _offer_recovery(self, ask_restore) -> None:
        if self.autosaver is None:
            return
        crashed = self.autosaver.crashed_session()
        self.autosaver.start()
        if crashed is None:
            return
        if ask_restore is None:
            answer = QMessageBox.question(
                self, "Restore your work?",
                "Neural Sandbox did not close properly last time. Restore the session it saved "
                f"({len(crashed.points):,} points, epoch {crashed.epoch:,})?")
            accepted = answer == QMessageBox.StandardButton.Yes
        else:
            accepted = ask_restore(crashed)
        if accepted:
            self.restore_session(crashed)

    def _remember_layout(self) -> None:
        self.settings.setValue("geometry", self.saveGeometry())
        self.settings.setValue("splitter", self.splitter.saveState())
        config = self.config()
        self.settings.setValue("config", repr({"architecture": config.architecture.__dict__,
                                               "settings": config.settings.training()}))

    def _restore_layout(self) -> None:
        geometry = self.settings.value("geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        state = self.settings.value("splitter")
        if state is not None:
            self.splitter.restoreState(state)
        saved = self.settings.value("config")
        if isinstance(saved, str):
            try:
                import ast

                fields = ast.literal_eval(saved)  # literals only: nothing is executed
                cfg = Configuration(Architecture(**fields["architecture"]), Settings(**fields["settings"]))
                cfg.architecture.check()
                if cfg.architecture.regression == self.config().architecture.regression:
                    self.apply_config(cfg)
            except (ValueError, SyntaxError, TypeError, KeyError):
                pass
