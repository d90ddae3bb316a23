"""The File menu's work: open and save data and sessions, export images, history and models.

Files are read on a worker thread (a 100,000-point CSV takes a moment) behind a busy
indicator; a bad file is refused with a dialog naming the problem and the line, and
nothing on screen changes. Every ``path=None`` argument means "ask with a file dialog",
so tests and scripts pass paths directly.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QObject, QSettings, QThread, Signal, Slot
from PySide6.QtWidgets import QFileDialog, QMessageBox, QProgressDialog, QWidget

from engine.csvio import format_csv, read_csv, write_bytes_atomically, write_text_atomically
from engine.errors import EngineError
from engine.session_file import load_json, save_session

RECENT_LIMIT = 8
DATA_FILTER = "Data sets (*.csv)"
SESSION_FILTER = "Sessions (*.json)"
OPEN_FILTER = "Data, sessions and models (*.csv *.json);;" + DATA_FILTER + ";;" + SESSION_FILTER


class _Loader(QObject):
    """Reads one file on a worker thread."""

    # Emitted with (kind, path, result) when the file was read.
    loaded = Signal(str, str, object)
    # Emitted with (path, message) when it could not be used.
    failed = Signal(str, str)

    def __init__(self, path: str, regression: bool) -> None:
        super().__init__()
        self.path, self.regression = path, regression

    @Slot()
    def run(self) -> None:
        """Read the file and report (runs on the worker thread)."""
        try:
            if self.path.lower().endswith(".csv"):
                kind, result = "data", read_csv(self.path, regression=self.regression)
            else:  # a session or a model: the file's format field tells
                kind, result = load_json(self.path)
        except EngineError as problem:
            self.failed.emit(self.path, str(problem))
        except Exception as problem:  # any surprise still must not crash the window
            self.failed.emit(self.path, f"{self.path}: cannot be read ({problem})")
        else:
            self.loaded.emit(kind, self.path, result)


class FileManager(QObject):
    """Opens, saves and exports on behalf of the window."""

    # Emitted (GUI thread) with (kind, path, result) after a file was read successfully.
    opened = Signal(str, str, object)
    # Emitted with the path after a file was read or written (for the recent-files list).
    touched = Signal(str)

    def __init__(self, window: QWidget, settings: QSettings, ask: bool = True) -> None:
        super().__init__(window)
        self.window = window
        self.settings = settings
        self.ask = ask  # False in tests: report problems without modal dialogs
        self.session_path: str | None = None
        self.last_error = ""
        self._thread: QThread | None = None
        self._loader: _Loader | None = None
        self._progress: QProgressDialog | None = None
        self._retired: list[tuple[QThread, _Loader]] = []  # cancelled reads still ending

    # ------------------------------------------------------------------ helpers
    def error(self, title: str, message: str) -> None:
        """Report a problem: kept in ``last_error``, and shown in a dialog unless ``ask`` is off."""
        self.last_error = message
        if self.ask:
            QMessageBox.warning(self.window, title, message)

    def _choose(self, save: bool, caption: str, filters: str, suggested: str = "") -> str | None:
        directory = str(self.settings.value("last_directory", str(Path.home())))
        start = os.path.join(directory, suggested) if suggested else directory
        if save:
            path, _ = QFileDialog.getSaveFileName(self.window, caption, start, filters)
        else:
            path, _ = QFileDialog.getOpenFileName(self.window, caption, start, filters)
        if path:
            self.settings.setValue("last_directory", os.path.dirname(path))
        return path or None

    def recent(self) -> list[str]:
        """Recently opened or saved files, newest first."""
        value = self.settings.value("recent", [])
        return [str(v) for v in (value if isinstance(value, list) else [value]) if v]

    def _remember(self, path: str) -> None:
        path = os.path.abspath(path)
        files = [path] + [p for p in self.recent() if p != path]
        self.settings.setValue("recent", files[:RECENT_LIMIT])
        self.touched.emit(path)

    # ------------------------------------------------------------------ opening
    def open(self, path: str | None = None, regression: bool = False) -> None:
        """Read a data set, session or model (asks for a file when ``path`` is None)."""
        path = path or self._choose(False, "Open", OPEN_FILTER)
        if not path:
            return
        if self.is_loading():
            self.error("Busy", "Another file is still being read.")
            return
        self._thread = QThread(self)
        self._loader = _Loader(path, regression)
        self._loader.moveToThread(self._thread)
        self._thread.started.connect(self._loader.run)
        self._loader.loaded.connect(self._on_loaded)
        self._loader.failed.connect(self._on_failed)
        self._progress = QProgressDialog(f"Reading {os.path.basename(path)}…", "Cancel", 0, 0, self.window)
        self._progress.canceled.connect(self.cancel_loading)
        self._progress.setMinimumDuration(300)  # only for files that take a while
        self._progress.setWindowTitle("Opening")
        self._thread.start()

    def is_loading(self) -> bool:
        """Whether a file is being read now."""
        return self._thread is not None and self._thread.isRunning()

    def _finish_loading(self) -> None:
        if self._progress is not None:
            self._progress.canceled.disconnect()
            self._progress.reset()
            self._progress.deleteLater()
            self._progress = None
        if self._thread is not None:
            self._thread.quit()
            self._thread.wait()
            self._thread.deleteLater()
            self._thread = None
        if self._loader is not None:
            self._loader.deleteLater()
            self._loader = None

    def _on_loaded(self, kind: str, path: str, result: object) -> None:
        self._finish_loading()
        if kind == "session":
            self.session_path = path
        self._remember(path)
        self.opened.emit(kind, path, result)

    def _on_failed(self, path: str, message: str) -> None:
        self._finish_loading()
        self.error("Cannot open file", message)

    def cancel_loading(self) -> None:
        """Drop the read in progress: its result is ignored, and another file can be opened at once.

        The read itself ends on its own (only regular files are read, and at most
        ``limits.MAX_FILE_BYTES`` of them); its thread is released when it does.
        """
        loader, thread = self._loader, self._thread
        if loader is None or thread is None:
            return
        loader.loaded.disconnect()
        loader.failed.disconnect()
        self._loader = self._thread = None
        self._retired.append((thread, loader))
        thread.finished.connect(lambda: self._release(thread, loader))
        thread.quit()  # the thread's loop ends once the read returns
        if self._progress is not None:
            progress, self._progress = self._progress, None
            progress.canceled.disconnect()
            progress.reset()
            progress.deleteLater()

    def _release(self, thread: QThread, loader: _Loader) -> None:
        if (thread, loader) in self._retired:
            self._retired.remove((thread, loader))
            thread.deleteLater()
            loader.deleteLater()

    def shut_down(self) -> None:
        """Stop a read in progress (its result is dropped)."""
        if self._loader is not None:
            self._loader.loaded.disconnect()
            self._loader.failed.disconnect()
        self._finish_loading()
        for thread, _ in list(self._retired):
            thread.quit()
            thread.wait()  # bounded: a read of a regular file of limited size

    # ------------------------------------------------------------------ saving
    def _write(self, path: str, write: Callable[[str], None]) -> bool:
        try:
            write(path)
        except (OSError, EngineError) as problem:
            self.error("Cannot save", f"{path}: {getattr(problem, 'strerror', None) or problem}")
            return False
        self._remember(path)
        return True

    def save_data(self, points: np.ndarray, labels: np.ndarray, regression: bool, path: str | None = None) -> bool:
        """Save the points as CSV (x,y,label)."""
        path = path or self._choose(True, "Save data set", DATA_FILTER, "points.csv")
        if not path:
            return False
        labels = labels if regression else labels.astype(np.int64)
        return self._write(path, lambda p: write_text_atomically(p, format_csv(points, labels)))

    def save_session(self, session, path: str | None = None, ask: bool = False) -> bool:
        """Save the session (to its own file unless ``ask`` or it has none yet)."""
        if path is None and not ask:
            path = self.session_path
        path = path or self._choose(True, "Save session", SESSION_FILTER, "session.json")
        if not path:
            return False
        if self._write(path, lambda p: save_session(p, session)):
            self.session_path = path
            return True
        return False

    def export_image(self, widget: QWidget, path: str | None = None) -> bool:
        """Save a picture of ``widget`` as PNG."""
        path = path or self._choose(True, "Export image", "PNG images (*.png)", "neural-sandbox.png")
        if not path:
            return False
        data = QByteArray()
        buffer = QBuffer(data)
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        if not widget.grab().save(buffer, "PNG"):
            self.error("Cannot save", f"{path}: the image could not be encoded")
            return False
        # Through the one atomic writer: never replaces a device, a FIFO or a symlink.
        return self._write(path, lambda p: write_bytes_atomically(p, bytes(data.data())))

    def export_history(self, epochs: np.ndarray, train: np.ndarray, test: np.ndarray,
                       path: str | None = None) -> bool:
        """Save the loss history as CSV: epoch,train_loss,test_loss (empty where there is none)."""
        path = path or self._choose(True, "Export loss history", DATA_FILTER, "loss.csv")
        if not path:
            return False
        lines = ["epoch,train_loss,test_loss"] + [
            f"{int(e)},{t!r},{'' if np.isnan(v) else repr(float(v))}"
            for e, t, v in zip(epochs.tolist(), train.tolist(), test.tolist(), strict=True)
        ]
        return self._write(path, lambda p: write_text_atomically(p, "\n".join(lines) + "\n"))

    def export_model(self, model: dict, path: str | None = None) -> bool:
        """Save the network as JSON, the same format as ``train --save-model``."""
        path = path or self._choose(True, "Export model", SESSION_FILTER, "model.json")
        if not path:
            return False
        return self._write(path, lambda p: write_text_atomically(p, json.dumps(model, indent=1)))
