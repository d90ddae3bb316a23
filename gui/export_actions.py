"""File -> Export as code and File -> Export animation: the window's side of engine.export_code and
engine.animate.

``ExportPresenter`` takes what is on screen as a session (``capture``), asks for a file (unless a
path is given, as tests and scripts do) and writes through the engine's atomic writers; problems go to
the file manager's ``error``. The animation trains a copy of the session's network on a worker thread
behind a progress dialog with Cancel, so the window stays live.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QEvent, QObject, QThread, Signal, Slot
from PySide6.QtWidgets import QFileDialog, QInputDialog, QProgressDialog, QWidget

from engine import limits
from engine.errors import EngineError
from engine.export_code import write_code
from engine.network import Network
from engine.session_file import Session
from engine.trainer import Trainer
from gui.files import FileManager

if TYPE_CHECKING:  # the animation's modules (and Pillow) load on the first export, not at start-up
    from engine.animate import Recorder
    from engine.cli import Problem

PROGRESS_EVERY_S = 0.2  # the progress bar moves at least this often
CODE_FILTERS = {"Python, numpy only (*.py)": "numpy", "Python, torch nn.Sequential (*.py)": "torch"}


def problem_of(session: Session, seed: int = 0) -> Problem:
    """The session's points, split, features and settings with a new network of its shape (Reset's weights)."""
    from engine.cli import Problem

    test = session.test_mask
    labels = session.labels if session.regression else session.labels.astype(np.int64)
    net = Network(session.layer_sizes, list(session.activations), session.task, seed=seed,
                  step_surrogate=session.step_surrogate)
    s = session.settings
    trainer = Trainer(net, s["optimizer"], s["learning_rate"], s["batch_size"], s["regularization"], s["reg_rate"],
                      seed)
    points = session.points
    return Problem(list(session.features), points[~test], labels[~test], points[test], labels[test], net, trainer)


class _AnimationJob(QObject):
    """Trains the problem and writes the animation (runs on a worker thread)."""

    # Emitted with the epochs trained so far, now and then.
    progressed = Signal(int)
    # Emitted once at the end with "" (written), "cancelled", or the problem in one sentence.
    done = Signal(str)

    def __init__(self, problem: Problem, epochs: int, frames: int, path: str, size: int,
                 beside: tuple[Problem, str, str] | None = None) -> None:
        super().__init__()
        self.problem, self.epochs, self.frames, self.path, self.size = problem, epochs, frames, path, size
        self.beside = beside  # compare mode: run B's problem, A's title and B's, drawn side by side
        self.cancel_requested = False  # set from the GUI thread; read between epochs
        self._last_progress = time.monotonic()
        self._done_before = 0  # epochs of the runs already trained (compare mode trains two)

    def _progress(self, epoch: int) -> None:
        # Every 1% of the epochs, and at least five times a second: a long or slowed-down run must not
        # sit at 0% (on a busy machine 1% of ten million epochs can take minutes).
        now = time.monotonic()
        if epoch % max(1, self.epochs // 100) == 0 or now - self._last_progress >= PROGRESS_EVERY_S:
            self._last_progress = now
            self.progressed.emit(self._done_before + epoch)

    def _record(self, problem: Problem) -> Recorder:
        from engine.animate import Recorder
        from engine.cli import run

        recorder = Recorder(problem.net, self.epochs, self.frames, cancelled=lambda: self.cancel_requested,
                            progress=self._progress)
        run(problem, self.epochs, lambda _: None, observe=recorder)
        self._done_before += self.epochs
        return recorder

    @Slot()
    def run(self) -> None:
        """Train, keep the frames' weights, draw and write them."""
        from engine.animate import Cancelled, write_animation

        try:
            recorder = self._record(self.problem)
            if self.beside is None:
                write_animation(self.path, self.problem, recorder.kept, self.size)
            else:
                other, title_a, title_b = self.beside
                write_animation(self.path, self.problem, recorder.kept, self.size,
                                beside=[(other, self._record(other).kept, title_b)], title=title_a)
        except Cancelled:
            self.done.emit("cancelled")
        except (OSError, EngineError) as problem:
            self.done.emit(f"{self.path}: {getattr(problem, 'strerror', None) or problem}")
        except Exception as problem:  # a surprise still must not take the window down
            self.done.emit(f"{self.path}: the animation could not be made ({problem})")
        else:
            self.done.emit("")


