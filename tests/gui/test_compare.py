"""Compare mode: two live runs on one set of points, epoch-aligned, B with its own difference."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from helpers import make_window
from PIL import Image
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QComboBox, QPushButton

from engine.errors import EngineError
from gui.compare_model import derive, differences_text, parse_difference
from gui.config_model import Configuration


def choose(qtbot, combo: QComboBox, text: str) -> None:
    """Pick ``text`` from a combo box's list by clicking it, as a user does."""
    index = combo.findText(text)
    assert index >= 0, f"{text!r} is not in the list"
    combo.showPopup()
    view = combo.view()
    qtbot.waitUntil(view.isVisible)
    view.scrollTo(view.model().index(index, 0))
    rect = view.visualRect(view.model().index(index, 0))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(lambda: not view.isVisible())


@pytest.fixture
def compare(qtbot):
    """A window in compare mode (entered by its shortcut), B differing in the learning rate (0.3)."""
    win = make_window(qtbot, preset="circle", seed=0)
    qtbot.keyClick(win, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)  # View -> Compare two runs
    presenter = win.compare
    assert presenter.active and presenter.panel is not None and presenter.panel.isVisible()
    panel = presenter.panel
    assert panel.kind.currentText() == "activation" and panel.value.currentText() == "step"  # B starts as step
    choose(qtbot, panel.value, "same as A")  # no longer: B's one difference is to be its learning rate
    choose(qtbot, panel.kind, "learning rate")
    choose(qtbot, panel.value, "learning rate 0.3")
    b = presenter.b
    assert b is not None
    qtbot.waitUntil(lambda: b.latest is not None and b.latest.n_train > 0 and b.latest.settings.learning_rate == 0.3,
                    timeout=20000)
    yield win
    win.close()


def test_the_difference_reaches_b_only_and_names_both_runs(compare):
    presenter = compare.compare
    a, b = compare.controller, presenter.b
    assert a.wait_until(lambda s: s.settings.learning_rate == 0.03, 20)
    assert b.latest.settings.learning_rate == 0.3
    assert compare.config().settings.learning_rate == 0.03  # the window's controls still show A
    assert presenter.panel.titles["B"].text() == "B: learning rate 0.3"
    assert presenter.panel.titles["A"].text() == "A: learning rate 0.03"
    assert "learning rate 0.3" in presenter.panel.legend.text()


def test_both_runs_train_and_b_never_runs_ahead_of_a(compare, qtbot):
    presenter = compare.compare
    a, b = compare.controller, presenter.b
    seen = {"A": 0, "ahead": 0}

    def on_a(snap) -> None:
        seen["A"] = max(seen["A"], snap.epoch)

    def on_b(snap) -> None:
        if snap.seq >= presenter._reset_seq["B"] and snap.epoch > seen["A"]:
            seen["ahead"] += 1

    a.snapshot_arrived.connect(on_a)
    b.snapshot_arrived.connect(on_b)
    compare.controls.play.click()
    qtbot.waitUntil(lambda: b.latest.epoch >= 300 and a.latest.epoch >= 300, timeout=60000)
    compare.controls.play.click()  # Pause acts on both: B stops where A stopped
    qtbot.waitUntil(lambda: not a.latest.playing and b.latest.epoch == a.latest.epoch, timeout=20000)
    assert seen["ahead"] == 0
    assert b.latest.train_loss != a.latest.train_loss  # two different runs, not one run drawn twice
    stopped = a.latest.epoch
    compare.controls.step.click()  # Step acts on both
    qtbot.waitUntil(lambda: a.latest.epoch == stopped + 1 and b.latest.epoch == stopped + 1, timeout=20000)
    panel = presenter.panel
    qtbot.waitUntil(lambda: panel.figures["B"].text().startswith(f"epoch {stopped + 1:,}"), timeout=5000)
    assert panel.figures["A"].text().startswith(f"epoch {stopped + 1:,}")
    assert len(panel.curves["A"].getData()[0]) > 0 and len(panel.curves["B"].getData()[0]) > 0


