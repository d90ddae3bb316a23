"""The step lesson cannot be defeated: the surrogate is visible and off unless chosen, the notices are true."""

from __future__ import annotations

from helpers import make_window, settle
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox


def choose(combo, data) -> None:
    combo.setCurrentIndex(combo.findData(data))


def steps(qtbot, win, n: int):
    for _ in range(n):
        qtbot.keyClick(win, Qt.Key.Key_S)
    return settle(win)


def surrogate_shown(win) -> tuple[bool, list[int]]:
    return win.controls.surrogate.isChecked(), win.network.canvas.marked_layers


def test_the_surrogate_is_always_visible_and_turned_off_by_the_user_reset_and_a_new_step_layer(qtbot, window):
    box = window.findChild(QCheckBox, "surrogate")
    assert box is not None and box.isVisible() and not box.isChecked()
    choose(window.controls.activation, "step")
    steps(qtbot, window, 3)
    qtbot.waitUntil(lambda: window.notice.kind == "step", timeout=60000)
    window.notice.surrogate.click()
    assert surrogate_shown(window) == (True, [0, 1])  # the box, and a mark on both step layers
    assert steps(qtbot, window, 2).step_surrogate
    box.click()  # the user turns it off where it shows
    assert surrogate_shown(window) == (False, [])
    assert not steps(qtbot, window, 1).step_surrogate
    box.click()
    assert settle(window).step_surrogate
    window.controls.reset.click()  # Reset: back to the true gradient
    assert surrogate_shown(window) == (False, [])
    assert not settle(window).step_surrogate
    box.click()
    header = window.network.layer_header(1).combo
    choose(header, "tanh")
    assert surrogate_shown(window) == (True, [1])  # only step layers carry the mark
    choose(header, "step")  # a layer newly set to step: the true gradient again
    assert surrogate_shown(window) == (False, [])
    assert not settle(window).step_surrogate


def test_a_session_keeps_the_surrogate_visibly(qtbot, window, tmp_path):
    choose(window.controls.activation, "step")
    window.controls.surrogate.click()
    steps(qtbot, window, 2)
    path = tmp_path / "surrogate.json"
    assert window.save_session(str(path))
    other = make_window(qtbot)
    assert not other.controls.surrogate.isChecked()
    other.files.open(str(path))
    qtbot.waitUntil(lambda: other.controls.surrogate.isChecked(), timeout=60000)
    assert other.network.canvas.marked_layers == [0, 1]
    assert settle(other).step_surrogate
    other.close()


def test_the_step_notice_names_the_layers_without_gradient_and_those_still_learning(qtbot, window):
    for _ in range(4):
        window.network.layers_plus.click()
    choose(window.controls.activation, "sigmoid")
    choose(window.network.layer_header(1).combo, "step")
    snap = steps(qtbot, window, 3)
    assert snap.activations == ("step",) + ("sigmoid",) * 5
    qtbot.waitUntil(lambda: window.notice.kind == "step", timeout=60000)
    text = window.notice.text.text()
    assert "layer 1 gets exactly zero gradient" in text
    assert "layers 2–6 and the output layer still learn" in text
    assert "only the output layer" not in text.lower()
    assert all(norm > 0 for norm in snap.gradient_norms[1:])  # what the plot shows agrees


def test_the_activation_list_says_mixed_when_the_layers_differ(qtbot, window):
    combo = window.controls.activation
    choose(window.network.layer_header(2).combo, "relu")
    assert combo.currentText() == "Mixed"
    assert settle(window).activations == ("tanh", "relu")
    choose(combo, "sigmoid")
    assert settle(window).activations == ("sigmoid", "sigmoid")
    assert combo.currentText() == "Sigmoid" and combo.findText("Mixed") < 0
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # undo: mixed again
    assert combo.currentText() == "Mixed"


def test_a_trained_network_switched_to_step_says_so_and_starts_over_in_one_click(qtbot, window):
    trained = steps(qtbot, window, 30)
    choose(window.controls.activation, "step")
    qtbot.waitUntil(lambda: window.notice.kind == "switched", timeout=60000)
    assert "the weights are kept" in window.notice.text.text()
    assert window.notice.restart.isVisible() and window.notice.restart.text() == "Start over with step"
    window.notice.restart.click()
    snap = settle(window)
    assert snap.epoch == 0 and snap.run > trained.run and snap.activations == ("step", "step")
    qtbot.waitUntil(lambda: window.notice.kind != "switched", timeout=60000)
    assert len(window.controller.losses.column(0)) == 0


def test_a_guide_experiment_sets_everything_it_depends_on_in_one_undo_step(qtbot, window):
    qtbot.mouseClick(window.network.viewport(), Qt.MouseButton.LeftButton,
                     pos=window.network.feature_center("x1sq"))  # switch the x1² input on
    choose(window.controls.preset, "xor")
    window.controls.surrogate.click()
    steps(qtbot, window, 40)
    before = window.config()
    qtbot.keyClick(window, Qt.Key.Key_F1)
    qtbot.waitUntil(lambda: window.guide is not None and window.guide.isVisible(), timeout=5000)
    window.guide.buttons[0].click()  # tanh against step on the circle
    snap = settle(window)
    assert snap.epoch == 0 and snap.activations == ("step", "step") and not snap.step_surrogate
    assert snap.features == ("x1", "x2") and window.config().architecture.features == ("x1", "x2")
    assert window.controls.preset.currentText() == "Circle"
    assert window.controls.speed.currentText() == "30 epochs/s"
    assert not window.controls.surrogate.isChecked()
    qtbot.wait(100)
    assert len(window.controller.losses.column(0)) == 0
    window.guide.close()  # back to the main window
    window.activateWindow()
    qtbot.waitUntil(lambda: window.isActiveWindow(), timeout=5000)
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # one undo step back
    after = window.config()  # the speed is how the user watches: undo leaves it
    assert after.architecture == before.architecture and after.settings.training() == before.settings.training()

