"""Compare mode and the surrogate gradient: run B follows A's check box unless B differs in it."""

from __future__ import annotations

import os
import signal

import pytest
from helpers import make_window, pick
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QPushButton
from test_compare import choose

from engine.errors import EngineError
from gui.compare_model import differences_text, parse_difference, surrogate_of
from gui.config_model import Configuration


def click_box(qtbot, win) -> None:
    """Click the Training box's "Surrogate gradient for step" check box, as a user does."""
    box = win.findChild(QCheckBox, "surrogate")
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=box.rect().center())


def enter_compare(qtbot, win):
    """Ctrl+K (View -> Compare two runs); returns run B's controller once its trainer has the points."""
    qtbot.keyClick(win, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    b = win.compare.b
    assert b is not None
    qtbot.waitUntil(lambda: b.latest is not None and b.latest.n_train > 0, timeout=20000)
    return b


def b_uses(qtbot, b, on: bool) -> None:
    """Wait until B's trainer has applied every command sent to it, then check its gradient rule."""
    qtbot.waitUntil(lambda: b.latest is not None and b.latest.seq >= b.process.last_seq, timeout=20000)
    assert b.latest.step_surrogate is on


def first_layer_gradient(qtbot, ctl, win) -> float:
    """Step both runs once from where they are; the gradient norm of the first layer's weights afterwards."""
    epoch = ctl.latest.epoch
    win.controls.step.click()
    qtbot.waitUntil(lambda: ctl.latest.epoch == epoch + 1 and ctl.latest.seq >= ctl.process.last_seq, timeout=20000)
    return ctl.latest.gradient_norms[0]


@pytest.fixture
def window(qtbot):
    win = make_window(qtbot, preset="circle", seed=0)
    yield win
    win.close()


def test_b_follows_the_check_box_and_its_step_layers_then_learn(window, qtbot):
    b = enter_compare(qtbot, window)  # A tanh, B step (the first difference)
    assert b.latest.activations[0] == "step"
    b_uses(qtbot, b, False)
    assert first_layer_gradient(qtbot, b, window) == 0.0  # step's true gradient: nothing reaches layer 1
    click_box(qtbot, window)
    assert window.controls.surrogate.isChecked()
    b_uses(qtbot, b, True)
    assert first_layer_gradient(qtbot, b, window) > 0.0  # the surrogate's slope reaches layer 1
    qtbot.waitUntil(lambda: "surrogate gradient" in window.compare.panel.figures["B"].text(), timeout=5000)
    assert "surrogate gradient" not in window.compare.panel.figures["A"].text()  # A has no step layer to change
    canvases = window.compare.panel.canvases
    assert abs(canvases["A"].width() - canvases["B"].width()) <= 1  # B's longer line does not widen its map
    click_box(qtbot, window)
    b_uses(qtbot, b, False)
    qtbot.waitUntil(lambda: "surrogate gradient" not in window.compare.panel.figures["B"].text(), timeout=5000)


def test_entering_compare_with_the_box_on_gives_b_the_surrogate(window, qtbot):
    click_box(qtbot, window)
    b = enter_compare(qtbot, window)
    b_uses(qtbot, b, True)
    assert window.controller.latest.step_surrogate  # A's own setting is untouched by entering


def test_reset_turns_the_surrogate_off_in_both_unless_b_differs_in_it(window, qtbot):
    b = enter_compare(qtbot, window)
    click_box(qtbot, window)
    b_uses(qtbot, b, True)
    window.controls.reset.click()  # a fresh start is a fresh lesson: the true gradient, for B too
    assert not window.controls.surrogate.isChecked()
    b_uses(qtbot, b, False)
    panel = window.compare.panel
    choose(qtbot, panel.kind, "surrogate gradient")
    choose(qtbot, panel.value, "surrogate gradient")  # B: step with the surrogate, whatever A's box says
    b_uses(qtbot, b, True)
    assert panel.titles["B"].text() == "B: step, surrogate gradient"
    assert panel.titles["A"].text() == "A: tanh, no surrogate gradient"
    window.controls.reset.click()
    b_uses(qtbot, b, True)  # B's own difference outlives A's Reset
    click_box(qtbot, window)  # A's box now agrees with B: not a difference any more
    qtbot.waitUntil(lambda: panel.titles["B"].text() == "B: step", timeout=5000)
    click_box(qtbot, window)
    b_uses(qtbot, b, True)


def test_a_replaced_trainer_of_b_gets_the_surrogate_again(window, qtbot):
    b = enter_compare(qtbot, window)
    click_box(qtbot, window)
    b_uses(qtbot, b, True)
    old = b.process
    os.kill(old._process.pid, signal.SIGKILL)
    qtbot.waitUntil(lambda: b.restarts == 1, timeout=60000)
    qtbot.waitUntil(lambda: b.latest.seq >= window.compare._reset_seq["B"], timeout=20000)
    b_uses(qtbot, b, True)
    assert first_layer_gradient(qtbot, b, window) > 0.0


def test_keep_b_takes_bs_gradient_rule_into_the_window(window, qtbot):
    a = window.controller
    b = enter_compare(qtbot, window)
    click_box(qtbot, window)  # A tanh, B step with A's surrogate
    b_uses(qtbot, b, True)
    window.compare.panel.findChild(QPushButton, "compare-keep-b").click()
    assert window.config().architecture.activations == ("step", "step")
    # A's layers became step, which alone would turn the surrogate off: B trained with it, so A goes on with it
    assert window.controls.surrogate.isChecked()
    assert window.network.canvas.marked_layers == [0, 1]
    qtbot.waitUntil(lambda: a.latest.seq >= a.process.last_seq, timeout=20000)
    assert a.latest.step_surrogate and a.latest.activations == ("step", "step")
    b = enter_compare(qtbot, window)  # again, with the box on: the new B follows it
    b_uses(qtbot, b, True)
    window.compare.panel.findChild(QPushButton, "compare-keep-a").click()
    assert window.controls.surrogate.isChecked() and not window.compare.active
    click_box(qtbot, window)
    b = enter_compare(qtbot, window)
    b_uses(qtbot, b, False)


def test_keep_b_with_a_surrogate_difference_turns_as_box_on(window, qtbot):
    pick(qtbot, window.controls.activation, "step")
    window.compare.enter("surrogate", True)  # as --compare --difference surrogate=on
    b = window.compare.b
    b_uses(qtbot, b, True)
    assert window.controller.latest.step_surrogate is False
    assert window.compare.panel.value.currentText() == "surrogate gradient"
    window.compare.panel.findChild(QPushButton, "compare-keep-b").click()
    assert window.controls.surrogate.isChecked()
    qtbot.waitUntil(lambda: window.controller.latest.seq >= window.controller.process.last_seq, timeout=20000)
    assert window.controller.latest.step_surrogate


def test_a_surrogate_difference_without_step_layers_says_it_changes_nothing(window, qtbot):
    b = enter_compare(qtbot, window)
    panel = window.compare.panel
    choose(qtbot, panel.value, "same as A")  # B: tanh too
    choose(qtbot, panel.kind, "surrogate gradient")
    choose(qtbot, panel.value, "surrogate gradient")
    assert "only step layers" in window.statusBar().currentMessage()
    b_uses(qtbot, b, True)


def test_the_surrogate_difference_is_read_and_described():
    assert parse_difference("surrogate=on") == ("surrogate", True)
    assert parse_difference("surrogate=off") == ("surrogate", False)
    with pytest.raises(EngineError, match="surrogate cannot be 'maybe' .on or off"):
        parse_difference("surrogate=maybe")
    a = Configuration()
    assert differences_text(a, {"surrogate": True}) == "surrogate gradient"
    assert differences_text(a, {"surrogate": True}, surrogate=True) == "same as A"
    assert surrogate_of(True, {}) and not surrogate_of(True, {"surrogate": False})


def test_the_side_by_side_export_trains_b_with_its_surrogate(window, qtbot):
    from gui.export_actions import problem_of

    b = enter_compare(qtbot, window)
    click_box(qtbot, window)
    b_uses(qtbot, b, True)
    captured = window.compare.capture_b()  # what File -> Export animation trains beside A
    assert captured is not None
    session, words = captured
    assert session.step_surrogate and words == "step"
    assert problem_of(session).net.step_surrogate
