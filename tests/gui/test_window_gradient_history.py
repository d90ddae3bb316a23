"""A saved session brings back its gradient-flow plot: shown at once when opened, continued by training."""

from __future__ import annotations

import os
import signal

import numpy as np
from helpers import make_window, pick, settle

from engine import limits
from engine.session_file import load_session, save_session
from gui.series import MAX_ENTRIES


def rows(win) -> np.ndarray:
    """The window's gradient-flow series as rows: epoch, then one norm per weight layer."""
    series = win.controller.gradients
    assert series is not None
    return np.column_stack([series.column(c) for c in range(series.columns)])


def drawn(qtbot, win, condition) -> None:
    """Wait until the window has drawn a snapshot for which ``condition`` holds."""
    qtbot.waitUntil(lambda: win.controller.latest is not None and condition(win.controller.latest)
                    and not win.controller._fresh, timeout=60000)
    qtbot.wait(50)  # one more display frame


def plotted(win) -> list[tuple[np.ndarray, np.ndarray]]:
    """What each layer's curve in the gradient plot draws (x, y)."""
    return [curve.getOriginalDataset() for curve in win.gradient_plot.curves]  # not log10 of them


def expected_curves(series: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """What the plot draws for ``series``: every epoch, a gap (NaN) where a norm is 0 (a log axis has no 0)."""
    return [(series[:, 0], np.where(series[:, l] > 0, series[:, l], np.nan)) for l in range(1, series.shape[1])]


def test_an_opened_step_session_shows_its_gradient_flow_at_once_and_training_continues_it(qtbot, window, tmp_path):
    pick(qtbot, window.controls.activation, "step")
    settle(window)
    qtbot.waitUntil(lambda: rows(window)[-1, 1] == 0, timeout=60000)  # measured with step layers at epoch 0
    for _ in range(3):
        window.controls.step.click()
    window.controller.step(4)
    assert window.controller.wait_until(lambda s: s.epoch == 7 and not s.playing)
    settle(window)
    qtbot.waitUntil(lambda: rows(window)[-1, 0] == 7, timeout=60000)
    saved = rows(window)
    assert len(saved) >= 2 and saved[0, 0] == 0  # more than the one measurement a fresh network shows
    assert np.all(saved[:, 1:3] == 0) and np.all(saved[:, 3] > 0)  # the lesson: step layers get no gradient
    path = tmp_path / "step.json"
    assert window.save_session(str(path))  # the File > Save path, to a chosen file
    stored = load_session(path).gradients
    assert stored is not None and stored.tobytes() == saved.tobytes()

    other = make_window(qtbot, preset="xor", seed=5)
    try:
        other.files.open(str(path), regression=other.model.regression)
        qtbot.waitUntil(lambda: not other.files.is_loading(), timeout=60000)
        settle(other)
        drawn(qtbot, other, lambda s: s.epoch == 7 and s.run == other.controller.run)
        # Before any training: the saved series, on the plot too, caption included.
        np.testing.assert_array_equal(rows(other), saved)
        for (x, y), (ex, ey) in zip(plotted(other), expected_curves(saved), strict=True):
            np.testing.assert_array_equal(x, ex)
            np.testing.assert_array_equal(y, ey)
        assert "Exactly zero gradient" in other.gradient_plot.caption.text()
        assert "layer 1, layer 2." in other.gradient_plot.caption.text()

        other.controls.step.click()  # training continues the series from the saved epoch
        assert other.controller.wait_until(lambda s: s.epoch == 8)
        qtbot.waitUntil(lambda: rows(other)[-1, 0] == 8, timeout=60000)
        after = rows(other)
        np.testing.assert_array_equal(after[:-1], saved)  # no duplicate epoch, nothing lost
        assert after[-1, 0] == 8 and after[-1, 1] == 0 and after[-1, 3] > 0

        # The trainer dies: its successor starts from new weights, and both plots start over together.
        ctl, old = other.controller, other.controller.process
        os.kill(old._process.pid, signal.SIGKILL)
        qtbot.waitUntil(lambda: ctl.restarts == 1, timeout=60000)
        seq = ctl.process.last_seq
        assert ctl.wait_until(lambda s: s.seq >= seq and s.n_train > 0)
        qtbot.waitUntil(lambda: rows(other)[:, 0].tolist() == [0.0], timeout=60000)
        assert ctl.losses.size == 0

        run = other.controller.run
        other.controls.reset.click()  # new weights: a new run, its own series (as for the loss history)
        assert other.controller.wait_until(lambda s: s.run != run and s.epoch == 0)
        settle(other)
        assert rows(other)[:, 0].tolist() == [0.0] and other.controller.losses.size == 0
    finally:
        other.close()


def test_a_session_saved_without_a_gradient_history_opens_with_the_plot_measured_afresh(qtbot, window, tmp_path):
    window.controller.step(3)
    settle(window)
    path = tmp_path / "old.json"
    assert window.save_session(str(path))
    text = path.read_text(encoding="utf-8")
    start = text.index(',\n "gradients"')
    path.write_text(text[:start] + "\n}\n", encoding="utf-8")  # as an older version of the app saved it
    assert load_session(path).gradients is None

    other = make_window(qtbot, preset="xor", seed=5)
    try:
        other.files.open(str(path), regression=other.model.regression)
        qtbot.waitUntil(lambda: not other.files.is_loading(), timeout=60000)
        settle(other)
        drawn(qtbot, other, lambda s: s.epoch == 3 and s.run == other.controller.run)
        assert other.controller.losses.size == 3  # the loss history still comes back
        assert rows(other)[:, 0].tolist() == [3.0]  # the gradient plot starts at the opened epoch
    finally:
        other.close()


def test_autosave_captures_the_gradient_history_of_the_live_run(qtbot, window):
    window.controller.step(2)
    settle(window)
    qtbot.waitUntil(lambda: rows(window)[-1, 0] == 2, timeout=60000)
    captured = window.file_presenter.capture().gradients  # what autosave writes, for crash recovery
    assert captured is not None and captured.tobytes() == rows(window).tobytes()
    assert captured.shape[1] == 1 + len(window.controller.live.layer_sizes) - 1


def test_crash_recovery_brings_the_gradient_flow_back(qtbot, window, tmp_path, monkeypatch):
    pick(qtbot, window.controls.activation, "step")
    settle(window)
    window.controller.step(3)
    assert window.controller.wait_until(lambda s: s.epoch == 3)
    qtbot.waitUntil(lambda: rows(window)[-1, 0] == 3, timeout=60000)
    saved = rows(window)
    # What a window killed at this moment leaves: its autosave and the marker of a run that did not end.
    monkeypatch.setenv("NEURAL_SANDBOX_DATA_DIR", str(tmp_path))
    save_session(tmp_path / "autosave.json", window.file_presenter.capture())
    (tmp_path / "running.pid").write_text("999999")
    offered = []
    recovered = make_window(qtbot, preset="xor", seed=5, persistent=True,
                            ask_restore=lambda s: offered.append(s) or True)
    try:
        assert len(offered) == 1
        settle(recovered)
        drawn(qtbot, recovered, lambda s: s.epoch == 3 and s.run == recovered.controller.run)
        np.testing.assert_array_equal(rows(recovered), saved)
        assert "layer 1, layer 2." in recovered.gradient_plot.caption.text()
    finally:
        recovered.close()


def test_a_session_holds_at_most_as_many_gradient_rows_as_the_window_keeps() -> None:
    assert limits.MAX_SESSION_GRADIENTS == MAX_ENTRIES == limits.MAX_SERIES_ENTRIES
