"""Backprop made visible: the step notice, the inspector, the probe, weight edits, the gradient check."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import settle
from PySide6.QtCore import Qt

from engine.features import transform
from gui.main_window import MainWindow
from gui.widgets.inspector import network_from


def train(win, epochs):
    win.controller.step(epochs)
    snap = settle(win)
    assert snap.epoch >= epochs
    return snap


def test_step_notice_appears_for_a_step_network_and_not_for_tanh(qtbot, window):
    train(window, 20)
    qtbot.wait(60)
    assert not window.notice.isVisible()
    window.controls.activation.setCurrentIndex(window.controls.activation.findData("step"))
    train(window, 5)
    # Trained, then switched: the weights are kept, and the notice says what that means.
    qtbot.waitUntil(lambda: window.notice.isVisible(), timeout=60000)
    assert window.notice.kind == "switched" and "the weights are kept" in window.notice.text.text()
    window.notice.restart.click()  # "Start over with step": fresh weights
    assert window.controller.wait_until(lambda s: s.epoch == 0, timeout=60)
    train(window, 5)
    qtbot.waitUntil(lambda: window.notice.kind == "step", timeout=60000)
    assert "flat" in window.notice.text.text()
    # One way on: switch to sigmoid, keeping the weights; the notice goes away.
    window.notice.to_sigmoid.click()
    snap = train(window, 3)
    assert snap.activations == ("sigmoid", "sigmoid")
    qtbot.waitUntil(lambda: not window.notice.isVisible(), timeout=60000)


def test_surrogate_button_lets_a_step_network_train_its_hidden_layers(qtbot, window):
    window.controls.activation.setCurrentIndex(window.controls.activation.findData("step"))
    before = train(window, 5)
    qtbot.waitUntil(lambda: window.notice.isVisible(), timeout=60000)
    window.notice.surrogate.click()
    after = train(window, 20)
    assert after.step_surrogate
    assert after.gradient_norms[0] > 0
    assert not np.array_equal(before.weights[0], after.weights[0])


def test_clicking_a_neuron_opens_the_inspector_with_the_engines_numbers(qtbot, window):
    snap = train(window, 10)
    view = window.network
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=view.neuron_center(1, 1))
    assert window.inspector_dock.isVisible()
    # Ctrl+click chooses the point the numbers are for.
    target = window.model.points[5]
    canvas = window.canvas
    qtbot.mouseClick(canvas.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ControlModifier,
                     canvas.to_viewport(*target))
    assert window.inspector.point == pytest.approx(tuple(target))
    report = window.inspector.report
    net = network_from(snap)
    x = transform(np.array([target]), list(snap.features))
    dW, db = net.gradients(x, np.array([int(window.model.labels[5])]))
    assert (report.layer, report.neuron) == (1, 1)
    assert report.bias_gradient == pytest.approx(db[0][1], rel=1e-9, abs=1e-15)
    np.testing.assert_allclose(report.weight_gradients, dW[0][:, 1], rtol=1e-9, atol=1e-15)
    assert "δ" in window.inspector.text.toPlainText()


def test_hovering_the_canvas_lights_the_network_with_that_points_activations(qtbot, window):
    snap = train(window, 10)
    canvas = window.canvas
    qtbot.mouseMove(canvas.viewport(), canvas.to_viewport(-1.0, 1.0))  # a move from elsewhere, whatever came before
    qtbot.mouseMove(canvas.viewport(), canvas.to_viewport(1.5, -2.0))
    probe = window.network.canvas.probe
    assert probe is not None
    x, y = window.backprop.probe_point
    expected = network_from(snap).activations(transform(np.array([[x, y]]), list(snap.features)))
    values = [v for _, v in probe]
    np.testing.assert_allclose(values, np.concatenate([a[0] for a in expected]), atol=1e-12)
    assert abs(x - 1.5) < 0.1 and abs(y + 2.0) < 0.1
    canvas.hovered.emit(None)
    assert window.network.canvas.probe is None


def test_an_edited_weight_is_where_the_next_epoch_starts(qtbot, window, monkeypatch):
    from PySide6.QtWidgets import QInputDialog

    window.controls.learning_rate.setCurrentIndex(window.controls.learning_rate.findData(0.00001))
    train(window, 2)
    monkeypatch.setattr(QInputDialog, "getDouble", staticmethod(lambda *a, **k: (1.2345, True)))
    view = window.network
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=view.link_point(2, 3, 1))
    edited = settle(window)
    assert edited.weights[1][3, 1] == 1.2345
    stepped = train(window, edited.epoch + 1)
    assert stepped.weights[1][3, 1] != 1.2345
    assert abs(stepped.weights[1][3, 1] - 1.2345) < 1e-3  # a tiny step from the edited value


def test_editing_the_output_bias_in_the_inspector(qtbot, window):
    train(window, 2)
    view = window.network
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=view.neuron_center(3, 0))
    window.inspector.bias.setValue(-0.75)
    window.inspector.apply.click()
    snap = settle(window)
    assert snap.biases[2][0] == -0.75


def test_gradient_check_button_reports_a_tiny_error_for_tanh(qtbot, window):
    train(window, 5)
    with qtbot.waitSignal(window.controller.gradient_checked, timeout=60000) as blocker:
        window.controls.check.click()
    check = blocker.args[0]
    assert check.worst_error < 1e-6
    assert "agrees" in window.controls.check_result.text()


def test_gradient_flow_plot_draws_one_curve_per_layer(qtbot, window):
    snap = train(window, 30)

    def drawn() -> bool:
        if not window.gradient_plot.curves:  # the plots redraw at most 10 times a second: not yet
            return False
        x = window.gradient_plot.curves[0].getData()[0]
        return x is not None and len(x) > 0 and x[-1] == 30

    qtbot.waitUntil(drawn, timeout=60000)
    curves = window.gradient_plot.curves
    assert len(curves) == len(snap.layer_sizes) - 1
    x, y = curves[0].getData()
    assert x[-1] == 30 and np.all(np.diff(x) > 0)
    net = network_from(snap)
    X = transform(window.model.points[~window.model.test_mask], list(snap.features))
    dW, _ = net.gradients(X, window.model.labels[~window.model.test_mask].astype(int))
    assert 10 ** y[-1] == pytest.approx(np.linalg.norm(dW[0]), rel=1e-9)  # the plot holds log10 values


def test_guide_sets_up_the_vanishing_gradient_experiment(qtbot, window):
    window.show_guide()
    assert window.guide.isVisible()
    window.guide.buttons[1].click()
    snap = settle(window)
    assert snap.activations == ("sigmoid",) * 6
    assert snap.settings.learning_rate == 0.03
    window.guide.close()


def test_divergence_pauses_with_a_notice_and_a_lower_rate_recovers(qtbot):
    win = MainWindow(preset="plane", seed=0)
    qtbot.addWidget(win)
    win.show()
    assert win.controller.wait_until(lambda s: s.n_train > 0 and s.task == "regression")
    c = win.controls
    c.activation.setCurrentIndex(c.activation.findData("linear"))
    c.learning_rate.setCurrentIndex(c.learning_rate.findData(10.0))
    c.play.click()
    assert win.controller.wait_until(lambda s: s.diverged, timeout=60)
    qtbot.waitUntil(lambda: win.notice.isVisible() and win.notice.kind == "diverged", timeout=60000)
    qtbot.waitUntil(lambda: not c.play.isChecked(), timeout=60000)
    assert "learning rate" in win.notice.text.text()
    assert all(np.all(np.isfinite(w)) for w in win.controller.latest.weights)
    c.learning_rate.setCurrentIndex(c.learning_rate.findData(0.001))
    c.reset.click()
    c.play.click()
    epoch = win.controller.latest.epoch
    assert win.controller.wait_until(lambda s: s.playing and not s.diverged and s.epoch > epoch + 20, timeout=60)
    qtbot.waitUntil(lambda: not win.notice.isVisible(), timeout=60000)
    win.close()


def test_the_pick_tool_chooses_the_inspected_point_without_adding_one(qtbot, window):
    train(window, 3)
    view = window.network
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=view.neuron_center(2, 0))
    window.controls.tools.button(3).click()  # Pick
    target = window.model.points[42]
    before = len(window.model)
    canvas = window.canvas
    qtbot.mouseClick(canvas.viewport(), Qt.MouseButton.LeftButton, pos=canvas.to_viewport(*target))
    assert len(window.model) == before
    assert window.inspector.point == pytest.approx(tuple(target))
    assert "class" in window.inspector.text.toPlainText()