def test_reset_acts_on_both_and_they_start_from_the_same_weights(compare, qtbot):
    a, b = compare.controller, compare.compare.b
    compare.controls.step.click()
    qtbot.waitUntil(lambda: b.latest.epoch >= 1, timeout=20000)
    compare.controls.reset.click()
    qtbot.waitUntil(lambda: a.latest.epoch == 0 and b.latest.epoch == 0
                    and b.latest.seq >= compare.compare._reset_seq["B"]
                    and a.latest.seq >= compare.compare._reset_seq["A"], timeout=20000)
    for wa, wb in zip(a.latest.weights, b.latest.weights, strict=True):
        assert np.array_equal(wa, wb)  # one seed for both: only the learning rate differs


def test_a_point_drawn_on_a_compare_map_reaches_both_trainers(compare, qtbot):
    a, b = compare.controller, compare.compare.b
    before_a = a.latest.n_train + a.latest.n_test
    before_b = b.latest.n_train + b.latest.n_test
    canvas = compare.compare.panel.canvases["B"]
    qtbot.mouseClick(canvas.viewport(), Qt.MouseButton.LeftButton, pos=canvas.to_viewport(5.0, 5.0))
    assert len(compare.model) == before_a + 1
    qtbot.waitUntil(lambda: a.latest.n_train + a.latest.n_test == before_a + 1
                    and b.latest.n_train + b.latest.n_test == before_b + 1, timeout=20000)


def test_leaving_keeps_b_as_one_undo_step(compare, qtbot):
    a, b = compare.controller, compare.compare.b
    compare.controls.step.click()
    compare.controls.step.click()
    qtbot.waitUntil(lambda: b.latest.epoch == 2, timeout=20000)
    b_weights = [np.array(w) for w in b.latest.weights]
    qtbot.waitUntil(lambda: b.gradients is not None and b.gradients.column(0)[-1] == 2, timeout=20000)
    b_flow = np.array([b.gradients.column(c) for c in range(b.gradients.columns)])  # epoch, then a norm per layer
    process = b.process
    compare.compare.panel.findChild(QPushButton, "compare-keep-b").click()
    assert not compare.compare.active and compare.middle.isVisible()
    assert compare.config().settings.learning_rate == 0.3
    assert compare.controls.learning_rate.currentData() == 0.3
    qtbot.waitUntil(lambda: a.latest.settings.learning_rate == 0.3 and a.latest.epoch == 2, timeout=20000)
    for wa, wb in zip(a.latest.weights, b_weights, strict=True):
        assert np.array_equal(wa, wb)  # B's network goes on in the window
    qtbot.waitUntil(lambda: a.gradients is not None and a.gradients.size >= b_flow.shape[1], timeout=20000)
    kept = np.array([a.gradients.column(c) for c in range(a.gradients.columns)])
    np.testing.assert_array_equal(kept[:, :b_flow.shape[1]], b_flow)  # and its gradient flow, as its loss curves
    qtbot.waitUntil(lambda: not process.is_alive(), timeout=10000)
    assert compare.undo_stack.undoText() == "Keep run B"
    compare.undo_stack.undo()
    assert compare.config().settings.learning_rate == 0.03


def test_leaving_keeps_a_and_stops_b(compare, qtbot):
    process = compare.compare.b.process
    before = compare.config()
    steps = compare.undo_stack.count()
    compare.compare.action.trigger()  # View -> Compare off: keep A
    assert not compare.compare.active and compare.middle.isVisible()
    assert compare.config() == before and compare.undo_stack.count() == steps
    qtbot.waitUntil(lambda: not process.is_alive(), timeout=10000)
    compare.controls.step.click()  # A trains on its own again: no hold is left behind
    qtbot.waitUntil(lambda: compare.controller.latest.epoch >= 1, timeout=20000)
    compare.controls.play.click()
    qtbot.waitUntil(lambda: compare.controller.latest.epoch >= 100, timeout=20000)


