"""The main window, driven as a user would: clicks on the canvas, buttons, combo boxes."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import settle
from PySide6.QtCore import Qt

from gui.main_window import MainWindow


def click_canvas(qtbot, canvas, x, y, button=Qt.MouseButton.LeftButton, modifier=Qt.KeyboardModifier.NoModifier):
    qtbot.mouseClick(canvas.viewport(), button, modifier, canvas.to_viewport(x, y))


def test_clicks_add_points_of_the_chosen_class_where_clicked(qtbot, window):
    window.controls.clear.click()
    assert len(window.model) == 0
    click_canvas(qtbot, window.canvas, 2.0, 3.0)
    click_canvas(qtbot, window.canvas, -4.0, -1.0, Qt.MouseButton.RightButton)
    assert len(window.model) == 2
    np.testing.assert_allclose(window.model.points, [[2.0, 3.0], [-4.0, -1.0]], atol=0.1)
    assert window.model.labels.tolist() == [0.0, 1.0]
    # Pick class 3 with its button: the task becomes multiclass with three outputs.
    window.controls.classes.button(2).click()
    click_canvas(qtbot, window.canvas, 0.0, 0.0)
    assert window.model.labels[-1] == 2.0
    snap = settle(window)
    assert snap.task == "multiclass" and snap.layer_sizes[-1] == 3
    assert snap.n_train + snap.n_test == 3
    assert window.canvas.visible_point_count() == 3


def test_shift_click_deletes_the_nearest_point_and_undo_restores_it(qtbot, window):
    before = len(window.model)
    target = window.model.points[0]
    click_canvas(qtbot, window.canvas, target[0] + 0.01, target[1], modifier=Qt.KeyboardModifier.ShiftModifier)
    assert len(window.model) == before - 1
    assert not np.any(np.all(window.model.points == target, axis=1))
    window.undo_action.trigger()
    assert len(window.model) == before


def test_brush_stroke_sprays_points_and_eraser_removes_them(qtbot, window):
    window.controls.clear.click()
    window.controls.tools.button(1).click()  # brush
    canvas = window.canvas
    qtbot.mousePress(canvas.viewport(), Qt.MouseButton.LeftButton, pos=canvas.to_viewport(0, 0))
    for x in np.linspace(0, 3, 10):
        qtbot.mouseMove(canvas.viewport(), canvas.to_viewport(x, 0))
    qtbot.mouseRelease(canvas.viewport(), Qt.MouseButton.LeftButton, pos=canvas.to_viewport(3, 0))
    sprayed = len(window.model)
    assert sprayed >= 10
    assert np.all(np.abs(window.model.points[:, 1]) < 2.0)
    window.undo_action.trigger()  # one stroke is one undo step
    assert len(window.model) == 0
    window.redo_action.trigger()
    assert len(window.model) == sprayed
    window.controls.tools.button(2).click()  # eraser
    qtbot.mousePress(canvas.viewport(), Qt.MouseButton.LeftButton, pos=canvas.to_viewport(0, 0))
    for x in np.linspace(0, 3, 30):
        qtbot.mouseMove(canvas.viewport(), canvas.to_viewport(x, 0))
    qtbot.mouseRelease(canvas.viewport(), Qt.MouseButton.LeftButton, pos=canvas.to_viewport(3, 0))
    assert len(window.model) < sprayed


def test_play_trains_xor_and_lowers_the_loss(qtbot, window):
    window.controls.preset.setCurrentIndex(window.controls.preset.findData("xor"))
    first = settle(window)
    assert first.epoch == 0
    start_loss = first.train_loss
    window.controls.play.click()
    assert window.controller.wait_until(lambda s: s.epoch >= 300, timeout=60)
    window.controls.play.click()
    snap = settle(window)
    assert not snap.playing
    assert snap.train_loss < 0.5 * start_loss
    assert len(window.controller.losses.column(0)) == snap.epoch
    qtbot.waitUntil(lambda: window.controls.epoch.text() == f"Epoch {snap.epoch:,}", timeout=60000)


def test_step_network_on_circle_freezes_hidden_weights_and_maps(qtbot, window):
    window.controls.activation.setCurrentIndex(window.controls.activation.findData("step"))
    window.controls.step.click()
    before = settle(window)
    assert before.activations == ("step", "step")
    window.controls.play.click()
    assert window.controller.wait_until(lambda s: s.epoch >= before.epoch + 200, timeout=60)
    window.controls.play.click()
    after = settle(window)
    for layer in range(2):  # both hidden layers
        assert np.array_equal(before.weights[layer], after.weights[layer])
        assert np.array_equal(before.biases[layer], after.biases[layer])
        assert np.array_equal(before.neuron_levels[layer], after.neuron_levels[layer])
    assert not np.array_equal(before.weights[2], after.weights[2])  # the output layer still moves
    assert after.gradient_norms[0] == 0.0 and after.gradient_norms[1] == 0.0
    assert after.train_loss > 0.4


def test_switching_tanh_to_step_keeps_the_weights(qtbot, window):
    window.controls.step.click()
    trained = settle(window)
    window.controls.activation.setCurrentIndex(window.controls.activation.findData("step"))
    switched = settle(window)
    assert switched.activations == ("step", "step")
    assert switched.epoch == trained.epoch
    for w0, w1 in zip(trained.weights, switched.weights):
        assert np.array_equal(w0, w1)


def test_parameter_changes_reach_the_trainer_in_order(qtbot, window):
    ctl = window.controller
    window.controls.play.click()
    for rate in (0.1, 0.3, 0.001, 1.0):
        window.configuration.update_settings(learning_rate=rate)
    ctl.reset()
    window.configuration.update_settings(learning_rate=0.003, optimizer="adam", batch_size=7)
    window.configuration.update_settings(regularization="l2", reg_rate=0.01)
    snap = settle(window)
    assert snap.settings.learning_rate == 0.003
    assert snap.settings.optimizer == "adam"
    assert snap.settings.batch_size == 7
    assert snap.settings.regularization == "l2" and snap.settings.reg_rate == 0.01
    assert not snap.playing  # reset pauses
    assert snap.message == ""


def test_learning_rate_change_while_training_keeps_the_weights(qtbot, window):
    window.controls.step.click()
    trained = settle(window)
    window.controls.learning_rate.setCurrentIndex(window.controls.learning_rate.findData(0.3))
    changed = settle(window)
    assert changed.settings.learning_rate == 0.3
    assert changed.epoch == trained.epoch
    assert np.array_equal(trained.weights[0], changed.weights[0])


def test_adding_points_while_training_takes_effect_without_stopping(qtbot, window):
    window.controls.play.click()
    assert window.controller.wait_until(lambda s: s.playing and s.epoch > 5)
    n_before = window.controller.latest.n_train + window.controller.latest.n_test
    for x in np.linspace(-5, 5, 8):
        click_canvas(qtbot, window.canvas, x, 5.5)
    snap = settle(window)
    assert snap.playing
    assert snap.n_train + snap.n_test == n_before + 8


def test_points_outside_the_default_square_widen_the_view(qtbot, window):
    window.model.add([[15.0, -9.0]], [1.0])
    snap = settle(window)
    assert snap.bounds[1] >= 15.0 and snap.bounds[0] <= -15.0
    x_range, y_range = window.canvas.getPlotItem().getViewBox().viewRange()
    assert x_range[1] >= 15.0 and y_range[0] <= -9.0


def test_regression_task_uses_values_and_the_wheel_sets_them(qtbot, window):
    window.controls.task.setCurrentIndex(1)
    snap = settle(window)
    assert snap.task == "regression"
    assert window.model.regression
    assert window.controls.preset.currentData() in ("plane", "multigauss")
    window.controls.value.setValue(-40)
    click_canvas(qtbot, window.canvas, 1.0, 1.0)
    assert window.model.labels[-1] == pytest.approx(-0.4)
    qtbot.wait(10)
    from PySide6.QtCore import QPoint, QPointF
    from PySide6.QtGui import QWheelEvent

    pos = QPointF(window.canvas.to_viewport(0, 0))
    wheel = QWheelEvent(pos, pos, QPoint(0, 0), QPoint(0, 120), Qt.MouseButton.NoButton,
                        Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
    window.canvas.wheelEvent(wheel)
    assert window.controls.value.value() == -30


def test_closing_the_window_stops_the_trainer(qtbot, qtlog, capfd):
    win = MainWindow(preset="xor")
    qtbot.addWidget(win)
    win.show()
    win.controls.play.click()
    assert win.controller.wait_until(lambda s: s.epoch > 10)
    process = win.controller.process
    win.close()
    assert not process.is_alive()
    assert not process._receiver.isRunning()
    warnings = [r.message for r in qtlog.records if r.type.name != "QtDebugMsg"]
    assert [w for w in warnings if "This plugin does not support" not in w] == []
    assert "QThread" not in capfd.readouterr().err


def test_layer_and_neuron_buttons_rebuild_the_view_and_the_network(qtbot, window):
    view = window.network
    view.layers_plus.click()
    snap = settle(window)
    assert snap.layer_sizes == (2, 4, 2, 2, 1)
    view.layer_header(1).plus.click()
    view.layer_header(1).plus.click()
    snap = settle(window)
    assert snap.layer_sizes == (2, 6, 2, 2, 1)
    view.layers_minus.click()
    view.layers_minus.click()
    snap = settle(window)
    assert snap.layer_sizes == (2, 6, 1)
    # the next frame shows the new network's maps
    qtbot.waitUntil(lambda: view.layer_header(1).count.text().startswith("6"), timeout=60000)
    view.layers_minus.click()
    snap = settle(window)
    assert snap.layer_sizes == (2, 1)  # no hidden layer: logistic regression


def test_clicking_an_input_feature_toggles_it_in_the_network(qtbot, window):
    view = window.network
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=view.feature_center("x1sq"))
    snap = settle(window)
    assert snap.features == ("x1", "x2", "x1sq") and snap.layer_sizes[0] == 3
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=view.feature_center("x1"))
    snap = settle(window)
    assert snap.features == ("x2", "x1sq")


def test_a_layers_own_activation_comes_from_its_header(qtbot, window):
    combo = window.network.layer_header(2).combo
    combo.setCurrentIndex(combo.findData("relu"))
    snap = settle(window)
    assert snap.activations == ("tanh", "relu")


def test_hovering_a_neuron_shows_its_map_on_the_canvas(qtbot, window):
    view = window.network
    qtbot.mouseMove(view.viewport(), view.neuron_center(1, 2))
    snap = settle(window)
    assert snap.focus == (1, 2)
    qtbot.waitUntil(lambda: np.array_equal(window.canvas.decision.image, snap.decision_rgb), timeout=60000)
    qtbot.mouseMove(view.viewport(), view.feature_center("x1"))
    assert settle(window).focus is None


def test_the_canvas_always_draws_exactly_the_models_points(qtbot, window):
    def drawn():
        coords = [np.column_stack(item.getData()) for item in window.canvas._scatters.values() if len(item.data)]
        return np.unique(np.concatenate(coords), axis=0) if coords else np.zeros((0, 2))

    rng = np.random.default_rng(3)
    for step in range(12):
        if step % 4 == 3:
            window.model.delete(rng.choice(len(window.model), 5, replace=False))
        elif step % 4 == 2:
            window.controls.ratio.setValue(int(rng.integers(10, 90)))
        else:
            window.model.add(rng.uniform(-6, 6, (3, 2)), rng.integers(0, 3, 3).astype(float))
        assert window.canvas.visible_point_count() == len(window.model)
        np.testing.assert_array_equal(drawn(), np.unique(window.model.points, axis=0))
    window.controls.show_test.setChecked(False)
    assert window.canvas.visible_point_count() == int((~window.model.test_mask).sum())


def test_switching_off_the_last_input_feature_is_refused_with_a_message(qtbot, window):
    view = window.network
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=view.feature_center("x1"))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=view.feature_center("x2"))
    assert window.config().architecture.features == ("x2",)
    assert "At least one input feature" in window.statusBar().currentMessage()
    assert settle(window).features == ("x2",)


def test_closing_while_a_file_loads_drops_it_and_stops_the_trainer(qtbot, tmp_path, monkeypatch):
    import threading

    import gui.files

    path = tmp_path / "big.csv"
    path.write_text("x,y,label\n1,2,0\n")
    reading = threading.Event()
    real_read = gui.files.read_csv

    def slow_read(*args, **kwargs):  # a slow disk: the read is still going when the window closes
        reading.set()
        threading.Event().wait(0.5)
        return real_read(*args, **kwargs)

    monkeypatch.setattr(gui.files, "read_csv", slow_read)
    win = MainWindow(preset="xor", dialogs=False)
    qtbot.addWidget(win)
    win.show()
    win.controls.play.click()
    points = win.model.points.copy()
    win.files.open(str(path))
    assert reading.wait(timeout=60)
    win.close()  # returns once the bounded read has ended; its result is dropped
    assert not win.files.is_loading() and not win.controller.process.is_alive()
    np.testing.assert_array_equal(win.model.points, points)


def test_discretize_shows_only_the_predicted_classes_colours(qtbot, window):
    window.controller.step(30)
    shaded = settle(window)
    assert len(np.unique(shaded.decision_rgb.reshape(-1, 3), axis=0)) > 10
    window.controls.discretize.setChecked(True)
    flat = settle(window)
    assert flat.settings.discretize
    assert len(np.unique(flat.decision_rgb.reshape(-1, 3), axis=0)) <= 3  # two classes (and white on the line)
    qtbot.waitUntil(lambda: np.array_equal(window.canvas.decision.image, flat.decision_rgb), timeout=60000)
