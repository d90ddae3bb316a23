"""Without a mouse: Tab reaches every control in screen order, each named and explained, and the
canvas takes points at a crosshair moved by the arrow keys."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import settle
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QAbstractSpinBox, QApplication, QComboBox, QWidget

from gui.keyboard import tab_order
from gui.widgets.canvas import BIG_STEP, KEY_STEP

SHIFT = Qt.KeyboardModifier.ShiftModifier


def focus(qtbot, win, widget: QWidget) -> None:
    """Make the window active and give ``widget`` the keyboard focus."""
    win.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is win, timeout=20000)
    widget.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(widget.hasFocus, timeout=20000)


def press(qtbot, key: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier, times: int = 1) -> None:
    """Press ``key`` where the keyboard focus is, as a user would."""
    for _ in range(times):
        qtbot.keyClick(QApplication.focusWidget(), key, modifier)


def test_arrows_move_the_crosshair_and_enter_adds_a_point_of_the_chosen_class_there(qtbot, window) -> None:
    canvas = window.canvas
    qtbot.mouseClick(window.controls.classes.button(1), Qt.MouseButton.LeftButton)  # class 2
    focus(qtbot, window, canvas)
    assert canvas.cross_item.isVisible()  # the keyboard's cursor shows with the focus
    start = canvas.crosshair
    span = canvas.bounds.high - canvas.bounds.low
    press(qtbot, Qt.Key.Key_Right, times=3)
    press(qtbot, Qt.Key.Key_Up, SHIFT, times=2)
    press(qtbot, Qt.Key.Key_Down)
    expected = (start[0] + 3 * KEY_STEP * span, start[1] + 2 * BIG_STEP * span - KEY_STEP * span)
    assert canvas.crosshair == pytest.approx(expected)
    shown = canvas.cross_item.data
    assert (shown["x"][0], shown["y"][0]) == pytest.approx(expected)
    before = len(window.model)
    press(qtbot, Qt.Key.Key_Return)
    assert len(window.model) == before + 1
    assert tuple(window.model.points[-1]) == pytest.approx(expected)
    assert window.model.labels[-1] == 1.0
    press(qtbot, Qt.Key.Key_Left, SHIFT, times=20)  # far past the edge: the crosshair stays on the plane
    assert canvas.crosshair[0] == canvas.bounds.low
    press(qtbot, Qt.Key.Key_Enter, Qt.KeyboardModifier.KeypadModifier)
    assert len(window.model) == before + 2
    window.undo_stack.undo()  # each point is one undo step, as a click is
    assert len(window.model) == before + 1
    window.undo_stack.undo()
    assert len(window.model) == before


def test_shift_enter_deletes_the_point_nearest_the_crosshair(qtbot, window) -> None:
    canvas = window.canvas
    focus(qtbot, window, canvas)
    nearest = window.model.nearest(*canvas.crosshair)
    doomed = window.model.points[nearest].copy()
    before = len(window.model)
    press(qtbot, Qt.Key.Key_Return, SHIFT)
    assert len(window.model) == before - 1
    assert not np.any(np.all(window.model.points == doomed, axis=1))


def test_the_focus_frame_and_crosshair_go_with_the_focus(qtbot, window) -> None:
    canvas = window.canvas
    focus(qtbot, window, canvas)
    view = canvas.getPlotItem().getViewBox()
    assert canvas.cross_item.isVisible() and view.border.style() != Qt.PenStyle.NoPen
    focus(qtbot, window, window.controls.play)
    assert not canvas.cross_item.isVisible() and view.border.style() == Qt.PenStyle.NoPen


def test_space_s_and_r_still_run_training_from_the_canvas_and_after_typing_a_number(qtbot, window) -> None:
    focus(qtbot, window, window.canvas)
    epoch = settle(window).epoch
    press(qtbot, Qt.Key.Key_S)
    assert window.controller.wait_until(lambda s: s.epoch == epoch + 1)
    focus(qtbot, window, window.controls.batch_size)
    window.controls.batch_size.selectAll()
    qtbot.keyClicks(window.controls.batch_size, "20")
    press(qtbot, Qt.Key.Key_Space)
    assert window.controls.play.isChecked()
    press(qtbot, Qt.Key.Key_Space)
    assert not window.controls.play.isChecked()
    assert window.controls.batch_size.value() == 20


def tabbable(win) -> list[QWidget]:
    """Every widget of the window Tab can stop at now (not the insides of combo and spin boxes)."""
    return [w for w in win.findChildren(QWidget)
            if w.focusPolicy() & Qt.FocusPolicy.TabFocus and w.isVisible() and w.isEnabled()
            and w.window() is win and w.focusProxy() is None
            and not isinstance(w.parent(), QAbstractSpinBox | QComboBox)]


def tab_stop(widget: QWidget) -> bool:
    """Whether Tab stops at ``widget``: of an exclusive group of buttons only the chosen one (arrows move within)."""
    group = widget.group() if isinstance(widget, QAbstractButton) else None
    return widget.isVisible() and widget.isEnabled() and (group is None or not group.exclusive() or widget.isChecked())


def test_tab_visits_the_controls_in_screen_order_and_the_canvas_among_them(qtbot, window) -> None:
    expected = [w for w in tab_order(window) if tab_stop(w)]
    focus(qtbot, window, window.controls.play)
    visited = [QApplication.focusWidget()]
    for _ in range(len(expected) - 1):
        press(qtbot, Qt.Key.Key_Tab)
        visited.append(QApplication.focusWidget())
    names = [w.accessibleName() for w in visited]
    assert visited == expected, names
    assert names[:4] == ["Play", "Step one epoch", "Reset weights", "Speed"]
    assert names.index("Clear points") < names.index("Data canvas")
    stops = {w for w in tabbable(window) if tab_stop(w)}
    assert stops <= set(expected)  # no control left out of the order


def unnamed(win) -> list[str]:
    return [f"{type(w).__name__} {w.objectName()!r} {w.accessibleName()!r}" for w in tabbable(win)
            if not w.accessibleName() or not w.toolTip()]


def test_every_control_has_an_accessible_name_and_a_tooltip(qtbot, window) -> None:
    window.inspector_dock.show()
    window.controls.task.setCurrentIndex(1)  # regression shows the value slider
    window.space.show(1)
    assert unnamed(window) == []
    window.controls.task.setCurrentIndex(0)
    for lesson in range(1, 8):
        assert window.show_lessons(lesson)
        QApplication.processEvents()
        assert unnamed(window) == [], f"lesson {lesson}"
    window.show_guide()
    assert tabbable(window.guide) and unnamed(window.guide) == []
    window.guide.close()
    window.compare.action.trigger()  # compare mode's panel
    assert window.compare.panel is not None and window.compare.panel.isVisible()
    assert unnamed(window) == []


def test_enter_presses_the_focused_button_and_arrows_move_within_a_group(qtbot, window) -> None:
    controls = window.controls
    focus(qtbot, window, controls.show_test)
    press(qtbot, Qt.Key.Key_Return)
    assert not controls.show_test.isChecked()  # a check box toggles
    focus(qtbot, window, controls.tools.button(0))
    press(qtbot, Qt.Key.Key_Right)  # as in a row of radio buttons, the arrow chooses too
    assert QApplication.focusWidget() is controls.tools.button(1) and window.canvas.tool == "brush"
    focus(qtbot, window, controls.classes.button(0))
    press(qtbot, Qt.Key.Key_Right, times=2)
    assert window.canvas.current_class == 2 and controls.classes.button(2).isChecked()
    focus(qtbot, window, controls.step)
    epoch = settle(window).epoch
    press(qtbot, Qt.Key.Key_Enter, Qt.KeyboardModifier.KeypadModifier)
    assert window.controller.wait_until(lambda s: s.epoch == epoch + 1)
    press(qtbot, Qt.Key.Key_Space)  # Space still plays, whatever has the focus
    assert controls.play.isChecked()
    press(qtbot, Qt.Key.Key_Space)


def test_arrows_walk_the_network_diagram_and_enter_clicks_a_feature_or_a_neuron(qtbot, window) -> None:
    diagram = window.network.viewport()
    focus(qtbot, window, diagram)
    assert "x1sq" not in window.config().architecture.features
    press(qtbot, Qt.Key.Key_Down, times=2)  # x1, x2, then x1²
    with qtbot.waitSignal(window.network.neuron_hovered, timeout=20000):
        press(qtbot, Qt.Key.Key_Right)  # the first hidden layer's third neuron, shown large as on hover
    press(qtbot, Qt.Key.Key_Left)
    press(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "x1sq" in window.config().architecture.features, timeout=20000)
    press(qtbot, Qt.Key.Key_Right)
    press(qtbot, Qt.Key.Key_Enter, Qt.KeyboardModifier.KeypadModifier)
    qtbot.waitUntil(window.inspector_dock.isVisible, timeout=20000)
    assert window.inspector.neuron == (1, 2)
    press(qtbot, Qt.Key.Key_Down, times=10)  # the mark stays in the column
    assert window.network.keys.row == 3


def test_ctrl_enter_on_a_neuron_sets_the_weight_of_a_chosen_incoming_link(qtbot, window, monkeypatch) -> None:
    from PySide6.QtWidgets import QInputDialog

    asked: list[list[str]] = []
    monkeypatch.setattr(QInputDialog, "getItem", staticmethod(
        lambda _parent, _title, _label, items, *a, **k: (asked.append(list(items)) or items[1], True)))
    monkeypatch.setattr(QInputDialog, "getDouble", staticmethod(lambda *a, **k: (1.2345, True)))
    focus(qtbot, window, window.network.viewport())
    press(qtbot, Qt.Key.Key_Right)
    press(qtbot, Qt.Key.Key_Down)  # neuron 2 of hidden layer 1
    press(qtbot, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert asked == [["x₁", "x₂"]]
    assert window.controller.wait_until(lambda s: s.weights[0][1, 1] == 1.2345)  # from x₂ into neuron 2


def test_the_run_key_guard_watches_only_the_focused_widget_and_moves_with_the_focus(qtbot, window) -> None:
    guard = window._key_guard
    focus(qtbot, window, window.controls.batch_size)
    assert guard._watched is QApplication.focusWidget()
    focus(qtbot, window, window.controls.play)
    assert guard._watched is window.controls.play
    window.close()  # the guard lets go with the window
    assert guard._watched is None
