"""The README's key table names every keyboard shortcut the window has."""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtGui import QAction, QKeySequence

ROOT = Path(__file__).resolve().parents[2]
# Qt's short names for keys the README spells out.
README_NAMES = {"Del": "Delete"}


def key_table() -> str:
    """The README's table of keys (the lines that start with '| ' after the header '| key |')."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme[readme.index("| key | action |"):]
    return "\n".join(line for line in table.splitlines()[2:] if line.startswith("|")).split("\n\n")[0]


def test_every_shortcut_of_the_window_is_in_the_readme_key_table(window):
    table = key_table()
    keys = set()
    for action in window.findChildren(QAction):
        for sequence in action.shortcuts():
            text = sequence.toString(QKeySequence.SequenceFormat.PortableText)
            keys.add(README_NAMES.get(text, text))
    assert {"Ctrl+O", "Space", "F1"} <= keys  # the window's menus are really there
    cells = set(re.split(r"\s*[|/]\s*|\s+\(or\s+|\)\s*", table))
    # File > Quit uses the platform's standard key: Ctrl+Q under X11 and Wayland, none offscreen.
    assert "Ctrl+Q" in cells
    digits = {str(n) for n in range(1, 7)}
    missing = sorted(k for k in keys if k not in cells and not (k in digits and "1–6" in cells))
    assert not missing, f"shortcuts missing from the README's key table: {missing}"
