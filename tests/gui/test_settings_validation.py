"""A corrupt settings.ini never stops the window: every remembered setting is validated,
what is invalid is ignored, and the window says so once."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import make_window
from PySide6.QtCore import QSettings

from engine import limits

GOOD_SETTINGS = {"learning_rate": 0.3, "optimizer": "adam", "batch_size": 20, "regularization": None,
                 "reg_rate": 0.0}
GOOD_ARCH = {"hidden": (3,), "activations": ("relu",), "features": ("x1", "x2"), "regression": False}


def remember(folder: Path, **values: object) -> None:
    settings = QSettings(str(folder / "settings.ini"), QSettings.Format.IniFormat)
    for key, value in values.items():
        settings.setValue(key, value)
    settings.sync()


BAD = {
    "config a list": {"config": "[1, 2]"},
    "config not python": {"config": "{{{"},
    "huge batch size": {"config": repr({"architecture": GOOD_ARCH, "settings": {**GOOD_SETTINGS,
                                                                                "batch_size": 10**30}})},
    "float batch size": {"config": repr({"architecture": GOOD_ARCH, "settings": {**GOOD_SETTINGS,
                                                                                 "batch_size": 1e30}})},
    "huge learning rate": {"config": repr({"architecture": GOOD_ARCH, "settings": {**GOOD_SETTINGS,
                                                                                   "learning_rate": 1e300}})},
    "unknown optimizer": {"config": repr({"architecture": GOOD_ARCH, "settings": {**GOOD_SETTINGS,
                                                                                  "optimizer": "magic"}})},
    "100 neurons": {"config": repr({"architecture": {**GOOD_ARCH, "hidden": (100,)}, "settings": GOOD_SETTINGS})},
    "geometry text": {"geometry": "not a geometry"},
    "splitter number": {"splitter": 12345},
    "speed nonsense": {"speed": "[1, 2]"},
    "recent number": {"recent": 42},
    "last folder list": {"last_directory": ["a", "b"]},
    "theme nonsense": {"theme": "purple"},
    "theme a list": {"theme": ["dark"]},
}


@pytest.mark.parametrize("values", BAD.values(), ids=BAD.keys())
def test_a_corrupt_setting_is_ignored_and_said_once(qtbot, tmp_path: Path, monkeypatch, values: dict) -> None:
    monkeypatch.setenv("NEURAL_SANDBOX_DATA_DIR", str(tmp_path))
    remember(tmp_path, **values)
    messages: list[str] = []
    win = make_window(qtbot, preset="circle", persistent=True)
    messages = win.file_presenter.settings_problems
    config = win.config()
    assert config.architecture.hidden == limits.DEFAULT_HIDDEN or "config" not in values
    assert 1 <= config.settings.batch_size <= limits.MAX_BATCH_SIZE
    assert limits.MIN_LEARNING_RATE <= config.settings.learning_rate <= limits.MAX_LEARNING_RATE
    if {"config", "geometry", "splitter", "theme"} & values.keys():
        assert len(messages) == 1 and "settings.ini" in messages[0]
    if "theme" in values:
        assert win.theme.actions["system"].isChecked()  # the system's scheme instead
    win.model.add([[1.0, 1.0]], [1.0])  # the window works
    win.undo_stack.undo()
    assert len(win.model) == 500
    win.close()


def test_valid_settings_are_still_restored(qtbot, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("NEURAL_SANDBOX_DATA_DIR", str(tmp_path))
    remember(tmp_path, config=repr({"architecture": GOOD_ARCH, "settings": GOOD_SETTINGS}))
    win = make_window(qtbot, preset="circle", persistent=True)
    assert win.config().architecture.hidden == (3,) and win.config().settings.batch_size == 20
    assert win.file_presenter.settings_problems == []
    win.close()