def test_opening_a_session_ends_compare_mode_with_the_sessions_network(compare, qtbot, tmp_path: Path):
    a = compare.controller
    compare.controls.step.click()
    qtbot.waitUntil(lambda: a.latest.epoch == 1 and compare.compare.b.latest.epoch == 1, timeout=20000)
    saved = tmp_path / "one.json"
    assert compare.save_session(str(saved))
    compare.controls.step.click()
    qtbot.waitUntil(lambda: a.latest.epoch == 2, timeout=20000)
    compare.file_presenter.open(str(saved))
    qtbot.waitUntil(lambda: not compare.compare.active, timeout=20000)
    assert "Compare mode ended" in compare.statusBar().currentMessage()
    qtbot.waitUntil(lambda: a.latest.epoch == 1, timeout=20000)  # the session's weights, not a reset's
    compare.controls.step.click()
    qtbot.waitUntil(lambda: a.latest.epoch == 2, timeout=20000)


def test_a_new_shape_for_b_starts_both_over_and_a_bad_one_is_refused(compare, qtbot):
    presenter = compare.compare
    a, b = compare.controller, presenter.b
    compare.controls.play.click()
    qtbot.waitUntil(lambda: b.latest.epoch >= 50, timeout=30000)
    choose(qtbot, presenter.panel.kind, "layers")
    choose(qtbot, presenter.panel.value, "layers 8,8,8")
    qtbot.waitUntil(lambda: b.latest.layer_sizes == (2, 8, 8, 8, 1), timeout=20000)
    assert a.latest.layer_sizes == (2, 4, 2, 1)
    compare.controls.play.click()
    qtbot.waitUntil(lambda: not a.latest.playing and b.latest.epoch == a.latest.epoch, timeout=20000)
    assert presenter.panel.titles["B"].text() == "B: learning rate 0.3, layers 8,8,8"
    value = presenter.panel.value
    value.lineEdit().setText("4,99")
    qtbot.keyClick(value.lineEdit(), Qt.Key.Key_Return)
    assert "1 to 16 neurons" in compare.statusBar().currentMessage()
    assert presenter.config_b().architecture.hidden == (8, 8, 8)


def test_export_in_compare_mode_writes_both_runs_side_by_side(compare, qtbot, tmp_path: Path):
    exports = compare.file_presenter.exports
    out = tmp_path / "both.gif"
    with qtbot.waitSignal(exports.animation_finished, timeout=60000) as finished:
        assert exports.export_animation(str(out), epochs=40, frames=6, size=100)
    assert finished.args == [""]
    with Image.open(out) as image:
        assert image.n_frames == 6
        width, height = image.size
    assert width > 200 and 100 < height < 160  # two 100-pixel maps side by side, under their titles


def test_differences_are_read_and_described_in_words():
    assert parse_difference("learning_rate=3") == ("learning_rate", 3.0)
    assert parse_difference("layers=8,8") == ("layers", (8, 8))
    assert parse_difference("regularization=l2:0.01") == ("regularization", ("l2", 0.01))
    for bad in ("speed=3", "activation=swish", "layers=4,99", "learning_rate=-1", "nothing"):
        with pytest.raises(EngineError, match="difference"):
            parse_difference(bad)
    a = Configuration()
    b = derive(a, {"layers": (8, 8, 8), "activation": "relu"})
    assert b.architecture.hidden == (8, 8, 8) and b.architecture.activations == ("relu",) * 3
    assert differences_text(a, {"learning_rate": 0.03}) == "same as A"


def test_compare_screen_fits_1366x768(compare):
    panel = compare.compare.panel
    for run in "AB":
        canvas = panel.canvases[run]
        assert canvas.isVisible() and canvas.width() >= 250
    a, b = panel.canvases["A"].size(), panel.canvases["B"].size()
    assert abs(a.width() - b.width()) <= 1 and a.width() == a.height() and b.width() == b.height()  # an odd pixel
    right = panel.mapTo(compare, QPoint(panel.width(), 0)).x()
    assert right <= compare.width()


