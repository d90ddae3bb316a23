"""Shared helpers for the window tests."""

from __future__ import annotations

from gui.main_window import MainWindow


def make_window(qtbot, fast: bool = True, **kwargs) -> MainWindow:
    """A shown window (no modal dialogs) whose trainer has its first points.

    ``fast`` picks "as fast as it goes" in the speed list, as a user would, so tests that
    train many epochs do not wait on the watchable default speed.
    """
    win = MainWindow(**{"dialogs": False, **kwargs})
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    if fast:
        win.controls.speed.setCurrentIndex(win.controls.speed.findData(None))
    assert win.controller.wait_until(lambda s: s.n_train > 0)
    return win


def settle(win: MainWindow, timeout: float = 60.0):
    """Wait until the trainer has applied every command sent so far; return its snapshot."""
    seq = win.controller.sync()
    assert win.controller.wait_until(lambda s: s.seq >= seq, timeout)
    return win.controller.latest


def pick(qtbot, combo, data) -> None:
    """Choose the item holding ``data`` in ``combo`` as a user does: click the combo, then the item."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    index = combo.findData(data)
    assert index >= 0, f"{combo.objectName()} has no item {data!r}"
    qtbot.mouseClick(combo, Qt.MouseButton.LeftButton)
    view = combo.view()
    qtbot.waitUntil(view.isVisible, timeout=5000)
    qtbot.wait(QApplication.doubleClickInterval() + 100)  # the popup ignores a release right after it opened
    view.scrollTo(view.model().index(index, 0))
    rect = view.visualRect(view.model().index(index, 0))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(lambda: not view.isVisible(), timeout=5000)
    assert combo.currentIndex() == index
