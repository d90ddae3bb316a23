"""The task switch keeps the user's points, and the gradient plot never claims a zero nobody measured."""

from __future__ import annotations

import numpy as np
from helpers import make_window, settle
from PySide6.QtCore import Qt


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


def test_no_exactly_zero_claim_before_a_gradient_was_measured(qtbot, window):
    # A fresh tanh network: its first snapshot came before the points did.
    qtbot.wait(500)
    assert "Exactly zero" not in window.gradient_plot.caption.text()
    rows = window.controller.gradients
    assert rows is None or all((rows.column(k) > 0).all() for k in range(1, rows.columns))


def test_no_exactly_zero_claim_after_opening_a_session(qtbot, window, tmp_path):
    for _ in range(5):
        qtbot.keyClick(window, Qt.Key.Key_S)
    saved = settle(window)
    path = tmp_path / "tanh.json"
    assert window.save_session(str(path))
    other = make_window(qtbot, preset="xor")
    other.files.open(str(path))
    assert other.controller.wait_until(lambda s: s.epoch == saved.epoch and s.n_train > 0, timeout=60)
    qtbot.wait(500)
    assert "Exactly zero" not in other.gradient_plot.caption.text()
    other.close()


def test_no_exactly_zero_claim_for_a_network_with_no_points_to_measure_on(qtbot, window):
    window.controls.clear.click()
    qtbot.keyClick(window, Qt.Key.Key_R)  # fresh weights, and nothing to measure a gradient on
    snap = settle(window)
    assert snap.n_train == 0
    qtbot.wait(500)
    assert "Exactly zero" not in window.gradient_plot.caption.text()
