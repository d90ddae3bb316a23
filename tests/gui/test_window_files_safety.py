"""The window's file handling under hostile input: a FIFO never wedges the loader, a slow
read can be cancelled, and saves and exports never replace a device, a FIFO or a symlink."""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

import numpy as np
from PySide6.QtWidgets import QPushButton

from gui import files as files_module


def test_a_fifo_is_refused_and_the_loader_stays_free(qtbot, window, tmp_path: Path) -> None:
    pipe = tmp_path / "points.csv"
    os.mkfifo(pipe)
    window.files.open(str(pipe))
    qtbot.waitUntil(lambda: not window.files.is_loading(), timeout=20000)
    assert "not a regular file" in window.files.last_error and str(pipe) in window.files.last_error
    data = tmp_path / "ok.csv"
    data.write_text("x,y,label\n1,1,0\n2,2,1\n")
    window.files.open(str(data))  # the next open is not "still being read"
    qtbot.waitUntil(lambda: len(window.model) == 2, timeout=20000)


def test_a_slow_read_can_be_cancelled_and_another_file_opened(qtbot, window, tmp_path: Path, monkeypatch) -> None:
    gate = threading.Event()
    real = files_module.read_csv

    def slow(path, regression=False):
        if Path(path).name == "slow.csv":
            gate.wait(60)
        return real(path, regression=regression)

    monkeypatch.setattr(files_module, "read_csv", slow)
    slow_file, quick_file = tmp_path / "slow.csv", tmp_path / "quick.csv"
    slow_file.write_text("x,y,label\n" + "1,1,0\n2,2,1\n" * 50)
    quick_file.write_text("x,y,label\n3,3,0\n4,4,1\n5,5,0\n")
    window.files.open(str(slow_file))
    try:
        assert window.files.is_loading()
        progress = window.files._progress
        buttons = progress.findChildren(QPushButton)
        assert [b.text() for b in buttons] == ["Cancel"]
        buttons[0].click()
        assert not window.files.is_loading()
        window.files.open(str(quick_file))
        qtbot.waitUntil(lambda: len(window.model) == 3, timeout=20000)
    finally:
        gate.set()  # the cancelled read ends: its result is dropped
    qtbot.wait(200)
    assert len(window.model) == 3


def test_exports_and_saves_never_replace_a_fifo_or_a_link(qtbot, window, tmp_path: Path) -> None:
    pipe = tmp_path / "picture.png"
    os.mkfifo(pipe)
    assert not window.files.export_image(window.canvas, str(pipe))
    assert "not a regular file" in window.files.last_error and stat.S_ISFIFO(os.lstat(pipe).st_mode)
    real = tmp_path / "real.png"
    real.write_bytes(b"old")
    link = tmp_path / "link.png"
    link.symlink_to(real)
    assert window.files.export_image(window.canvas, str(link))
    assert link.is_symlink() and real.read_bytes().startswith(b"\x89PNG")
    session_pipe = tmp_path / "work.json"
    os.mkfifo(session_pipe)
    assert not window.save_session(str(session_pipe))
    assert stat.S_ISFIFO(os.lstat(session_pipe).st_mode)
    assert not window.files.save_data(np.zeros((1, 2)), np.zeros(1), False, str(pipe))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.png", "picture.png", "real.png", "work.json"]
