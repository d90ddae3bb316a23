"""Autosave and recovery: nothing the user drew is ever lost.

A second after each change, and on exit, the session is written atomically (a temporary
file, then a rename) to the application data folder. A marker file with our process id
is written at start and removed at a clean exit; if the next start finds a marker whose
process is gone (a crash, ``kill -9``), it offers the autosaved session back.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, QStandardPaths, QTimer

from engine.errors import EngineError
from engine.session_file import Session, load_session, save_session

DELAY_MS = 1000


def data_dir() -> Path:
    """Where autosave and settings live: $NEURAL_SANDBOX_DATA_DIR, or the platform's app data folder."""
    override = os.environ.get("NEURAL_SANDBOX_DATA_DIR")
    standard = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
    folder = Path(override or standard or Path.home() / ".neural-sandbox")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class Autosaver(QObject):
    """Debounced atomic autosave plus crash detection."""

    def __init__(self, capture: Callable[[], Session], folder: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.capture = capture
        self.path = folder / "autosave.json"
        self.marker = folder / "running.pid"
        self.last_error = ""
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DELAY_MS)
        self._timer.timeout.connect(self.save_now)

    def crashed_session(self) -> Session | None:
        """The autosaved session if the previous run ended without a clean exit, else None."""
        try:
            pid = int(self.marker.read_text().strip())
        except (OSError, ValueError):
            return None
        if pid != os.getpid() and _alive(pid):
            return None  # another window is running: not a crash
        if not self.path.exists():
            return None
        try:
            return load_session(self.path)
        except EngineError as problem:
            self.last_error = str(problem)
            return None

    def start(self) -> None:
        """Mark this run as in progress (removed by ``stop`` at a clean exit)."""
        self.marker.write_text(str(os.getpid()))

    def changed(self) -> None:
        """Something changed: save a second from now (later changes push it back)."""
        self._timer.start()

    def save_now(self) -> bool:
        """Write the session now, atomically."""
        self._timer.stop()
        try:
            save_session(self.path, self.capture())
        except (OSError, EngineError) as problem:
            self.last_error = str(problem)
            return False
        return True

    def stop(self) -> None:
        """Clean exit: save one last time and remove the crash marker."""
        self.save_now()
        try:
            self.marker.unlink()
        except OSError:
            pass