class ExportPresenter(QObject):
    """Exports the current network as code and its training as an animation."""

    # Emitted when an animation ends: "" when written, "cancelled", or the problem.
    animation_finished = Signal(str)

    def __init__(self, files: FileManager, capture: Callable[[], Session], parent_widget: QWidget,
                 notify: Callable[[str], None] = lambda text: None) -> None:
        super().__init__(parent_widget)
        self.files, self.capture, self.widget, self._notify = files, capture, parent_widget, notify
        self._thread: QThread | None = None
        self._job: _AnimationJob | None = None
        self.progress_dialog: QProgressDialog | None = None
        # Compare mode sets this: run B as a session and its difference in words, drawn beside A (or None).
        self.beside: Callable[[], tuple[Session, str] | None] = lambda: None
        parent_widget.installEventFilter(self)  # to stop an animation in progress when the window closes

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

    # ------------------------------------------------------------------ animation
    def export_animation(self, path: str | None = None, epochs: int | None = None,
                         frames: int = limits.DEFAULT_FRAMES, size: int = limits.DEFAULT_ANIMATION_SIZE) -> bool:
        """Train a copy of the session's network from new weights on a worker thread and write its animation.

        Asks for the file (and the epochs) when not given; returns whether the work started. The
        window's own network and training are left as they are.
        """
        if self.is_animating():
            self.files.error("Busy", "An animation is still being made.")
            return False
        session = self.capture()
        if not len(session.points) or bool(session.test_mask.all()):
            self.files.error("Cannot export", "There are no training points to animate.")
            return False
        if path is None:
            filters = ["GIF animation (*.gif)"] + (["MP4 video (*.mp4)"] if shutil.which("ffmpeg") else [])
            path, _ = self._ask("Export animation", filters, "training.gif")
            if path is None:
                return False
        if epochs is None:
            epochs = max(session.epoch, limits.DEFAULT_ANIMATION_EPOCHS)
            if self.files.ask:
                epochs, accepted = QInputDialog.getInt(self.widget, "Export animation",
                                                       "Epochs to train, from new weights:", epochs, 1, 10**7)
                if not accepted:
                    return False
        from engine.animate import check_animation_target

        try:
            check_animation_target(path)
        except (OSError, EngineError) as problem:
            self.files.error("Cannot save", f"{path}: {getattr(problem, 'strerror', None) or problem}")
            return False
        other = self.beside()
        beside = None if other is None else (problem_of(other[0]), "A", f"B: {other[1]}")
        job = _AnimationJob(problem_of(session), epochs, frames, path, size, beside)
        thread = QThread(self)
        job.moveToThread(thread)
        thread.started.connect(job.run)
        job.done.connect(self._animation_done)
        runs = 1 if beside is None else 2
        dialog = QProgressDialog(f"Training {epochs:,} epochs{' of both runs' if beside else ''} and drawing "
                                 f"{frames} frames…", "Cancel", 0, runs * epochs + 1, self.widget)
        dialog.setWindowTitle("Export animation")
        dialog.setMinimumDuration(0)
        dialog.setAutoReset(False)
        dialog.canceled.connect(self.cancel_animation)
        job.progressed.connect(dialog.setValue)
        self._job, self._thread, self.progress_dialog = job, thread, dialog
        thread.start()
        return True

    def is_animating(self) -> bool:
        """Whether an animation is being made now."""
        return self._thread is not None

    def cancel_animation(self) -> None:
        """Stop the animation in progress (nothing is written)."""
        if self._job is not None:
            self._job.cancel_requested = True

    def _animation_done(self, message: str) -> None:
        path = self._job.path if self._job is not None else ""
        self._stop_thread()
        if message == "":
            self._notify(f"Wrote the animation to {os.path.basename(path)}")
        elif message != "cancelled":
            self.files.error("Cannot save", message)
        self.animation_finished.emit(message)

    def _stop_thread(self) -> None:
        if self.progress_dialog is not None:
            self.progress_dialog.canceled.disconnect(self.cancel_animation)
            self.progress_dialog.reset()
            self.progress_dialog.deleteLater()
            self.progress_dialog = None
        if self._thread is not None:
            self._thread.quit()
            self._thread.wait()
            self._thread.deleteLater()
            self._thread = None
        if self._job is not None:
            self._job.deleteLater()
            self._job = None

    def shut_down(self) -> None:
        """Cancel an animation in progress and wait for its thread (the window is closing)."""
        if self._job is not None:
            self._job.cancel_requested = True
            self._job.done.disconnect(self._animation_done)
        self._stop_thread()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # Qt override
        """Stop an animation in progress when the window closes."""
        if watched is self.widget and event.type() == QEvent.Type.Close:
            self.shut_down()
        return False
