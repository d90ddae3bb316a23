"""The layer-space view in the window: reached by a layer header or the View menu, axes by
clicking neurons, principal directions, 1-, 2- and 3-neuron layers, step corners, live
updates while training, beside or instead of the canvas (remembered), and --space."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
from helpers import make_window, settle
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication

from gui.guide import EXPERIMENTS

ROOT = Path(__file__).resolve().parents[2]
WAIT = 20000


def _space_shown(win, predicate=lambda space: True, timeout: float = 20.0):
    """Wait until the trainer sends a layer space that ``predicate`` accepts and the view drew it."""
    assert win.controller.wait_until(lambda s: s.layer_space is not None and predicate(s.layer_space), timeout)
    win.draw(win.controller.latest)
    return win.space.view.space


def _click_neuron(qtbot, win, layer: int, neuron: int) -> None:
    qtbot.mouseClick(win.network.viewport(), Qt.MouseButton.LeftButton,
                     pos=win.network.neuron_center(layer, neuron))


def test_the_view_is_closed_and_costs_nothing_at_first(window):
    snap = settle(window)
    assert not window.space.shown() and snap.layer_space is None


def test_the_view_is_built_when_first_opened_with_the_layers_of_the_moment_and_joins_the_tab_order(window, qtbot):
    from gui.keyboard import tab_order
    from gui.widgets.layer_space import LayerSpaceView

    assert window.space.built_view is None and not window.findChildren(LayerSpaceView)  # not at start-up
    window.configure([3, 5, 2], "tanh")  # the shape changes before the view exists
    window.space.pca_action.trigger()  # the menu's option, set before the view exists, is kept
    view = window.space.built_view
    assert view is not None and view.pca.isChecked() and not window.space.shown()
    qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)  # View -> Layer space
    assert window.space.shown() and window.findChildren(LayerSpaceView) == [view]
    assert [view.layer_box.itemData(i) for i in range(view.layer_box.count())] == [1, 2, 3]
    assert _space_shown(window, lambda s: s.layer == 1).layer == 1
    order = tab_order(window)
    assert order.index(view.layer_box) == order.index(window.canvas) + 1
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=WAIT)
    window.canvas.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.keyClick(window.canvas, Qt.Key.Key_Tab)  # Tab goes on from the canvas into the new view
    assert QApplication.focusWidget() is view.layer_box


def test_clicking_a_layer_header_shows_that_layers_space(window, qtbot):
    qtbot.mouseClick(window.network.layer_header(2).count, Qt.MouseButton.LeftButton)
    assert window.space.shown() and window.space.action.isChecked()
    assert window.space.view.choice.layer == 2
    space = _space_shown(window, lambda s: s.layer == 2)
    assert space.size == 2 and space.points.shape[1] == 2 and space.neurons == (0, 1)
    assert window.space.view.title.text() == "Layer 2 (tanh, 2 neurons): neurons 1 and 2"
    plot = window.space.view.plot.getPlotItem()
    assert plot.getAxis("bottom").labelText == "a₁² (−1, 1)" and plot.getAxis("left").labelText == "a₂² (−1, 1)"
    # The last hidden layer: the output's straight decision line and its regions are drawn.
    assert window.space.view.decision.xData is not None and len(window.space.view.decision.xData) == 2
    assert window.space.view.regions.image is not None
    assert "straight line" in window.space.view.note.text()
    # The bent grid: both families of lines, with NaN between lines.
    x, _ = window.space.view.horizontal.getData()
    assert x is not None and np.isnan(x).sum() == 21 and np.isfinite(x).sum() > 21 * 60
    assert window.space.view.visible_point_count() == len(window.model)
    qtbot.mouseClick(window.network.layer_header(1).count, Qt.MouseButton.LeftButton)
    space = _space_shown(window, lambda s: s.layer == 1)
    decision = window.space.view.decision.xData  # not the last hidden layer: no decision line
    assert space.regions is None and (decision is None or len(decision) == 0)


def test_the_view_menu_opens_and_closes_the_view(window, qtbot):
    window.space.action.trigger()
    assert window.space.shown()
    _space_shown(window, lambda s: s.layer == 1)
    menu_actions = window.space.layer_menu.actions()
    assert [a.text() for a in menu_actions] == ["Hidden layer 1 (4 neurons)", "Hidden layer 2 (2 neurons)"]
    menu_actions[1].trigger()
    _space_shown(window, lambda s: s.layer == 2)
    window.space.view.layer_box.setCurrentIndex(0)  # the view's own layer list
    _space_shown(window, lambda s: s.layer == 1)
    window.space.action.trigger()
    assert not window.space.shown()
    seq = window.controller.sync()
    assert window.controller.wait_until(lambda s: s.seq >= seq and s.layer_space is None, 20)


def test_clicking_two_neurons_chooses_the_axes(window, qtbot):
    qtbot.mouseClick(window.network.layer_header(1).count, Qt.MouseButton.LeftButton)
    default = _space_shown(window, lambda s: s.layer == 1)
    assert len(default.neurons) == 2  # the two most varied of the four, by name
    assert window.space.view.title.text().endswith(f"neurons {default.neurons[0] + 1} and {default.neurons[1] + 1}")
    assert "Click two neurons" in window.space.view.note.text()
    _click_neuron(qtbot, window, 1, 0)
    _click_neuron(qtbot, window, 1, 3)
    assert window.space.view.choice.neurons == (0, 3)
    space = _space_shown(window, lambda s: s.neurons == (0, 3))
    assert window.space.view.title.text() == "Layer 1 (tanh, 4 neurons): neurons 1 and 4"
    assert window.space.view.plot.getPlotItem().getAxis("left").labelText == "a₄¹ (−1, 1)"
    assert not window.inspector_dock.isVisible()  # the clicks chose axes, not the inspector
    _click_neuron(qtbot, window, 1, 2)  # the newest two clicks are the axes
    _space_shown(window, lambda s: s.neurons == (2, 3))
    assert not space.exact
    # A neuron of another layer still opens the inspector.
    _click_neuron(qtbot, window, 2, 0)
    assert window.inspector_dock.isVisible()


def test_principal_directions_are_an_option(window, qtbot):
    qtbot.mouseClick(window.network.layer_header(1).count, Qt.MouseButton.LeftButton)
    _space_shown(window, lambda s: s.layer == 1)
    window.space.view.pca.click()
    assert window.space.pca_action.isChecked()
    space = _space_shown(window, lambda s: s.pca)
    assert "principal directions 1 and 2" in window.space.view.title.text()
    assert "principal direction 1" in window.space.view.plot.getPlotItem().getAxis("bottom").labelText
    assert space.neurons == () and "Click two neurons" not in window.space.view.note.text()
    _click_neuron(qtbot, window, 1, 1)  # choosing neurons leaves the principal directions
    _click_neuron(qtbot, window, 1, 2)
    assert not window.space.view.pca.isChecked()
    _space_shown(window, lambda s: not s.pca and s.neurons == (1, 2))


def test_one_two_and_three_neuron_layers(window, qtbot):
    window.configure([1], "tanh")
    window.space.show(1)
    strip = _space_shown(window, lambda s: s.size == 1)
    assert strip.points.shape[1] == 1 and window.space.view.title.text() == "Layer 1 (tanh, 1 neuron): neuron 1"
    assert not window.space.view.pca.isEnabled()
    window.configure([2], "sigmoid")
    two = _space_shown(window, lambda s: s.size == 2 and s.activation == "sigmoid")
    assert two.neurons == (0, 1) and two.exact and two.extent[0] < 0 < 1 < two.extent[1]
    window.configure([3], "relu")
    three = _space_shown(window, lambda s: s.size == 3 and s.activation == "relu")
    assert len(three.neurons) == 2 and not three.exact and "slice" in window.space.view.note.text()
    assert np.all(three.points >= 0)


def test_a_step_layer_lands_on_corners(window, qtbot):
    window.configure([3, 2], "step")
    window.space.show(1)
    space = _space_shown(window, lambda s: s.activation == "step" and s.layer == 1)
    assert space.corners is not None and set(np.unique(space.points)) <= {0.0, 1.0}
    assert len(window.space.view.corners.data) == len(space.corners)
    assert "step layer" in window.space.view.note.text()


def test_the_view_follows_training_live(window, qtbot):
    window.space.show(2)
    before = _space_shown(window, lambda s: s.layer == 2)
    draws = window.space.view.draws
    window.controls.play.click()
    assert window.controller.wait_until(lambda s: s.epoch >= 30 and s.layer_space is not None, 30)
    qtbot.waitUntil(lambda: window.space.view.draws >= draws + 5, timeout=WAIT)
    after = window.space.view.space
    window.controls.play.click()
    assert not np.allclose(before.points, after.points)  # the points moved as the layer learned
    assert after.layer == 2


def test_the_view_replaces_the_canvas_on_request_and_remembers(qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("NEURAL_SANDBOX_DATA_DIR", str(tmp_path))
    win = make_window(qtbot, preset="circle", persistent=True)
    win.space.show(1)
    assert win.canvas.isVisibleTo(win) and win.space.shown()  # beside the canvas
    win.space.view.replace.click()
    assert not win.canvas.isVisibleTo(win) and win.space.replace_action.isChecked()
    win.close()
    again = make_window(qtbot, preset="circle", persistent=True, ask_restore=lambda s: False)
    assert again.space.shown() and again.space.view.replace.isChecked()
    assert not again.canvas.isVisibleTo(again)
    again.space.action.trigger()  # closing the view brings the canvas back
    assert again.canvas.isVisibleTo(again) and not again.space.shown()
    again.close()


def test_fewer_layers_keep_the_view_on_an_existing_layer(window, qtbot):
    window.space.show(2)
    _space_shown(window, lambda s: s.layer == 2)
    window.network.layers_minus.click()
    assert window.space.view.choice.layer == 1
    _space_shown(window, lambda s: s.layer == 1 and s.size == 4)
    _click_neuron(qtbot, window, 1, 1)
    _click_neuron(qtbot, window, 1, 3)
    _space_shown(window, lambda s: s.neurons == (1, 3))
    window.network.layer_header(1).minus.click()  # 3 neurons: neuron 4 is gone, the default axes return
    space = _space_shown(window, lambda s: s.size == 3)
    assert max(space.neurons) < 3 and window.space.view.choice.neurons is None
    window.network.layers_minus.click()  # no hidden layer: nothing to show, nothing breaks
    seq = window.controller.sync()
    assert window.controller.wait_until(lambda s: s.seq >= seq and s.layer_sizes == (2, 1), 20)
    window.draw(window.controller.latest)
    assert "No hidden layer" in window.space.view.title.text()


def test_the_guide_sets_up_watch_the_circle_straighten(window, qtbot):
    experiment = next(e for e in EXPERIMENTS if e.title == "Watch the circle straighten")
    window.set_up_experiment(experiment)
    cfg = window.config().architecture
    assert cfg.hidden == (3,) and cfg.activations == ("tanh",) and cfg.features == ("x1", "x2")
    assert window.space.shown() and window.space.view.choice.layer == 1
    _space_shown(window, lambda s: s.size == 3)


def test_space_flag_puts_the_view_in_the_screenshot(tmp_path, qapp):
    out = tmp_path / "space.png"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run(
        [sys.executable, "main.py", "--screenshot", str(out), "--layers", "3", "--space", "1", "--epochs", "20"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert not QImage(str(out)).isNull()
    bad = subprocess.run([sys.executable, "main.py", "--screenshot", str(tmp_path / "x.png"), "--space", "3"],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
    assert "space: hidden layer 3 does not exist (the network has 2)" in bad.stderr
