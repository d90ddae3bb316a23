"""The first five minutes on a student's laptop: the window fits, everything on screen is current."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import make_window, settle
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QFontMetrics, QGuiApplication
from PySide6.QtWidgets import QAbstractButton, QComboBox, QWidget

from engine import palette
from gui.series import GrowingSeries
from gui.widgets.loss_plot import LossPlot

NAMES = ("play", "step", "reset", "speed", "activation", "surrogate", "learning-rate", "preset", "canvas",
         "network", "loss-plot", "gradient-plot", "notice", "status")


def click_canvas(qtbot, canvas, x, y, button=Qt.MouseButton.LeftButton):
    qtbot.mouseClick(canvas.viewport(), button, Qt.KeyboardModifier.NoModifier, canvas.to_viewport(x, y))


def choose(combo: QComboBox, data) -> None:
    combo.setCurrentIndex(combo.findData(data))


def rect_in_window(win, widget: QWidget) -> QRect:
    return QRect(widget.mapTo(win, QPoint(0, 0)), widget.size())


def press_play_until(qtbot, win, epochs: int) -> None:
    choose(win.controls.speed, None)  # as fast as it goes
    win.controls.play.click()
    assert win.controller.wait_until(lambda s: s.epoch >= epochs, timeout=60)
    win.controls.play.click()
    settle(win)


# ---------------------------------------------------------------- the window fits the screen
def test_the_first_window_is_never_larger_than_the_screen(window):
    free = QGuiApplication.primaryScreen().availableGeometry()  # 1366x768 in the tests
    assert window.width() <= free.width() and window.height() <= free.height()
    assert free.intersects(window.geometry())


def test_a_remembered_size_is_clamped_to_the_current_screen(qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("NEURAL_SANDBOX_DATA_DIR", str(tmp_path))
    first = make_window(qtbot, persistent=True)
    first.showNormal()
    first.setGeometry(100, 100, 2400, 1500)  # as saved on a larger screen
    first.close()
    second = make_window(qtbot, persistent=True, ask_restore=lambda s: False)
    free = QGuiApplication.primaryScreen().availableGeometry()
    assert second.width() <= free.width() and second.height() <= free.height()
    second.close()


@pytest.mark.parametrize("size", [(1280, 720), (1366, 768)])
def test_on_a_laptop_screen_every_control_is_usable_without_scrolling(qtbot, window, size):
    window.showNormal()
    window.resize(*size)
    qtbot.wait(50)
    c = window.controls
    assert window.controls_scroll.verticalScrollBar().maximum() == 0  # no scrolling needed
    whole = window.rect()
    for widget in (c.play, c.step, c.reset, c.activation, c.speed, c.learning_rate, c.preset, c.clear,
                   c.tools.button(1), c.classes.button(5), window.canvas):
        assert widget.isVisible()
        assert whole.contains(rect_in_window(window, widget)), widget.objectName()
    assert min(window.canvas.width(), window.canvas.height()) >= 380
    assert window.loss_plot.plot.height() >= 150 and window.gradient_plot.plot.height() >= 150
    truncated = [b.text() for b in window.findChildren(QAbstractButton)
                 if b.isVisible() and b.text() and b.minimumWidth() != b.maximumWidth()  # not fixed-size
                 and b.width() < b.minimumSizeHint().width()]
    assert truncated == []


def test_the_canvas_shows_the_whole_plane_with_its_end_labels(window):
    plot = window.canvas.getPlotItem()
    (x0, x1), (y0, y1) = plot.getViewBox().viewRange()
    assert (x0, x1) == pytest.approx((-6, 6), abs=0.05) and (y0, y1) == pytest.approx((-6, 6), abs=0.05)
    for side in ("left", "bottom"):
        axis = plot.getAxis(side)
        shown = [float(v) for level in axis.tickValues(-6, 6, 400) for v in level[1]]
        assert -6 in shown and 6 in shown
    # The top label ("6") is centred on the top edge of the plane: half of it lies above.
    top = plot.getViewBox().mapToScene(plot.getViewBox().rect().topLeft()).y()
    assert top >= QFontMetrics(window.canvas.font()).height() / 2


def test_the_step_notice_coming_and_going_moves_nothing(qtbot, window):
    before = rect_in_window(window, window.canvas)
    choose(window.controls.activation, "step")
    for _ in range(3):
        qtbot.keyClick(window, Qt.Key.Key_S)
    qtbot.waitUntil(lambda: window.notice.isVisible(), timeout=10000)
    assert rect_in_window(window, window.canvas) == before
    window.notice.to_sigmoid.click()
    qtbot.keyClick(window, Qt.Key.Key_S)
    qtbot.waitUntil(lambda: not window.notice.isVisible(), timeout=10000)
    assert rect_in_window(window, window.canvas) == before


def test_the_play_button_needs_no_glyph_a_font_may_lack(qtbot, window):
    play = window.controls.play
    for _ in range(2):
        assert not play.icon().isNull()
        metrics = QFontMetrics(play.font())
        assert all(metrics.inFontUcs4(ord(ch)) for ch in play.text()), play.text()
        play.click()
    assert play.text() == "Play"


# ---------------------------------------------------------------- everything on screen is current
def test_the_status_bar_counts_follow_every_edit_and_shows_no_rate_while_paused(qtbot, window):
    window.controls.clear.click()
    qtbot.waitUntil(lambda: window.status.text().startswith("0 training points, 0 test points"), timeout=3000)
    for x in (-3.0, -1.0, 1.0):
        click_canvas(qtbot, window.canvas, x, 2.0)
    mask = window.model.test_mask
    expected = f"{int((~mask).sum())} training points, {int(mask.sum())} test points"
    qtbot.waitUntil(lambda: window.status.text().startswith(expected), timeout=3000)
    qtbot.wait(1200)  # a second of frames: nothing else may overwrite the counts
    assert window.status.text().startswith(expected)
    assert "epochs/s" not in window.status.text()


def test_reset_starts_the_loss_axes_over(qtbot, window):
    press_play_until(qtbot, window, 300)
    qtbot.waitUntil(lambda: window.loss_plot.plot.getPlotItem().viewRange()[0][1] > 250, timeout=5000)
    window.controls.reset.click()
    qtbot.waitUntil(lambda: window.loss_plot.plot.getPlotItem().viewRange()[0][1] < 20, timeout=5000)


def test_the_gradient_check_result_disappears_when_the_network_changes(qtbot, window):
    window.controls.check.click()
    qtbot.waitUntil(lambda: "Worst relative error" in window.controls.check_result.text(), timeout=20000)
    window.network.layers_plus.click()
    qtbot.waitUntil(lambda: window.controls.check_result.text() == "", timeout=10000)


def test_legends_sit_outside_the_plots_and_name_all_seven_layers(qtbot, window):
    for _ in range(4):
        window.network.layers_plus.click()
    for _ in range(3):
        qtbot.keyClick(window, Qt.Key.Key_S)
    settle(window)
    qtbot.waitUntil(lambda: "layer 6" in window.gradient_plot.legend.text(), timeout=5000)
    assert "output" in window.gradient_plot.legend.text()
    for plot in (window.loss_plot.plot, window.gradient_plot.plot):
        assert plot.getPlotItem().legend is None  # nothing drawn over the curves


def test_a_log_axis_spanning_less_than_a_decade_still_has_labels(qtbot, window):
    window.loss_plot.log_scale.click()
    for _ in range(5):
        qtbot.keyClick(window, Qt.Key.Key_S)
    settle(window)
    axis = window.loss_plot.plot.getPlotItem().getAxis("left")
    qtbot.waitUntil(lambda: axis.range[1] - axis.range[0] < 1, timeout=5000)
    low, high = axis.range
    labels = [text for spacing, values in axis.tickValues(low, high, axis.height())
              for text in axis.tickStrings(values, 1.0, spacing)]
    assert any(labels), (low, high, labels, axis.tickValues(low, high, axis.height()))


def test_epoch_labels_never_run_together(qtbot):
    series = GrowingSeries(3)
    epochs = np.linspace(1, 345_678, 5000)
    series.extend(epochs, 0.5 + 0 * epochs, 0.6 + 0 * epochs)
    plot = LossPlot(series)
    qtbot.addWidget(plot)
    plot.resize(170, 200)
    plot.show()
    plot.redraw()
    qtbot.wait(20)
    axis = plot.plot.getPlotItem().getAxis("bottom")
    low, high = axis.range
    width = axis.width()
    metrics = QFontMetrics(axis.font())
    spacing, values = axis.tickValues(low, high, width)[0]
    texts = axis.tickStrings(values, axis.autoSIPrefixScale, spacing)
    pixels = [(v - low) / (high - low) * width for v in values]
    for (a, ta), (b, tb) in zip(zip(pixels, texts), zip(pixels[1:], texts[1:])):
        assert b - a > (metrics.horizontalAdvance(ta) + metrics.horizontalAdvance(tb)) / 2, (ta, tb)


def test_preset_names_fit_their_list(qtbot, window):
    choose(window.controls.task, True)  # regression: the longest names
    for combo in (window.controls.preset,):
        metrics = QFontMetrics(combo.font())
        for k in range(combo.count()):
            assert metrics.horizontalAdvance(combo.itemText(k)) + 24 <= combo.width(), combo.itemText(k)


def test_inspector_numbers_never_wrap(qtbot, window):
    for _ in range(3):
        qtbot.keyClick(window, Qt.Key.Key_S)
    settle(window)
    qtbot.mouseClick(window.network.viewport(), Qt.MouseButton.LeftButton, pos=window.network.neuron_center(1, 0))
    qtbot.waitUntil(lambda: window.inspector_dock.isVisible(), timeout=3000)
    window.inspector_dock.setFloating(True)
    window.inspector_dock.resize(220, 500)
    window.inspector.refresh(window.controller.latest)
    qtbot.wait(50)
    doc = window.inspector.text.document()
    doc.setTextWidth(window.inspector.text.viewport().width())
    block = doc.begin()
    checked = 0
    while block.isValid():
        text = block.text().strip()
        if text and text.replace(".", "").replace("e", "").lstrip("+-−").replace("-", "").isdigit():
            assert block.layout().lineCount() == 1, text
            checked += 1
        block = block.next()
    assert checked >= 6


def test_each_multiclass_output_map_is_tinted_with_its_class_colour(qtbot, window):
    window.controls.classes.button(2).click()
    click_canvas(qtbot, window.canvas, 0.0, 0.0)
    qtbot.keyClick(window, Qt.Key.Key_S)
    snap = settle(window)
    assert snap.task == "multiclass"
    qtbot.waitUntil(lambda: window.network.canvas.geometry_layout.neuron_cells[-1].shape[0] == 3, timeout=5000)
    qtbot.wait(100)
    image = window.network.canvas.grab().toImage()
    layout = window.network.canvas.geometry_layout
    for k, (x, y) in enumerate(layout.neuron_cells[-1]):
        c = int(layout.cell)
        pixels = np.array([[image.pixelColor(int(x) + i, int(y) + j).getRgb()[:3]
                            for i in range(2, c - 2, 2)] for j in range(2, c - 2, 2)]).reshape(-1, 3)
        strongest = pixels[np.argmax(pixels.max(axis=1) - pixels.min(axis=1))].astype(float)
        colours = palette.CLASS_COLORS[:3].astype(float)
        tint = (strongest - 255) / np.linalg.norm(strongest - 255)
        directions = (colours - 255) / np.linalg.norm(colours - 255, axis=1, keepdims=True)
        assert int(np.argmax(directions @ tint)) == k


def test_a_colour_scale_says_what_the_map_colours_mean(qtbot, window):
    scale = window.findChild(QWidget, "colour-scale")
    assert scale is not None and scale.isVisible()
    assert "−1" in scale.low.text() and "+1" in scale.high.text() and "class 1" in scale.low.text()
    choose(window.controls.task, True)
    settle(window)
    qtbot.waitUntil(lambda: scale.meaning.text() == "value", timeout=5000)


def test_a_picture_of_a_data_set_chooses_it(qtbot, window):
    xor = window.findChild(QAbstractButton, "preset-xor")
    assert xor is not None and xor.isVisible() and not xor.icon().isNull()
    qtbot.mouseClick(xor, Qt.MouseButton.LeftButton)
    assert window.controls.preset.currentText() == "Exclusive or"
    points, labels = window.model.points, window.model.labels
    away = np.abs(points).min(axis=1) > 0.5  # away from the axes, the class is the sign of x*y
    same_sign = points[away, 0] * points[away, 1] > 0
    assert np.array_equal(labels[away] == 0, same_sign) or np.array_equal(labels[away] == 1, same_sign)


def test_space_s_and_r_work_after_typing_in_a_field_or_clicking_the_network(qtbot, window):
    c = window.controls
    qtbot.mouseClick(c.batch_size, Qt.MouseButton.LeftButton)
    c.batch_size.setFocus()
    qtbot.keyClick(c.batch_size, Qt.Key.Key_Backspace)
    qtbot.keyClick(c.batch_size, Qt.Key.Key_2)
    qtbot.keyClick(c.batch_size, Qt.Key.Key_Space)
    assert c.play.isChecked()
    qtbot.keyClick(c.batch_size, Qt.Key.Key_Space)
    assert not c.play.isChecked()
    epoch = settle(window).epoch
    qtbot.mouseClick(window.network.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(5, 5))
    qtbot.keyClick(QGuiApplication.focusObject() or window, Qt.Key.Key_S)
    assert window.controller.wait_until(lambda s: s.epoch == epoch + 1, timeout=10)
    qtbot.keyClick(QGuiApplication.focusObject() or window, Qt.Key.Key_R)
    assert window.controller.wait_until(lambda s: s.epoch == 0, timeout=10)


# ---------------------------------------------------------------- watchable by default
def test_the_default_speed_is_watchable_and_the_choice_is_remembered(qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("NEURAL_SANDBOX_DATA_DIR", str(tmp_path))
    first = make_window(qtbot, persistent=True, fast=False)
    speed = first.controls.speed.currentData()
    assert speed is not None and 10 <= speed <= 60
    assert settle(first).settings.speed == speed  # the trainer keeps to it
    choose(first.controls.speed, None)
    assert first.controls.speed.currentText() == "as fast as it goes"
    first.close()
    second = make_window(qtbot, persistent=True, fast=False, ask_restore=lambda s: False)
    assert second.controls.speed.currentData() is None
    assert settle(second).settings.speed is None
    second.close()


# ---------------------------------------------------------------- names for tests and screen readers
def test_the_main_controls_have_stable_object_and_accessible_names(window):
    for name in NAMES:
        widget = window.findChild(QWidget, name)
        assert widget is not None, name
        assert widget.accessibleName(), name
