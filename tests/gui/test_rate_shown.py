"""A learning rate (or regularization rate) from a session that the combo does not list is
shown as what is in force, not as the combo's previous choice."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.session_file import load_session, save_session


@pytest.mark.parametrize("rate", [2.5, 1e-7, 0.05])
def test_an_unlisted_learning_rate_from_a_session_is_shown(qtbot, window, tmp_path: Path, rate: float) -> None:
    path = tmp_path / "s.json"
    assert window.save_session(str(path))
    session = load_session(path)
    save_session(path, type(session)(**{**session.__dict__, "settings": {**session.settings, "learning_rate": rate,
                                                                           "reg_rate": 0.02}}))
    window.files.open(str(path))
    qtbot.waitUntil(lambda: window.config().settings.learning_rate == rate, timeout=20000)
    combo = window.controls.learning_rate
    assert combo.currentData() == rate and combo.currentText() == f"{rate:g}"
    assert window.controls.reg_rate.currentData() == 0.02
    listed = [combo.itemData(i) for i in range(combo.count())]
    assert listed == sorted(listed)  # in order among the usual rates
    combo.setCurrentIndex(combo.findData(0.3))  # choosing a listed rate still works
    assert window.config().settings.learning_rate == 0.3
