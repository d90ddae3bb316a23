"""The app as a desktop citizen: files opened from the command line, the icon, the desktop entry."""

from __future__ import annotations

import configparser
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtWidgets import QApplication

from engine import generate, write_csv
from engine.session_file import load_model
from gui.app import build_parser, start

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _own_data_dir(tmp_path_factory, monkeypatch):
    """A fresh data folder: no earlier window's autosave, so no "Restore your work?" dialog."""
    monkeypatch.setenv("NEURAL_SANDBOX_DATA_DIR", str(tmp_path_factory.mktemp("desktop-data")))


def open_from_command_line(qtbot, *argv: str):
    """The window `neural-sandbox ARGV` opens, without dialogs, once any file given has been read."""
    args = build_parser().parse_args(list(argv))
    window = start(args, [4, 2])
    window.files.ask = False  # report a bad file in last_error instead of a modal box
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: not window.files.is_loading(), timeout=60000)
    return window


def test_a_csv_named_on_the_command_line_opens_in_the_window(qtbot, tmp_path):
    points, labels = generate("xor", 40, 0.0, seed=3)
    path = tmp_path / "mine.csv"
    write_csv(path, points, labels)
    window = open_from_command_line(qtbot, str(path))
    qtbot.waitUntil(lambda: len(window.model) == 40, timeout=60000)
    np.testing.assert_array_equal(window.model.points, points)
    assert window.isVisible()
    window.close()


def test_a_model_named_on_the_command_line_opens_its_network(qtbot, tmp_path):
    model = tmp_path / "model.json"
    done = subprocess.run([sys.executable, "main.py", "train", "--preset", "xor", "--layers", "3", "--epochs", "2",
                           "--save-model", str(model), "--quiet"], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    window = open_from_command_line(qtbot, str(model))
    expected, _ = load_model(model)
    qtbot.waitUntil(lambda: window.config().architecture.hidden == (3,), timeout=60000)
    assert window.controller.wait_until(
        lambda s: s.layer_sizes == (2, 3, 1) and np.array_equal(s.weights[0], expected.weights[0]))
    window.close()


@pytest.mark.parametrize("content", [None, "x,y,label\n1,2,zero\n"], ids=["missing", "malformed"])
def test_a_bad_file_on_the_command_line_is_refused_and_the_window_keeps_its_points(qtbot, tmp_path, content):
    path = tmp_path / "bad.csv"
    if content is not None:
        path.write_text(content)
    window = open_from_command_line(qtbot, "--preset", "circle", str(path))
    qtbot.waitUntil(lambda: bool(window.files.last_error), timeout=60000)
    assert str(path) in window.files.last_error and "\n" not in window.files.last_error
    assert len(window.model) == 500  # the preset's points, untouched
    window.close()


def test_a_bad_file_beside_screenshot_is_one_line_and_exit_2(tmp_path):
    done = subprocess.run([sys.executable, "main.py", "--screenshot", str(tmp_path / "x.png"),
                           str(tmp_path / "missing.csv")], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr and "missing.csv" in done.stderr
    assert not (tmp_path / "x.png").exists()


def test_the_window_has_the_apps_icon_at_every_size(qtbot):
    window = open_from_command_line(qtbot)
    icon = QApplication.instance().windowIcon()
    assert not icon.isNull()
    for size in (16, 32, 64, 256):
        image = icon.pixmap(size, size).toImage()
        assert image.width() == size
        stride = max(1, size // 16)
        colours = {image.pixel(x, y) for x in range(0, size, stride) for y in range(0, size, stride)}
        assert len(colours) > 5  # drawn, not blank
    window.close()


def test_the_desktop_entry_opens_files_and_declares_their_types():
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str
    entry.read(ROOT / "packaging" / "neural-sandbox.desktop")
    desktop = entry["Desktop Entry"]
    assert desktop["Exec"].split() == ["neural-sandbox", "%f"]
    assert {"text/csv", "application/json"} <= set(filter(None, desktop["MimeType"].split(";")))
    assert desktop["Icon"] == "neural-sandbox" and (ROOT / "gui" / "icons" / "neural-sandbox.svg").exists()
    if shutil.which("desktop-file-validate"):
        done = subprocess.run(["desktop-file-validate", str(ROOT / "packaging" / "neural-sandbox.desktop")],
                              capture_output=True, text=True)
        assert done.returncode == 0 and "error" not in done.stdout.lower(), done.stdout
