"""Autosave that cannot lose work: recovery nothing overwrites, failures shown and retried,
a read-only folder, training progress saved, writes off the GUI thread, a real lock per
window, and stale temporaries cleared."""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from helpers import make_window

from engine.session_file import load_session, save_session
from gui import autosave

ROOT = Path(__file__).resolve().parents[2]


def crash_leftovers(folder: Path, points: int = 7) -> None:
    """What a killed window leaves: an autosave with its marker (a session of ``points`` points)."""
    from engine.datasets import generate
    from engine.session_file import Session

    xy, labels = generate("xor", points, 0.0, 3)
    session = Session(xy, labels.astype(np.float64), np.linspace(0, 0.9, points), 0.5, False, ("x1", "x2"), (4, 2),
                      ("tanh", "tanh"), {"learning_rate": 0.03, "optimizer": "sgd", "batch_size": 10,
                                         "regularization": None, "reg_rate": 0.0}, False, None, 0, np.zeros((0, 3)))
    save_session(folder / "autosave.json", session)
    (folder / "running.pid").write_text("999999")


@pytest.fixture
def folder(tmp_path: Path, monkeypatch) -> Path:
    monkeypatch.setenv("NEURAL_SANDBOX_DATA_DIR", str(tmp_path))
    return tmp_path


# ---------------------------------------------------------------------- item 1
def test_nothing_overwrites_the_crashed_work_while_the_question_is_open(qtbot, folder: Path) -> None:
    crash_leftovers(folder)
    before = (folder / "autosave.json").read_bytes()
    seen = []

    def ask(session) -> bool:
        qtbot.wait(autosave.DELAY_MS * 3)  # the dialog's event loop runs: queued saves would fire now
        seen.append((folder / "autosave.json").read_bytes())
        return False

    win = make_window(qtbot, preset="circle", persistent=True, ask_restore=ask)
    assert seen == [before]  # untouched while the user was deciding
    kept = list(folder.glob("autosave-2*.json"))
    assert len(kept) == 1 and kept[0].read_bytes() == before  # declined: kept aside, not deleted
    qtbot.waitUntil(lambda: (folder / "autosave.json").exists(), timeout=60000)
    assert len(load_session(folder / "autosave.json").points) == 500  # now the new work is saved
    win.close()


def test_declined_recoveries_keep_only_the_newest_few(qtbot, folder: Path) -> None:
    for i in range(5):
        old = folder / f"autosave-2020010{i + 1}-000000.json"
        old.write_text("{}")
        os.utime(old, (1_600_000_000 + i, 1_600_000_000 + i))
    crash_leftovers(folder)
    win = make_window(qtbot, preset="circle", persistent=True, ask_restore=lambda s: False)
    kept = sorted(p.name for p in folder.glob("autosave-2*.json"))
    assert len(kept) == autosave.KEEP_ASIDE and "autosave-20200105-000000.json" in kept
    assert "autosave-20200101-000000.json" not in kept
    win.close()


# ---------------------------------------------------------------------- item 2
def test_a_failing_autosave_is_shown_keeps_the_marker_and_is_retried(qtbot, folder: Path, monkeypatch) -> None:
    monkeypatch.setattr(autosave, "RETRY_MS", 200)
    full = {"on": True}
    win = make_window(qtbot, preset="circle", persistent=True)

    def full_disk(real):
        return lambda path, session: os.strerror(errno.ENOSPC) if full["on"] else real(path, session)

    win.autosaver.write_in_background = full_disk(win.autosaver.write_in_background)
    win.autosaver.write_now = full_disk(win.autosaver.write_now)
    warning = win.file_presenter.autosave_warning
    win.model.add([[2.5, 2.5]], [1.0])
    qtbot.waitUntil(lambda: warning.isVisible(), timeout=60000)
    assert "No space left on device" in warning.text()
    win.close()  # like Ctrl+Q: the last save fails too
    assert (folder / "running.pid").exists()  # so the next start still offers what was saved before
    full["on"] = False
    second = make_window(qtbot, preset="circle", persistent=True, ask_restore=lambda s: False)
    second.model.add([[1.5, 1.5]], [0.0])
    qtbot.waitUntil(lambda: (folder / "autosave.json").exists(), timeout=60000)
    second.close()
    assert not (folder / "running.pid").exists()


def test_the_warning_goes_away_when_a_retry_succeeds(qtbot, folder: Path, monkeypatch) -> None:
    monkeypatch.setattr(autosave, "RETRY_MS", 200)
    failures = [os.strerror(errno.ENOSPC)] * 2
    win = make_window(qtbot, preset="circle", persistent=True)
    real_write = win.autosaver.write_in_background
    win.autosaver.write_in_background = lambda p, s: failures.pop() if failures else real_write(p, s)
    warning = win.file_presenter.autosave_warning
    win.model.add([[2.5, 2.5]], [1.0])
    qtbot.waitUntil(lambda: warning.isVisible(), timeout=60000)
    qtbot.waitUntil(lambda: not warning.isVisible(), timeout=60000)  # retried without another edit
    assert len(load_session(folder / "autosave.json").points) == 501
    win.close()


