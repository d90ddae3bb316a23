"""Window-wide helpers: fitting the window to the screen, run keys that number fields must not
swallow, and giving freed memory back to the system."""

from __future__ import annotations

import ctypes
import sys
from collections.abc import Callable
from typing import cast

from PySide6.QtCore import QEvent, QObject, QRect, QSize, Qt, QTimer
from PySide6.QtGui import QGuiApplication, QKeyEvent
from PySide6.QtWidgets import QAbstractButton, QAbstractSpinBox, QApplication, QMainWindow, QSplitter, QWidget

PREFERRED_SIZE = (1500, 900)  # the first window's size on a screen with room for it
RUN_KEYS = (Qt.Key.Key_Space, Qt.Key.Key_S, Qt.Key.Key_R)  # run shortcuts no number field may swallow


def trim_heap() -> None:
    """Give freed memory back to the system (glibc keeps it otherwise: snapshots are unpickled
    on the receiver thread and freed on this one, which fragments the heap over long runs)."""
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL("libc.so.6").malloc_trim(0)
        except (OSError, AttributeError):
            pass


class RunKeyGuard(QObject):
    """Lets Space, S and R reach the window's run shortcuts while a number field has the focus,
    and lets Enter press the focused button, check box or tool.

    A spin box claims every printable key for its text, so without this the batch size field
    would keep Space after the user typed in it. None of these keys is valid in a number.
    Space, the usual key to press a focused button, plays and pauses here (whatever has the
    focus, as before), so Enter or Return presses the button instead.

    Key events go to the focused widget, so the guard watches that one widget and moves with
    the focus: an application-wide filter would take every event of every widget (paints,
    timers, layouts) through Python, thousands before the first frame alone.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._watched: QObject | None = None

    def start(self) -> None:
        """Watch the focused widget from now on (a QApplication must exist)."""
        app = cast(QApplication, QApplication.instance())
        app.focusChanged.connect(self._follow)
        self._follow(None, app.focusWidget())

    def stop(self) -> None:
        """Watch nothing any more."""
        app = QApplication.instance()
        if app is not None:
            app.focusChanged.disconnect(self._follow)  # type: ignore[attr-defined]  # a QApplication's signal
        self._follow(None, None)

    def _follow(self, _old: QWidget | None, new: QWidget | None) -> None:
        if self._watched is not None:
            try:
                self._watched.removeEventFilter(self)
            except RuntimeError:  # the widget is being destroyed: its filters go with it
                pass
        self._watched = new
        if new is not None:
            new.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # Qt override
        """Decline the spin box's claim on a plain Space, S or R, so the shortcut fires; Enter clicks."""
        if event.type() == QEvent.Type.KeyPress:
            return self._enter_clicks(watched, cast(QKeyEvent, event))
        if event.type() != QEvent.Type.ShortcutOverride:
            return False
        key = cast(QKeyEvent, event)  # a shortcut override is always a key event
        if (key.key() in RUN_KEYS and not key.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
                and (isinstance(watched, QAbstractSpinBox) or isinstance(watched.parent(), QAbstractSpinBox))):
            event.ignore()
            return True
        return False

    def _enter_clicks(self, watched: QObject, key: QKeyEvent) -> bool:
        if (key.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and isinstance(watched, QAbstractButton)
                and not key.modifiers() & ~Qt.KeyboardModifier.KeypadModifier and watched.window() is self.parent()
                and watched.isEnabled()):
            watched.click()  # a check box toggles, a checkable tool is chosen, as with a mouse click
            return True
        return False


class _FirstPaint(QObject):
    """Calls back once, as soon as the watched widget has been painted the first time."""

    def __init__(self, widget: QWidget, callback: Callable[[], None]) -> None:
        super().__init__(widget)
        self._callback = callback
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # Qt override
        """On the first paint: call back right after it (a zero timer), and stop watching."""
        if event.type() == QEvent.Type.Paint:
            watched.removeEventFilter(self)
            QTimer.singleShot(0, self._callback)
        return False


def after_first_paint(widget: QWidget, callback: Callable[[], None]) -> None:
    """Call ``callback`` once ``widget`` has been painted for the first time (it is on the screen)."""
    _FirstPaint(widget, callback)


def fit_to_screen(window: QMainWindow, share: Callable[[int], None], remembered: bool = False) -> None:
    """Never larger than the screen's free area: the first size from it, a remembered one clamped to it.

    ``share(width)`` splits the new width between the window's columns.
    """
    screen = window.screen() or QGuiApplication.primaryScreen()
    if screen is None:
        window.resize(*PREFERRED_SIZE)
        return
    free = screen.availableGeometry()
    frame = window.frameGeometry().size() - window.geometry().size() if window.isVisible() else QSize(0, 0)
    room_w, room_h = free.width() - frame.width(), free.height() - frame.height()
    if remembered:
        if window.width() <= room_w and window.height() <= room_h and free.intersects(window.frameGeometry()):
            return  # the remembered size and place fit this screen: keep them, and the user's splits
        width, height = min(window.width(), room_w), min(window.height(), room_h)
    else:
        width, height = min(PREFERRED_SIZE[0], room_w), min(PREFERRED_SIZE[1], room_h)
    window.resize(width, height)
    geometry = QRect(window.frameGeometry().topLeft(), window.frameGeometry().size())
    if not remembered or not free.contains(geometry):
        x = free.left() + max(0, (free.width() - width - frame.width()) // 2)
        y = free.top() + max(0, (free.height() - height - frame.height()) // 2)
        window.move(x, y)
    share(width)
    if not remembered and (width < PREFERRED_SIZE[0] or height < PREFERRED_SIZE[1]):
        window.setWindowState(window.windowState() | Qt.WindowState.WindowMaximized)


def share_width(columns: QSplitter, middle: QSplitter, left: int, height: int, width: int) -> None:
    """Controls ``left`` pixels wide, the canvas a square as tall as it can be, the network between;
    the middle column's network over its plots."""
    canvas = max(300, min(int(0.38 * width), height - 190))
    columns.setSizes([left, max(300, width - left - canvas), canvas])
    middle.setSizes([int(height * 0.55), int(height * 0.45)])
