"""HiDPI: at a scale factor of 2 the window renders with twice the pixels, pictures included."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QSize
from PySide6.QtGui import QImage

from gui.widgets.presets import THUMB

ROOT = Path(__file__).resolve().parents[2]


def test_pictures_and_swatches_carry_pixels_for_a_screen_scaled_by_two(window) -> None:
    for icon in (window.controls.pictures.buttons["circle"].icon(), window.controls.classes.button(0).icon()):
        sizes = icon.availableSizes()
        assert any(2 * small == big for small in sizes for big in sizes), sizes  # a 2x picture, drawn as such
    picture = window.controls.pictures.buttons["spiral"].icon().pixmap(QSize(THUMB, THUMB), 2.0)
    assert (picture.width(), picture.height()) == (2 * THUMB, 2 * THUMB)
    assert picture.devicePixelRatio() == 2.0


@pytest.mark.slow
def test_the_window_renders_at_scale_two_with_twice_the_pixels(tmp_path) -> None:
    screen = tmp_path / "screen.json"  # a 2560x1440 screen, as a HiDPI laptop's
    screen.write_text(json.dumps({"screens": [{"name": "hidpi", "x": 0, "y": 0, "width": 2560, "height": 1440,
                                               "logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1}]}))
    out = tmp_path / "scale2.png"
    env = {**os.environ, "QT_QPA_PLATFORM": f"offscreen:configfile={screen}", "QT_SCALE_FACTOR": "2"}
    result = subprocess.run([sys.executable, "main.py", "--screenshot", str(out), "--theme", "dark"],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    image = QImage(str(out))
    # 1280x720 logical pixels at scale 2: the picture has the screen's real pixels (the window fills it).
    assert image.width() > 2000 and image.height() > 1100, (image.width(), image.height())
