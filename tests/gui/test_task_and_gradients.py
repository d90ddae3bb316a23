"""The task switch keeps the user's points, and the gradient plot never claims a zero nobody measured."""

from __future__ import annotations

import numpy as np
from helpers import make_window, pick, settle
from PySide6.QtCore import Qt

from engine.commands import SetData
from gui.main_window import MainWindow
from gui.worker import TrainingProcess

ZERO = "Exactly zero"


def click_canvas(qtbot, canvas, x, y, button=Qt.MouseButton.LeftButton):
    qtbot.mouseClick(canvas.viewport(), button, Qt.KeyboardModifier.NoModifier, canvas.to_viewport(x, y))


def choose(combo, data) -> None:
    combo.setCurrentIndex(combo.findData(data))


def draw_points(qtbot, win, classes: list[int]) -> np.ndarray:
    win.controls.clear.click()
    for k, label in enumerate(classes):
        win.controls.classes.button(label).click()
        click_canvas(qtbot, win.canvas, -4.0 + 2 * k, 1.0 + k % 2)
    return win.model.points.copy()


def test_switching_the_task_keeps_two_classes_as_values_and_back(qtbot, window):
    points = draw_points(qtbot, window, [0, 0, 1, 1, 0])
    test = window.model.test_mask.copy()
    choose(window.controls.task, True)
    assert window.model.regression and np.array_equal(window.model.points, points)
    assert window.model.labels.tolist() == [-1.0, -1.0, 1.0, 1.0, -1.0]
    assert np.array_equal(window.model.test_mask, test)  # the same split
    assert "Kept your 5 points" in window.statusBar().currentMessage()
    assert settle(window).task == "regression"
    choose(window.controls.task, False)
    assert not window.model.regression and window.model.labels.tolist() == [0.0, 0.0, 1.0, 1.0, 0.0]
    assert np.array_equal(window.model.points, points)


def test_three_classes_switched_to_regression_are_replaced_in_one_undo_step_and_it_says_so(qtbot, window):
    points = draw_points(qtbot, window, [0, 1, 2])
    choose(window.controls.task, True)
    assert window.model.regression and len(window.model) == window.controls.point_count.value()
    message = window.statusBar().currentMessage()
    assert "3 classes" in message and "Undo" in message
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert not window.model.regression and window.controls.task.currentData() is False
    assert np.array_equal(window.model.points, points) and window.model.labels.tolist() == [0.0, 1.0, 2.0]


def caption(win) -> str:
    return win.gradient_plot.caption.text()


def drawn(qtbot, win, condition) -> None:
    """Wait until the window has drawn a snapshot for which ``condition`` holds."""
    qtbot.waitUntil(lambda: win.controller.latest is not None and condition(win.controller.latest)
                    and not win.controller._fresh, timeout=60000)
    qtbot.wait(50)  # one more display frame


def test_switching_to_step_at_epoch_0_the_caption_says_what_the_step_network_gets(qtbot, window):
    drawn(qtbot, window, lambda s: s.n_train > 0)
    assert ZERO not in caption(window)  # tanh: every layer learns
    pick(qtbot, window.controls.activation, "step")
    qtbot.waitUntil(lambda: ZERO in caption(window), timeout=60000)  # re-measured while paused, at epoch 0
    assert "layer 1, layer 2." in caption(window) and "output" not in caption(window)
    snap = settle(window)
    assert snap.epoch == 0 and snap.gradient_norms[:2] == (0.0, 0.0) and snap.gradient_norms[2] > 0
    qtbot.keyClick(window, Qt.Key.Key_S)
    qtbot.waitUntil(lambda: window.notice.kind == "step", timeout=60000)  # the notice and the caption agree
    assert "layers 1 and 2 get exactly zero gradient" in window.notice.text.text()
    assert "layer 1, layer 2." in caption(window)
    pick(qtbot, window.controls.activation, "tanh")  # and back: the claim goes with the step
    qtbot.waitUntil(lambda: ZERO not in caption(window), timeout=60000)


def test_a_trained_network_switched_to_step_gets_zero_in_the_caption_too(qtbot, window):
    for _ in range(20):
        qtbot.keyClick(window, Qt.Key.Key_S)
    trained = settle(window)
    assert trained.epoch == 20 and all(norm > 0 for norm in trained.gradient_norms)
    drawn(qtbot, window, lambda s: s.seq >= trained.seq)
    assert ZERO not in caption(window)
    pick(qtbot, window.controls.activation, "step")
    qtbot.waitUntil(lambda: window.notice.kind == "switched", timeout=60000)
    qtbot.waitUntil(lambda: ZERO in caption(window), timeout=60000)  # paused, still epoch 20
    assert "layer 1, layer 2." in caption(window)
    rows = window.controller.gradients
    assert rows.column(0)[-1] == 20 and rows.column(1)[-1] == 0.0 and (rows.column(1)[:-1] > 0).all()