# ---------------------------------------------------------------------- item 3
def test_a_data_folder_that_cannot_be_created_still_opens_the_window(qtbot, tmp_path: Path, monkeypatch) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv("NEURAL_SANDBOX_DATA_DIR", str(blocker / "data"))  # a folder under a file: uncreatable
    win = make_window(qtbot, preset="circle", persistent=True)
    warning = win.file_presenter.autosave_warning
    assert win.autosaver is None and warning.isVisible() and "not autosaved" in warning.text()
    win.model.add([[2.5, 2.5]], [1.0])  # works without autosave
    assert len(win.model) == 501
    win.close()


# ---------------------------------------------------------------------- item 4
def test_training_progress_is_autosaved(qtbot, folder: Path) -> None:
    win = make_window(qtbot, preset="xor", persistent=True)
    win.controls.play.click()
    assert win.controller.wait_until(lambda s: s.epoch > 30, timeout=60)

    def saved_epoch() -> int:
        try:
            return load_session(folder / "autosave.json").epoch
        except Exception:
            return 0

    qtbot.waitUntil(lambda: saved_epoch() > 30, timeout=60000)
    first = saved_epoch()
    qtbot.waitUntil(lambda: saved_epoch() > first, timeout=60000)  # no edit since: training alone is saved
    session = load_session(folder / "autosave.json")
    assert session.model is not None and len(session.history) > 0
    win.close()


# ---------------------------------------------------------------------- item 5
def test_the_session_is_serialized_and_written_outside_the_window_process(qtbot, folder: Path, monkeypatch) -> None:
    # On a thread of the window's process, serializing 100,000 points makes the GUI thread wait for the
    # interpreter lock (bench/autosave_stall.py); the writer is a child process, so the window never serializes.
    import engine.session_file

    calls = []
    real = engine.session_file.session_to_json
    monkeypatch.setattr(engine.session_file, "session_to_json", lambda s: (calls.append(s), real(s))[1])
    win = make_window(qtbot, preset="circle", persistent=True)
    win.model.add([[2.5, 2.5]], [1.0])
    qtbot.waitUntil(lambda: win.autosaver.saves > 0, timeout=60000)
    assert len(load_session(folder / "autosave.json").points) == 501
    writer = win.autosaver._writer._process
    assert writer is not None and writer.is_alive() and writer.pid != os.getpid()
    assert calls == []  # not serialized in this process at all
    pid = writer.pid
    win.close()
    assert not Path(f"/proc/{pid}").exists()  # the writer ended with the window (and was reaped)


def test_a_killed_writer_is_reported_once_and_replaced(qtbot, folder: Path, monkeypatch) -> None:
    monkeypatch.setattr(autosave, "RETRY_MS", 200)
    win = make_window(qtbot, preset="circle", persistent=True)
    win.model.add([[2.5, 2.5]], [1.0])
    qtbot.waitUntil(lambda: win.autosaver.saves > 0, timeout=60000)
    first = win.autosaver._writer._process
    os.kill(first.pid, signal.SIGKILL)
    first.join(timeout=30)
    win.model.add([[1.5, 1.5]], [0.0])
    qtbot.waitUntil(lambda: win.autosaver.saves > 1, timeout=60000)  # a new writer, after one failed try at most
    assert len(load_session(folder / "autosave.json").points) == 502
    assert win.autosaver._writer._process is not first
    win.close()


# ---------------------------------------------------------------------- item 6
HOLDER = r"""
import sys
from PySide6.QtCore import QLockFile
lock = QLockFile(sys.argv[1])
print("locked" if lock.tryLock(0) else "failed", flush=True)
sys.stdin.readline()
"""


def test_a_second_window_gets_its_own_slot(qtbot, folder: Path) -> None:
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(folder / "autosave.lock")],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        crash_leftovers(folder)  # the other window's marker: not a crash while it holds the lock
        offered = []
        win = make_window(qtbot, preset="circle", persistent=True, ask_restore=lambda s: offered.append(s) or True)
        assert offered == [] and win.autosaver.slot == 2
        win.model.add([[2.5, 2.5]], [1.0])
        qtbot.waitUntil(lambda: (folder / "autosave-window2.json").exists(), timeout=60000)
        assert len(load_session(folder / "autosave.json").points) == 7  # the other window's file untouched
        win.close()
    finally:
        holder.stdin.close()
        holder.wait(20)


def test_a_stale_lock_with_a_live_unrelated_pid_is_still_a_crash(qtbot, folder: Path) -> None:
    unrelated = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    try:
        crash_leftovers(folder)
        (folder / "autosave.lock").write_text(f"{unrelated.pid}\nNeural Sandbox\n{os.uname().nodename}\n")
        (folder / "running.pid").write_text(str(unrelated.pid))
        offered = []
        win = make_window(qtbot, preset="circle", persistent=True, ask_restore=lambda s: offered.append(s) or True)
        assert len(offered) == 1 and win.autosaver.slot == 1 and len(win.model) == 7
        win.close()
    finally:
        unrelated.kill()
        unrelated.wait(20)


# ---------------------------------------------------------------------- item 7
def test_temporaries_of_a_killed_save_are_cleared_at_start(qtbot, folder: Path) -> None:
    stale = folder / ".autosave.json.4242-0.tmp"
    stale.write_text("half a sess")
    other = folder / "notes.txt"
    other.write_text("mine")
    win = make_window(qtbot, preset="circle", persistent=True)
    assert not stale.exists() and other.exists()
    win.close()
