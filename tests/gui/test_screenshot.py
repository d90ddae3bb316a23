"""``main.py --screenshot`` renders the window offscreen to a PNG, in a fresh process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

ROOT = Path(__file__).resolve().parents[2]


def fills(image: QImage, screen: tuple[int, int]) -> bool:
    """The window filled the screen (less the few pixels of a window frame)."""
    return all(side - 8 <= got <= side for got, side in zip((image.width(), image.height()), screen))


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
    assert not image.isNull() and fills(image, (1366, 768))  # a laptop screen, not Qt's 800x800
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


@pytest.mark.slow
@pytest.mark.parametrize("platform, size", [
    (None, (1366, 768)),  # no platform named: offscreen, on a laptop-sized screen
    ("offscreen:configfile={screen}", (1280, 720)),  # a screen of one's own is kept
])
def test_a_screenshot_is_taken_on_a_laptop_sized_screen_unless_told_otherwise(tmp_path, qapp, platform, size):
    screen = tmp_path / "screen.json"
    screen.write_text('{"screens": [{"name": "s", "x": 0, "y": 0, "width": 1280, "height": 720, '
                      '"logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1}]}')
    env = {key: value for key, value in os.environ.items() if key != "QT_QPA_PLATFORM"}
    if platform is not None:
        env["QT_QPA_PLATFORM"] = platform.format(screen=screen)
    out = tmp_path / "window.png"
    result = subprocess.run([sys.executable, "main.py", "--screenshot", str(out)],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert fills(QImage(str(out)), size)
