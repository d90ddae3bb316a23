"""``main.py --screenshot`` renders the window offscreen to a PNG, in a fresh process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_screenshot_writes_a_png_of_the_trained_window(tmp_path, qapp):
    out = tmp_path / "window.png"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run(
        [sys.executable, "main.py", "--screenshot", str(out), "--preset", "xor", "--epochs", "30"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    image = QImage(str(out))
    assert not image.isNull() and image.width() >= 800 and image.height() >= 500
    # Not blank: the decision map's orange and blue and the text give many colours.
    step = 7
    colours = {image.pixel(x, y) for x in range(0, image.width(), step) for y in range(0, image.height(), step)}
    assert len(colours) > 50


def test_bad_window_options_give_one_clear_error(tmp_path):
    result = subprocess.run(
        [sys.executable, "main.py", "--screenshot", str(tmp_path / "x.png"), "--layers", "4,99"],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "1 to 16 neurons" in result.stderr
