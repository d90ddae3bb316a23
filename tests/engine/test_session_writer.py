"""The autosave writer's child process: it writes what the window sends, and never outlives the window."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from test_session_file import assert_same, make_session

from engine.session_file import load_session
from engine.session_writer import STOPPED, SessionWriter, write_session

ROOT = Path(__file__).resolve().parents[2]


def test_the_child_writes_the_session_it_is_sent(tmp_path: Path) -> None:
    writer = SessionWriter()
    try:
        session = make_session()
        assert writer.write(tmp_path / "a.json", session) is None
        assert_same(load_session(tmp_path / "a.json"), session)
        child = writer._process
        assert child is not None and child.pid != os.getpid()
        assert writer.write(tmp_path / "b.json", make_session(regression=True)) is None
        assert writer._process is child  # one child for every save
    finally:
        writer.close()


def test_a_failed_write_comes_back_as_one_phrase_and_changes_nothing(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("kept")
    writer = SessionWriter()
    try:
        problem = writer.write(blocker / "autosave.json", make_session())  # a folder that is a file
        assert problem is not None and "\n" not in problem
        assert problem == write_session(blocker / "autosave.json", make_session())  # the same words in-process
        assert blocker.read_text() == "kept"
    finally:
        writer.close()


def test_a_killed_child_is_reported_then_replaced(tmp_path: Path) -> None:
    writer = SessionWriter()
    try:
        assert writer.write(tmp_path / "a.json", make_session()) is None
        first = writer._process
        assert first is not None
        os.kill(first.pid, signal.SIGKILL)
        first.join(timeout=30)
        assert writer.write(tmp_path / "a.json", make_session(n=5)) in (None, STOPPED)  # noticed before or during
        assert writer.write(tmp_path / "a.json", make_session(n=6)) is None
        assert len(load_session(tmp_path / "a.json").points) == 6
        assert writer._process is not first
    finally:
        writer.close()


PARENT = r"""
import sys
sys.path.insert(0, sys.argv[1])
from pathlib import Path
from engine.session_writer import SessionWriter
from engine.datasets import generate
from engine.session_file import Session
import numpy as np
points, labels = generate("xor", 50, 0.0, 0)
session = Session(points, labels.astype(float), np.linspace(0, 1, 50, endpoint=False), 0.5, False, ("x1", "x2"),
                  (2,), ("tanh",), {"learning_rate": 0.03, "optimizer": "sgd", "batch_size": 10,
                                    "regularization": "none", "reg_rate": 0.0}, False, None, 0, np.zeros((0, 3)))
writer = SessionWriter()
problem = writer.write(Path(sys.argv[2]), session)
print(writer._process.pid if problem is None else problem, flush=True)
sys.stdin.readline()
"""


def test_the_child_exits_when_the_window_is_killed(tmp_path: Path) -> None:
    parent = subprocess.Popen([sys.executable, "-c", PARENT, str(ROOT), str(tmp_path / "s.json")],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        line = parent.stdout.readline() if parent.stdout else ""
        assert line.strip().isdigit(), f"the parent did not start its writer: {line!r}"
        child = int(line)
        assert Path(f"/proc/{child}").exists()
        parent.kill()  # like kill -9 of the window: no clean-up code runs
        parent.wait(timeout=60)
        deadline = time.monotonic() + 60  # only catches a hang: the child should go at once
        while Path(f"/proc/{child}").exists() and "Z" not in _state(child) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not Path(f"/proc/{child}").exists() or "Z" in _state(child), "the writer outlived its window"
    finally:
        if parent.poll() is None:
            parent.kill()
            parent.wait()


def _state(pid: int) -> str:
    """The process state letter from /proc (Z for a zombie waiting for init to reap it)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return "Z"
