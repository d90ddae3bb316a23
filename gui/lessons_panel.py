"""The Lessons panel (Help → Lessons): a guided track through the article's ideas.

A dock beside the sandbox shows one lesson at a time: its text, a question to answer
before pressing Run, the lesson's live view, and after the run a note on what just
happened. Opening a lesson sets the sandbox up completely in one undo step (through the
window's ``set_up_experiment``, as the guide's experiments do) and outlines the widgets the
lesson talks about. The lesson reached and the lessons finished are remembered.
"""

from __future__ import annotations

import math
import time
from typing import Any

from PySide6.QtCore import QEvent, QObject, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QResizeEvent, QTextDocument
from PySide6.QtWidgets import (
    QDockWidget,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from gui import theme
from gui.guide import Experiment
from gui.keyboard import describe
from gui.lesson_book import Lesson, LessonError, lessons_folder, load_lessons
from gui.lesson_layout import give_back, make_room
from gui.widgets.feedforward import FeedforwardView
from gui.widgets.lesson_challenge import ChallengeView
from gui.widgets.lesson_views import ActivationView, BackpropView, NeuronView, RatesView

HIGHLIGHT_COLOUR = "#E69F00"  # Okabe-Ito orange: visible on the light window, safe with colour blindness
FLASHES = 6  # the outlines blink this many times when a lesson opens, then stay
POLL_MS = 30  # how often the panel looks for a new snapshot
REFRESH_PERIOD = 0.1  # seconds between live-view refreshes while training runs
NOTE_LINES = 7  # the after-run note's box holds this many lines; a longer note scrolls
NOTE_PADDING = 12  # the note's padding and border, both sides together


def experiment_for(lesson: Lesson) -> Experiment:
    """The lesson's set-up as the window's one-undo-step experiment."""
    s = lesson.setup
    return Experiment(f"Lesson {lesson.number}: {lesson.title}", s.preset, s.hidden, s.activation, s.learning_rate,
                      "", points=s.points, noise=s.noise, layer_activations=s.activations, features=s.features,
                      optimizer=s.optimizer, batch_size=s.batch_size, speed=s.speed)


class Highlighter(QObject):
    """Coloured outlines over widgets named by object name; they follow the widgets as the window changes."""

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.main = window
        self.targets: list[tuple[QWidget, QFrame]] = []
        self.missing: list[str] = []  # names no widget has (a typo in a lesson file)
        self._ticks = 0
        self.timer = QTimer(self)  # blinks the outlines a few times
        self.timer.setInterval(250)
        self.timer.timeout.connect(self._blink)

    def show(self, names: tuple[str, ...]) -> None:
        """Outline the widgets called ``names`` (blinking first, then steady)."""
        self.clear()
        for name in names:
            target = self.main.findChild(QWidget, name)
            if target is None:
                self.missing.append(name)
                continue
            frame = QFrame(target.window())
            frame.setObjectName(f"highlight-{name}")
            frame.setStyleSheet(f"QFrame {{ border: 3px solid {HIGHLIGHT_COLOUR}; border-radius: 4px; "
                                "background: transparent; }")
            frame.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
            target.installEventFilter(self)
            self.targets.append((target, frame))
        self._ticks = 0
        self.follow()
        self.timer.start()

    def clear(self) -> None:
        """Remove every outline."""
        self.timer.stop()
        for target, frame in self.targets:
            if isValid(target):
                target.removeEventFilter(self)
            if isValid(frame):
                frame.deleteLater()
        self.targets, self.missing = [], []

    def shown(self) -> list[str]:
        """The names of the outlined widgets that are on screen (an outline blinks, then stays; an empty
        label's outline waits for its text)."""
        return [target.objectName() for target, _ in self.targets if isValid(target) and target.isVisible()]

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # Qt override
        """Follow a target that moved, changed size, or was shown or hidden."""
        if event.type() in (QEvent.Type.Move, QEvent.Type.Resize, QEvent.Type.Show, QEvent.Type.Hide):
            QTimer.singleShot(0, self.follow)  # after the layout has placed every widget
        return False

    def _blink(self) -> None:
        self._ticks += 1  # the timer keeps running: it also follows a target whose ancestors moved
        self.follow()

    def follow(self) -> None:
        """Put each outline over its widget (hidden while the widget is, or between blinks)."""
        blink_off = 0 < self._ticks <= FLASHES and self._ticks % 2 == 1
        for target, frame in self.targets:
            if not (isValid(target) and isValid(frame)):
                continue
            top = target.window()
            if frame.parent() is not top:
                frame.setParent(top)
            # An empty label (the gradient check's answer before the check) is outlined once it says something.
            empty = isinstance(target, QLabel) and not target.text()
            visible = target.isVisible() and not blink_off and not empty
            if visible:
                corner = target.mapTo(top, QPoint(0, 0))
                frame.setGeometry(corner.x() - 3, corner.y() - 3, target.width() + 6, target.height() + 6)
                frame.raise_()
            frame.setVisible(visible)


class LessonsPanel(QWidget):
    """One lesson at a time: text, predict-first question, live view, Run, the after-run note, Back/Next."""

    # Emitted with the lesson's number when a lesson has been opened and set up.
    lesson_opened = Signal(int)
    # Emitted when a run has finished (its epochs done, or training stopped by itself).
    run_finished = Signal()

    def __init__(self, window, lessons: list[Lesson]) -> None:
        super().__init__()
        self.main = window
        self.lessons = lessons
        self.lesson: Lesson = lessons[0]  # the lesson on show (open() chooses it)
        self.view: Any = None  # the lesson's live view: a widget with set_point(point, snap) and refresh(snap)
        self.highlighter = Highlighter(window)
        # While running: the Play command's seq, the (network run, epoch) it was pressed at, the epoch to stop at.
        self._run: tuple[int, tuple[int, int], int | None] | None = None
        self._refreshed = 0.0
        self.title = QLabel()
        self.title.setObjectName("lesson-title")
        self.title.setWordWrap(True)
        self.text = QTextBrowser()
        self.text.setObjectName("lesson-text")
        describe(self.text, "Lesson text", "The lesson: read it, then predict, run and read what happened")
        self.text.setOpenExternalLinks(False)
        predict = QGroupBox("Predict first")
        self.question = QLabel()
        self.question.setObjectName("lesson-question")
        self.question.setWordWrap(True)
        self.question.setTextFormat(Qt.TextFormat.MarkdownText)
        self.prediction = QLineEdit()
        self.prediction.setObjectName("lesson-prediction")
        self.prediction.setPlaceholderText("Your prediction, before you press Run")
        describe(self.prediction, "Your prediction", "Write what you expect before you press Run (kept for you only)")
        box = QVBoxLayout(predict)
        box.addWidget(self.question)
        box.addWidget(self.prediction)
        self.view_box = QVBoxLayout()
        self.run_button = QPushButton("Run")
        self.run_button.setObjectName("lesson-run")
        self.run_button.setAccessibleName("Run the lesson")
        self.run_button.setToolTip("Play the lesson's training run, then read what just happened")
        self.setup_button = QPushButton("Set up again")
        self.setup_button.setObjectName("lesson-setup")
        self.setup_button.setAccessibleName("Set up again")
        self.setup_button.setToolTip("Start this lesson over: data, network and settings as the lesson sets them")
        run_row = QHBoxLayout()
        run_row.addWidget(self.run_button)
        run_row.addWidget(self.setup_button)
        self.note = QLabel()
        self.note.setObjectName("lesson-note")
        self.note_shown = False  # True once the run is over and the note says what happened
        self.note.setWordWrap(True)
        self.note.setTextFormat(Qt.TextFormat.MarkdownText)
        # The note's box is as tall as this lesson's note needs at this width (up to NOTE_LINES, then it
        # scrolls) before the run too, so the panel does not jump when the run ends under the mouse.
        self.note_box = QScrollArea()
        self.note_box.setWidget(self.note)
        self.note_box.setWidgetResizable(True)
        self.note_box.setFrameShape(QFrame.Shape.NoFrame)
        self.note_box.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        describe(self.note_box, "What just happened", "After the run: what it showed, and why")
        theme.follow(self.note, lambda _colours: self._style_note())
        self.back = QPushButton("◀ Back")
        self.back.setObjectName("lesson-back")
        describe(self.back, "Previous lesson", "The previous lesson")
        self.next = QPushButton("Next ▶")
        self.next.setObjectName("lesson-next")
        describe(self.next, "Next lesson", "The next lesson")
        self.progress = QLabel()
        self.progress.setObjectName("lesson-progress")
        self.progress.setAlignment(Qt.AlignmentFlag.AlignCenter)
        nav = QHBoxLayout()
        nav.addWidget(self.back)
        nav.addWidget(self.progress, 1)
        nav.addWidget(self.next)
        # The text above, the question and the live view below, with a handle between them: on a
        # small screen the student gives room to whichever they are reading.
        lower = QWidget()
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        lower_layout.addWidget(predict)
        lower_layout.addLayout(self.view_box, 1)
        self.parts = QSplitter(Qt.Orientation.Vertical)
        self.parts.setObjectName("lesson-parts")
        self.parts.setChildrenCollapsible(False)
        self.parts.addWidget(self.text)
        self.parts.addWidget(lower)
        self.parts.setStretchFactor(0, 2)
        self.parts.setStretchFactor(1, 5)
        self.parts.setSizes([200, 500])  # in proportion: the live view gets the larger part
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.parts, 1)
        layout.addLayout(run_row)
        layout.addWidget(self.note_box)
        layout.addLayout(nav)
        self.run_button.clicked.connect(self.run)
        self.setup_button.clicked.connect(self.set_up)
        self.back.clicked.connect(lambda: self.open(self.lesson.number - 1))
        self.next.clicked.connect(lambda: self.open(self.lesson.number + 1))
        self._seen = None  # the last snapshot looked at
        self.poll = QTimer(self)  # the panel follows the latest snapshot, as the window's display timer does
        self.poll.setInterval(POLL_MS)
        self.poll.timeout.connect(self._on_poll)
        self.poll.start()
        window.canvas.hovered.connect(self._on_hover)

    # ------------------------------------------------------------- progress
    def remembered(self) -> int:
        """The lesson the student reached last time (1 at first)."""
        value = self.main.settings.value("lessons/current", 1)
        try:
            return min(max(int(value), 1), len(self.lessons))
        except (TypeError, ValueError):
            return 1

    def done(self) -> set[int]:
        """The lessons whose run the student finished."""
        value = str(self.main.settings.value("lessons/done", "") or "")
        return {int(part) for part in value.split(",") if part.strip().isdigit()}

    def _mark_done(self, number: int) -> None:
        self.main.settings.setValue("lessons/done", ",".join(map(str, sorted(self.done() | {number}))))
        self._show_progress()

    def _show_progress(self) -> None:
        done = self.done()
        marks = " ".join(("●" if n in done else "○") for n in range(1, len(self.lessons) + 1))
        self.progress.setText(f"{self.lesson.number}/{len(self.lessons)}  {marks}")
        self.progress.setToolTip(f"Finished: {', '.join(map(str, sorted(done))) or 'none yet'}")

    # ------------------------------------------------------------- lessons
    def open(self, number: int) -> None:
        """Show lesson ``number`` (1-based) and set the sandbox up for it."""
        number = min(max(number, 1), len(self.lessons))
        self.lesson = lesson = self.lessons[number - 1]
        self.main.settings.setValue("lessons/current", number)
        self.title.setText(f"<h3>{lesson.number}. {lesson.title}</h3>")
        self.text.setMarkdown(lesson.text)
        self.question.setText(lesson.question)
        self.prediction.clear()
        self.back.setEnabled(number > 1)
        self.next.setEnabled(number < len(self.lessons))
        self._show_progress()
        self._fit_note()
        self.highlighter.clear()  # before the old view goes: it may be outlined
        self._make_view(lesson)
        self.set_up()
        self.highlighter.show(lesson.highlight)
        self.lesson_opened.emit(number)

    def _make_view(self, lesson: Lesson) -> None:
        if self.view is not None:
            self._leave_view()
            self.view_box.removeWidget(self.view)
            self.view.deleteLater()
        views = {"neuron": lambda: NeuronView(self.main), "activation": lambda: ActivationView(self.main),
                 "feedforward": FeedforwardView, "backprop": lambda: BackpropView(self.main),
                 "rates": lambda: RatesView(self.main, self.run),
                 "challenge": lambda: ChallengeView(lesson.goal or 0.9, lesson.hints)}
        self.view = views[lesson.view]() if lesson.view else None
        if self.view is not None:
            self.view_box.addWidget(self.view)

    def set_up(self) -> None:
        """Set the sandbox up as the lesson says: one undo step, fresh weights and history."""
        self._run = None
        self._show_note(False)
        self.main.set_up_experiment(experiment_for(self.lesson))
        for layer, i, j, value in self.lesson.setup.weights:  # after the reset: the trainer takes commands in order
            self.main.controller.set_weight(layer, i, j, value)
        for layer, j, value in self.lesson.setup.biases:
            self.main.controller.set_bias(layer, j, value)
        if isinstance(self.view, FeedforwardView) and len(self.main.model):
            x, y = self.main.model.points[0]
            self.view.point = (float(x), float(y))  # until the mouse moves

    def _fit_note(self) -> None:
        """Reserve the height this lesson's note needs at the panel's width (it depends on nothing else)."""
        document = QTextDocument()
        document.setDefaultFont(self.note.font())
        document.setMarkdown("**What just happened.** " + self.lesson.after)
        document.setTextWidth(max(1, self.note_box.width() - NOTE_PADDING))
        spacing = self.note.fontMetrics().lineSpacing()
        needed = math.ceil(document.size().height()) + NOTE_PADDING
        self.note_box.setFixedHeight(min(max(needed, 3 * spacing), NOTE_LINES * spacing + NOTE_PADDING))

    def resizeEvent(self, event: QResizeEvent) -> None:  # Qt override
        """A new width wraps the note differently: its box follows (before the run too)."""
        super().resizeEvent(event)
        self._fit_note()

    def _show_note(self, done: bool) -> None:
        """The after-run note, or (before the run) where it will appear: the panel never jumps."""
        if done:
            self.note.setText("**What just happened.** " + self.lesson.after)
        else:
            self.note.setText("*Answer the question, press Run, then read here what just happened.*")
        self.note_shown = done
        self._style_note()

    def _style_note(self) -> None:
        colours = theme.current()
        if self.note_shown:
            self.note.setStyleSheet(f"QLabel {{ background: {colours.note_background}; "
                                    f"border: 1px solid {colours.note_border}; padding: 4px; }}")
        else:
            self.note.setStyleSheet(f"QLabel {{ color: {colours.muted}; border: 1px dashed {colours.faint}; "
                                    "padding: 4px; }")

    def run(self) -> None:
        """Play the lesson's run; the note follows when its epochs are done or training stops."""
        self._show_note(False)
        controls = self.main.controls
        if controls.play.isChecked():
            controls.play.setChecked(False)
        controls.play.setChecked(True)
        latest = self.main.controller.latest
        self._run = (self.main.controller.sync(), (latest.run, latest.epoch) if latest else (-1, 0), None)

    def _on_poll(self) -> None:
        snap = self.main.controller.latest
        if snap is not None and snap is not self._seen:
            self._seen = snap
            self._on_snapshot(snap)

    def _on_snapshot(self, snap) -> None:
        if self._run is not None and snap.seq >= self._run[0]:
            seq, pressed, stop = self._run
            if stop is None:
                # The run began where Run found the network, or at epoch 0 if the network started over
                # (a Reset sent just before); the snapshot seen now may already be many epochs later.
                start = pressed[1] if snap.run == pressed[0] else 0
                stop = start + self.lesson.run_epochs
                self._run = (seq, pressed, stop)
            if snap.epoch >= stop or not snap.playing:
                self._finish(stop - self.lesson.run_epochs, stop)
        now = time.perf_counter()
        if self.view is not None and (now - self._refreshed >= REFRESH_PERIOD or not snap.playing):
            self._refreshed = now
            self.view.refresh(snap)

    def _finish(self, start: int, stop: int) -> None:
        """The run from epoch ``start`` to ``stop`` is over (training may have gone a little past ``stop``)."""
        self._run = None
        self.main.controls.play.setChecked(False)
        self._show_note(True)
        self._mark_done(self.lesson.number)
        if isinstance(self.view, RatesView):
            self.view.run_finished(start, stop)
        self.run_finished.emit()

    def _on_hover(self, point) -> None:
        if self.view is not None:
            self.view.set_point(point, self.main.controller.latest)

    def _leave_view(self) -> None:
        """Let the live view take back what it put on the sandbox (lesson 5's ring on the canvas)."""
        leave = getattr(self.view, "leave", None)
        if leave is not None:
            leave()

    def close_lessons(self) -> None:
        """Stop following: outlines off, no run pending, the view's marks gone."""
        self._run = None
        self.highlighter.clear()
        self._leave_view()


def _on_visibility(window, shown: bool) -> None:
    """The dock was hidden: stop the lesson and give the sandbox its room back."""
    if not shown:
        window.lessons_panel.close_lessons()
        give_back(window)


def open_lessons(window, number: int | None = None) -> bool:
    """Show the Lessons dock on ``window`` at lesson ``number`` (None: where the student left off).

    A bad lesson file is refused with one line naming it, in the status bar, and nothing changes.
    """
    panel = getattr(window, "lessons_panel", None)
    if panel is None:
        try:
            lessons = load_lessons(lessons_folder())
        except LessonError as problem:
            window.statusBar().showMessage(str(problem), 20000)
            window.lessons_error = str(problem)
            return False
        if not lessons:
            window.statusBar().showMessage("No lesson files found.", 20000)
            return False
        panel = window.lessons_panel = LessonsPanel(window, lessons)
        dock = window.lessons_dock = QDockWidget("Lessons", window)
        dock.setObjectName("lessons")
        dock.setWidget(panel)
        dock.visibilityChanged.connect(lambda shown: _on_visibility(window, shown))
        window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
    window.lessons_dock.show()
    window.lessons_dock.raise_()
    make_room(window)
    panel.open(number if number is not None else panel.remembered())
    return True

