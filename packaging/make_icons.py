"""Render gui/icons/neural-sandbox.svg to the PNG sizes the window and desktop entry use.

    python packaging/make_icons.py
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from gui.icon import SIZES  # noqa: E402


def main() -> None:
    """Write one PNG per size next to the SVG."""
    app = QGuiApplication.instance() or QGuiApplication([])
    folder = ROOT / "gui" / "icons"
    renderer = QSvgRenderer(str(folder / "neural-sandbox.svg"))
    for size in SIZES:
        image = QImage(size, size, QImage.Format.Format_ARGB32)
        image.fill(0)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        renderer.render(painter)
        painter.end()
        image.save(str(folder / f"neural-sandbox-{size}.png"))
    del app


if __name__ == "__main__":
    main()
