"""A trainer killed again and again is replaced each time, and the window's open file
descriptors stay flat: the old process objects, pipes and receiver are released."""

from __future__ import annotations

import os
import signal

import pytest


def open_descriptors() -> int:
    return len(os.listdir("/proc/self/fd"))


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="needs /proc")
def test_killing_the_trainer_twenty_times_leaks_no_descriptor(qtbot):
    from gui.main_window import MainWindow

    win = MainWindow(preset="xor", dialogs=False)
    qtbot.addWidget(win)
    win.show()
    ctl = win.controller
    assert ctl.wait_until(lambda s: s.n_train + s.n_test == 500, timeout=60)

    def kill_once(expected: int) -> None:
        os.kill(ctl.process._process.pid, signal.SIGKILL)
        qtbot.waitUntil(lambda: ctl.restarts == expected, timeout=60000)
        seq = ctl.process.last_seq
        assert ctl.wait_until(lambda s: s.seq >= seq, timeout=60)  # the new trainer answers

    kill_once(1)  # the first restart may open what stays open (imports, caches)
    before = open_descriptors()
    for round_ in range(2, 22):
        kill_once(round_)
    after = open_descriptors()
    assert after <= before + 1, f"{after - before} descriptors leaked over 20 trainer restarts"
    win.close()
