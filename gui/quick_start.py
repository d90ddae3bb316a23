"""Start-up shortcuts that change nothing the window does, only how soon it appears (issue 16).

Nothing here imports Qt: ``gui.app`` calls it around its first Qt import.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from types import ModuleType


def quicken_pyside_imports() -> bool:
    """Make PySide6's check of every newly imported module cheap; True when it is (or already was) in place.

    Once ``PySide6.QtCore`` is imported, PySide asks of every module imported after it whether
    its source mentions "PySide6" (for its opt-in ``__feature__`` switches), and it finds out
    with ``inspect.getsource``: the file is decoded, split into lines and cached, which costs
    about a quarter of pyqtgraph's import and a tenth of ours. Reading the file's bytes answers
    the same question at a fraction of the price; anything that is not a plain ``.py`` file
    (a frozen bundle's modules, extension modules) still goes to PySide's own check.
    """
    feature = sys.modules.get("shibokensupport.feature")
    original: Callable[[ModuleType], bool] | None = getattr(feature, "_mod_uses_pyside", None)
    if feature is None or original is None:
        return False  # another PySide: leave it alone
    if getattr(original, "quick", False):
        return True

    def uses_pyside(module: ModuleType) -> bool:
        path = getattr(module, "__file__", None)
        if not isinstance(path, str) or not path.endswith(".py"):
            return original(module)
        try:
            with open(path, "rb") as source:
                return b"PySide6" in source.read()
        except OSError:
            return original(module)

    uses_pyside.quick = True  # type: ignore[attr-defined]  # marks it as ours: never wrapped twice
    feature._mod_uses_pyside = uses_pyside  # type: ignore[attr-defined]
    return True