@pytest.mark.parametrize(("argv", "message"), [
    (["--compare", "--difference", "speed=3"], "difference: KIND=VALUE with KIND one of activation"),
    (["--compare", "--difference", "layers=4,99"], "1 to 16 neurons"),
    (["--difference", "activation=relu"], "difference: only with --compare"),
])
def test_a_bad_difference_on_the_command_line_is_one_clear_line(argv, message, capsys):
    from gui.app import main

    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


@pytest.mark.slow
def test_compare_screenshot_shows_both_runs_trained(tmp_path):
    import os
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[2]
    out = tmp_path / "compare.png"
    env = {**os.environ, "QT_QPA_PLATFORM": f"offscreen:configfile={root / 'tests' / 'offscreen-screen.json'}"}
    result = subprocess.run([sys.executable, "main.py", "--screenshot", str(out), "--compare", "--difference",
                             "learning_rate=0.3", "--epochs", "40"], cwd=root, env=env, capture_output=True,
                            text=True, timeout=180)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    with Image.open(out) as image:
        assert image.width >= 1300 and image.height >= 700  # the 1366x768 screen, less the window's frame


def test_a_b_that_diverges_pauses_alone_and_play_starts_it_again(compare, qtbot):
    presenter = compare.compare
    a, b = compare.controller, presenter.b
    choose(qtbot, compare.controls.task, "Regression")  # both runs: a new task starts both over
    choose(qtbot, presenter.panel.value, "learning rate 10")
    choose(qtbot, presenter.panel.kind, "activation")
    choose(qtbot, presenter.panel.value, "linear")  # a linear network at rate 10 blows up within epochs
    qtbot.waitUntil(lambda: b.latest.settings.learning_rate == 10.0 and b.latest.activations[0] == "linear"
                    and b.latest.task == "regression" and a.latest.task == "regression", timeout=20000)
    compare.controls.play.click()
    qtbot.waitUntil(lambda: b.latest.diverged, timeout=30000)
    diverged_at = b.latest.epoch
    qtbot.waitUntil(lambda: a.latest.epoch >= diverged_at + 200, timeout=30000)  # A is not held by a stopped B
    assert "diverged" in presenter.panel.figures["B"].text()
    compare.controls.play.click()  # pause
    qtbot.waitUntil(lambda: not a.latest.playing, timeout=20000)
    sent = presenter._b_play_seq
    compare.controls.play.click()  # Play acts on both: B tries again from its last finite weights (and blows up)
    qtbot.waitUntil(lambda: presenter._b_play_seq > sent and b.latest.seq >= presenter._b_play_seq, timeout=20000)


def test_keeping_a_b_of_another_shape_continues_from_bs_weights(compare, qtbot):
    presenter = compare.compare
    a, b = compare.controller, presenter.b
    choose(qtbot, presenter.panel.kind, "layers")
    choose(qtbot, presenter.panel.value, "layers 8,8")
    qtbot.waitUntil(lambda: b.latest.layer_sizes == (2, 8, 8, 1), timeout=20000)
    for _ in range(3):
        compare.controls.step.click()
    qtbot.waitUntil(lambda: b.latest.epoch == 3 and b.latest.layer_sizes == (2, 8, 8, 1), timeout=20000)
    b_weights = [np.array(w) for w in b.latest.weights]
    presenter.keep_b_action.trigger()  # View -> Leave compare, keep run B
    assert compare.config().architecture.hidden == (8, 8) and compare.config().settings.learning_rate == 0.3
    qtbot.waitUntil(lambda: a.latest.layer_sizes == (2, 8, 8, 1) and a.latest.epoch == 3, timeout=20000)
    for wa, wb in zip(a.latest.weights, b_weights, strict=True):
        assert np.array_equal(wa, wb)
    assert compare.network.isVisible()  # the network view is back, showing B's shape
