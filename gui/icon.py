"""The application icon, drawn for the app: a small network over a decision boundary."""

from __future__ import annotations

from importlib import resources

from PySide6.QtCore import QSize
from PySide6.QtGui import QIcon

SIZES = (16, 32, 48, 64, 128, 256)  # the PNGs beside the SVG, made by packaging/make_icons.py


def app_icon() -> QIcon:
    """The icon at every size: crisp PNGs for the small sizes, the SVG for any other (HiDPI)."""
    icon = QIcon()
    folder = resources.files("gui") / "icons"
    for size in SIZES:
        with resources.as_file(folder / f"neural-sandbox-{size}.png") as path:
            icon.addFile(str(path), QSize(size, size))  # with its size: read when first drawn, not now
    with resources.as_file(folder / "neural-sandbox.svg") as path:
        icon.addFile(str(path))
    return icon
