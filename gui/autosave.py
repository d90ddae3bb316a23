"""Autosave and recovery: nothing the user drew is ever lost.

A second after the first unsaved change, and every 1.5 s while training, the session is captured
on the GUI thread (an immutable copy) and written atomically by a child process
(``engine.session_writer``: serializing 100,000 points on a thread of this process would make
the GUI thread wait for the interpreter lock), which a worker thread waits for. Each
window owns one *slot* of the data folder (``autosave.json``, or ``autosave-window2.json``
when another window holds the first), guarded by a ``QLockFile``: a lock left by a crash
is stale and taken over, whatever process now has its PID. A marker beside the slot says
"this session is in progress"; it is removed only at a clean exit whose last save
succeeded, so the next start that finds it offers the work back. Nothing is written
while that offer is on screen, and a declined offer keeps the old file aside.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QLockFile, QObject, QStandardPaths, QTimer, Signal
from PySide6.QtWidgets import QLabel, QMainWindow, QWidget

from engine.errors import EngineError
from engine.session_file import Session, load_session
from engine.session_writer import SessionWriter, write_session
from gui import theme

if TYPE_CHECKING:
    from concurrent.futures import Future, ThreadPoolExecutor

DELAY_MS = 1000  # after an edit
TRAINING_MS = 1500  # at most this often while training (weights, epoch and history)
RETRY_MS = 5000  # after a failed save
SLOTS = 8  # windows that can share a data folder, each with its own autosave
KEEP_ASIDE = 3  # declined recoveries kept as autosave-<time>.json


def data_dir() -> Path:
    """Where autosave and settings live: $NEURAL_SANDBOX_DATA_DIR, or the platform's app data folder.

    Never raises: a folder that cannot be created is returned as it is, and ``folder_problem`` says why.
    """
    override = os.environ.get("NEURAL_SANDBOX_DATA_DIR")
    standard = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
    folder = Path(override or standard or Path.home() / ".neural-sandbox")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        pass  # reported by folder_problem
    return folder


def folder_problem(folder: Path) -> str | None:
    """None when autosave can write in ``folder``, else why not (one phrase)."""
    if not folder.is_dir():
        return f"the data folder {folder} cannot be created"
    if not os.access(folder, os.W_OK | os.X_OK):
        return f"the data folder {folder} is read-only"
    return None


def _slot_names(slot: int) -> tuple[str, str, str]:
    """(autosave file, crash marker, lock file) of a slot; slot 1 keeps the historical names."""
    if slot == 1:
        return "autosave.json", "running.pid", "autosave.lock"
    return f"autosave-window{slot}.json", f"running-window{slot}.pid", f"autosave-window{slot}.lock"


class Autosaver(QObject):
    """Autosave in the background, crash detection by lock and marker, and recovery that nothing overwrites."""

    # Emitted with a message when a save failed (the warning stays until ``recovered``).
    failed = Signal(str)
    # Emitted when a save succeeded after failures.
    recovered = Signal()
    _written = Signal(object)  # from the worker thread: the error message, or None

    def __init__(self, capture: Callable[[], Session], folder: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.capture = capture
        self.folder = folder
        self.saves = 0
        self.last_error = ""
        self.failing = False
        self.held = True  # until the recovery question is answered, nothing is written
        self._dirty = False
        self._lock: QLockFile | None = None
        self.slot = 0
        for slot in range(1, SLOTS + 1):
            lock = QLockFile(str(folder / _slot_names(slot)[2]))
            lock.setStaleLockTime(0)  # stale only when its process is gone, never by age
            if lock.tryLock(0):
                self._lock, self.slot = lock, slot
                break
        name, marker, _ = _slot_names(max(self.slot, 1))
        self.path = folder / name
        self.marker = folder / marker
        self._writer = SessionWriter()  # its child process starts at the first background save
        # How a save is written: in the background (the writer's child process) and, at exit, right here.
        # Each returns None or what went wrong; tests put a full disk in their place.
        self.write_in_background: Callable[[Path, Session], str | None] = self._writer.write
        self.write_now: Callable[[Path, Session], str | None] = write_session
        self._executor: ThreadPoolExecutor | None = None  # made at the first background save
        self._in_flight: Future[str | None] | None = None
        self._written.connect(self._on_written)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._save_in_background)

    @property
    def usable(self) -> bool:
        """Whether this window got a slot of its own (False when every slot is held by another window)."""
        return self._lock is not None

    def crashed_session(self) -> Session | None:
        """The autosaved session if the slot's previous run ended without a clean exit, else None."""
        if not self.usable or not self.marker.exists() or not self.path.exists():
            return None  # holding the lock, a marker can only be a crash's
        try:
            return load_session(self.path)
        except EngineError as problem:
            self.last_error = str(problem)
            return None

    def start(self) -> None:
        """Mark this run as in progress and clear temporaries a killed save left in this slot."""
        if not self.usable:
            return
        for stale in self.folder.glob(f".{self.path.name}.*.tmp"):
            try:
                stale.unlink()
            except OSError:
                pass
        try:
            self.marker.write_text(str(os.getpid()))
        except OSError as problem:
            self._failed(problem.strerror or str(problem))

    def set_aside(self) -> Path | None:
        """Keep a declined recovery as autosave-<time>.json (the newest few are kept); its new name."""
        if not self.path.exists():
            return None
        aside = self.folder / f"autosave-{time.strftime('%Y%m%d-%H%M%S')}.json"
        try:
            os.replace(self.path, aside)
        except OSError as problem:
            self.last_error = problem.strerror or str(problem)
            return None
        kept = sorted(self.folder.glob("autosave-[0-9]*-[0-9]*.json"), key=lambda p: p.stat().st_mtime)
        for old in kept[:-KEEP_ASIDE]:
            try:
                old.unlink()
            except OSError:
                pass
        return aside

    def release(self) -> None:
        """The recovery question is answered: saving may begin (now, if something changed meanwhile)."""
        self.held = False
        if self._dirty:
            self._timer.start(DELAY_MS)

    def changed(self) -> None:
        """Something changed: save at most a second from the first unsaved change.

        Later changes do not push the save back, so a long brush stroke or a stream of edits
        is still saved every second or so.
        """
        self._dirty = True
        if not self.held and self.usable and not self._timer.isActive():
            self._timer.start(DELAY_MS)

    def progressed(self) -> None:
        """Training moved on: save within a few seconds, without pushing a pending save back."""
        self._dirty = True
        if not self.held and self.usable and not self._timer.isActive():
            self._timer.start(TRAINING_MS)

    def _save_in_background(self) -> None:
        if self.held or not self.usable:
            return
        if self._in_flight is not None:  # one write at a time: this one follows when it is done
            self._timer.start(DELAY_MS // 4)
            return
        try:
            session = self.capture()  # an immutable copy, taken on the GUI thread
        except EngineError as problem:
            self._failed(str(problem))
            return
        self._dirty = False
        if self._executor is None:
            from concurrent.futures import ThreadPoolExecutor

            self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="autosave")
        self._in_flight = self._executor.submit(self.write_in_background, self.path, session)
        self._in_flight.add_done_callback(lambda done: self._written.emit(done.result()))

    def _on_written(self, problem: str | None) -> None:
        self._in_flight = None
        if problem is None:
            self._succeeded()
        else:
            self._dirty = True
            self._failed(problem)

    def _succeeded(self) -> None:
        self.saves += 1
        if self.failing:
            self.failing = False
            self.last_error = ""
            self.recovered.emit()

    def _failed(self, problem: str) -> None:
        self.last_error = problem
        self.failing = True
        self.failed.emit(problem)
        if not self.held and self.usable:
            self._timer.start(RETRY_MS)

    def save_now(self) -> bool:
        """Write the session now, on this thread (at exit and for scripts); whether it was written."""
        self._timer.stop()
        if self.held or not self.usable:
            return False
        if self._in_flight is not None:
            self._in_flight.result()  # let the background write finish first: it must not land after ours
            self._in_flight = None
        try:
            problem = self.write_now(self.path, self.capture())
        except EngineError as error:
            problem = str(error)
        if problem is not None:
            self._failed(problem)
            return False
        self._dirty = False
        self._succeeded()
        return True

    def stop(self) -> None:
        """Clean exit: save one last time; only if that worked is the crash marker removed."""
        self._timer.stop()
        saved = self.save_now() if not self.held else False
        if self._executor is not None:
            self._executor.shutdown(wait=True)
        self._writer.close()
        if saved and self.usable:
            try:
                self.marker.unlink()
            except OSError:
                pass
        if self._lock is not None:
            self._lock.unlock()
            self._lock = None


class AutosaveWarning(QLabel):
    """A persistent, non-modal line in the status bar while the work is not being autosaved."""

    def __init__(self, window: QWidget) -> None:
        super().__init__()
        self.setObjectName("autosave_warning")
        theme.follow(self, lambda colours: theme.text_style(self, colours.error, "font-weight: bold;"))
        self.hide()
        if isinstance(window, QMainWindow):
            window.statusBar().addPermanentWidget(self)

    def show_problem(self, text: str) -> None:
        """Show ``text`` until ``clear``."""
        self.setText(text)
        self.setToolTip(text)
        self.show()

    def clear(self) -> None:
        """Saving works (again): hide the warning."""
        self.setText("")
        self.hide()
