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
