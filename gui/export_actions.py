"""File -> Export as code and File -> Export animation: the window's side of engine.export_code and
engine.animate.

``ExportPresenter`` takes what is on screen as a session (``capture``), asks for a file (unless a
path is given, as tests and scripts do) and writes through the engine's atomic writers; problems go to
the file manager's ``error``. The animation trains a copy of the session's network on a worker thread
behind a progress dialog with Cancel, so the window stays live.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QFileDialog, QWidget

from engine.errors import EngineError
from engine.export_code import write_code
from engine.network import Network
from engine.session_file import Session
from gui.files import FileManager

CODE_FILTERS = {"Python, numpy only (*.py)": "numpy", "Python, torch nn.Sequential (*.py)": "torch"}


class ExportPresenter(QObject):
    """Exports the current network as code and its training as an animation."""

    def __init__(self, files: FileManager, capture: Callable[[], Session], parent_widget: QWidget) -> None:
        super().__init__(parent_widget)
        self.files, self.capture, self.widget = files, capture, parent_widget

    def _ask(self, caption: str, filters: list[str], suggested: str) -> tuple[str | None, str]:
        """A path from a save dialog and the filter chosen (None when cancelled)."""
        directory = str(self.files.settings.value("last_directory", str(Path.home())))
        path, chosen = QFileDialog.getSaveFileName(self.widget, caption, os.path.join(directory, suggested),
                                                   ";;".join(filters))
        if not path:
            return None, chosen
        self.files.settings.setValue("last_directory", os.path.dirname(path))
        return path, chosen

    def _write(self, path: str, write: Callable[[str], None]) -> bool:
        try:
            write(path)
        except (OSError, EngineError) as problem:
            self.files.error("Cannot save", f"{path}: {getattr(problem, 'strerror', None) or problem}")
            return False
        return True

    def export_code(self, path: str | None = None, flavor: str = "numpy") -> bool:
        """Write the network as a standalone Python file (asks for the file and flavour when ``path`` is None)."""
        session = self.capture()
        if session.model is None:
            self.files.error("Cannot export", "There is no network to export yet.")
            return False
        if path is None:
            path, chosen = self._ask("Export as code", list(CODE_FILTERS), "network.py")
            if path is None:
                return False
            flavor = CODE_FILTERS.get(chosen, "numpy")
        net = Network.from_dict(session.model)
        features = list(session.features)
        return self._write(path, lambda p: write_code(p, net, features, flavor))