class SlowPipe:
    """Holds every command from the first data set on, as a slow pipe would, until ``release``."""

    def __init__(self, monkeypatch) -> None:
        self.held: list[tuple[TrainingProcess, int, object]] = []
        original = TrainingProcess.send

        def send(process: TrainingProcess, command) -> int:
            if self.held or isinstance(command, SetData):
                process._seq += 1
                self.held.append((process, process._seq, command))
                return process._seq
            return original(process, command)

        monkeypatch.setattr(TrainingProcess, "send", send)

    def release(self) -> None:
        for process, seq, command in self.held:
            process._commands.send((seq, command))


def test_no_exactly_zero_claim_before_the_points_reach_the_trainer(qtbot, monkeypatch):
    # A slow start: the first snapshot arrives while the points are still on their way, so the
    # trainer reports norms of zero for a network it had nothing to measure on.
    pipe = SlowPipe(monkeypatch)
    win = MainWindow(preset="circle", dialogs=False)
    qtbot.addWidget(win)
    win.show()
    try:
        drawn(qtbot, win, lambda s: s.n_train == 0)
        assert win.controller.latest.epoch == 0 and pipe.held
        qtbot.wait(300)
        assert ZERO not in caption(win)
        assert win.controller.gradients is None or win.controller.gradients.size == 0
        pipe.release()  # the points arrive: now the gradient is measured, and it is not zero
        drawn(qtbot, win, lambda s: s.n_train > 0)
        assert ZERO not in caption(win) and win.controller.gradients.size == 1
    finally:
        win.close()


def test_no_exactly_zero_claim_after_opening_a_session_without_training_points(qtbot, window, tmp_path):
    # A trained network saved after its points were cleared: the opened session's first snapshot
    # (a new run at the saved epoch) has nothing to measure a gradient on.
    for _ in range(5):
        qtbot.keyClick(window, Qt.Key.Key_S)
    settle(window)
    window.controls.clear.click()
    saved = settle(window)
    assert saved.n_train == 0 and saved.epoch == 5
    path = tmp_path / "tanh.json"
    assert window.save_session(str(path))
    other = make_window(qtbot, preset="xor")
    try:
        run = other.controller.latest.run
        other.files.open(str(path))
        drawn(qtbot, other, lambda s: s.run > run and s.epoch == saved.epoch)
        qtbot.wait(300)
        assert ZERO not in caption(other)
        click_canvas(qtbot, other.canvas, 1.0, 1.0)  # a point to measure on: the claim stays true
        for k in range(6):
            click_canvas(qtbot, other.canvas, -3.0 + k, 2.0 - k)
        drawn(qtbot, other, lambda s: s.n_train > 0)
        assert ZERO not in caption(other)
    finally:
        other.close()


def test_no_exactly_zero_claim_for_a_network_with_no_points_to_measure_on(qtbot, window):
    window.controls.clear.click()
    qtbot.keyClick(window, Qt.Key.Key_R)  # fresh weights, and nothing to measure a gradient on
    snap = settle(window)
    assert snap.n_train == 0
    qtbot.wait(500)
    assert "Exactly zero" not in window.gradient_plot.caption.text()


def test_a_single_measurement_is_drawn_as_a_dot_and_a_line_once_there_are_more(qtbot, window):
    drawn(qtbot, window, lambda s: s.n_train > 0)  # epoch 0: one measurement per layer
    curves = window.gradient_plot.curves
    assert len(curves) == 3 and all(curve.opts["symbol"] == "o" for curve in curves)
    assert all(len(curve.getData()[0]) == 1 for curve in curves)
    pick(qtbot, window.controls.activation, "step")  # zero for layers 1 and 2: no dot, the caption says so
    qtbot.waitUntil(lambda: ZERO in caption(window), timeout=60000)
    assert [0 if curve.xData is None else len(curve.xData) for curve in curves] == [0, 0, 1]
    pick(qtbot, window.controls.activation, "tanh")
    for _ in range(3):
        qtbot.keyClick(window, Qt.Key.Key_S)
    snap = settle(window)
    drawn(qtbot, window, lambda s: s.seq >= snap.seq)
    assert all(curve.opts["symbol"] is None and len(curve.getData()[0]) >= 2 for curve in curves)
