"""The Lessons track: each lesson opens, sets the sandbox up, shows the engine's own numbers."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import make_window, settle
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QFrame

from engine.explain import explain_neuron
from engine.features import transform
from gui import app
from gui.lesson_book import LESSONS_DIR_VARIABLE, LessonError, load_lessons, parse_lesson
from gui.widgets.inspector import network_from

LESSONS = load_lessons()
GOOD = """---
{"title": "T", "setup": {"preset": "xor", "hidden": [2]}}
---
Text.

## Predict first
Guess.

## What just happened
This.
"""


def fastest(win) -> None:
    """Pick "as fast as it goes", as a user would, so runs do not wait on the watchable speed."""
    win.controls.speed.setCurrentIndex(win.controls.speed.findData(None))


def open_from_menu(win, qtbot):
    """Help -> Lessons, by its menu action."""
    help_menu = next(a.menu() for a in win.menuBar().actions() if a.text() == "&Help")
    next(a for a in help_menu.actions() if a.text() == "&Lessons").trigger()
    panel = win.lessons_panel
    assert win.lessons_dock.isVisible()
    return panel


def hover(qtbot, win, x: float, y: float) -> None:
    canvas = win.canvas
    qtbot.mouseMove(canvas.viewport(), canvas.to_viewport(x + 0.5, y + 0.5))  # a move from elsewhere first
    qtbot.mouseMove(canvas.viewport(), canvas.to_viewport(x, y))


def run_lesson(qtbot, panel) -> None:
    with qtbot.waitSignal(panel.run_finished, timeout=120000):
        qtbot.mouseClick(panel.run_button, Qt.MouseButton.LeftButton)


def test_seven_lessons_ship_each_with_a_question_a_note_and_a_set_up():
    assert [lesson.title for lesson in LESSONS] == [
        "One neuron", "Step against sigmoid", "Layers", "Feedforward in matrices", "Backpropagation",
        "Gradient descent", "Spiral challenge"]
    for lesson in LESSONS:
        assert lesson.question and lesson.after and lesson.text
    assert LESSONS[0].setup.hidden == () and LESSONS[6].goal == 0.9 and len(LESSONS[6].hints) >= 3


@pytest.mark.parametrize("broken, problem", [
    (GOOD.replace('"xor"', '"xo"'), 'setup "preset"'),
    (GOOD.replace('"hidden": [2]', '"hidden": [2], "weights": [[1, 2, 0, 1.0]]'), 'setup "weights"'),
    (GOOD.replace('"hidden": [2]', '"hidden": [2], "biases": [[3, 0, 1.0]]'), 'setup "biases"'),
    (GOOD.replace('"title": "T",', '"title": "T" "x",'), "JSON block, line 2"),
    (GOOD.replace("## Predict first", "## Guess first"), "Predict first"),
    (GOOD.replace('"hidden": [2]', '"hidden": [99]'), 'setup "hidden"'),
    (GOOD.replace('"title": "T",', '"title": "T", "colour": 1,'), 'unknown field "colour"'),
    (GOOD.replace("---\n{", "{", 1), "JSON block between two lines"),
])
def test_a_bad_lesson_file_is_one_message_naming_the_file(broken, problem):
    assert parse_lesson(GOOD, "good.md", 1).setup.hidden == (2,)
    with pytest.raises(LessonError) as error:
        parse_lesson(broken, "08-mine.md", 8)
    message = str(error.value)
    assert message.startswith("lesson file 08-mine.md: ") and problem in message and "\n" not in message


def test_the_window_refuses_a_bad_lesson_folder_and_changes_nothing(qtbot, window, tmp_path, monkeypatch):
    (tmp_path / "01-good.md").write_text(GOOD, encoding="utf-8")
    (tmp_path / "02-bad.md").write_text(GOOD.replace('"xor"', '"xo"'), encoding="utf-8")
    monkeypatch.setenv(LESSONS_DIR_VARIABLE, str(tmp_path))
    points = window.model.points.copy()
    assert window.show_lessons() is False
    assert "02-bad.md" in window.statusBar().currentMessage()
    np.testing.assert_array_equal(window.model.points, points)
    assert window.config().architecture.hidden == (4, 2)
    assert app.main(["--lesson", "1"]) == 2


def test_an_unknown_lesson_number_is_one_line_listing_the_lessons_and_exit_2(capsys):
    assert app.main(["--lesson", "99"]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "no lesson 99" in err and "1 One neuron" in err and "7 Spiral challenge" in err


def test_lesson_and_screenshot_render_the_lessons_window(qtbot, tmp_path):
    path = tmp_path / "lesson4.png"
    assert app.main(["--lesson", "4", "--screenshot", str(path)]) == 0
    assert path.stat().st_size > 10_000


@pytest.mark.parametrize("number", range(1, len(LESSONS) + 1))
def test_each_lesson_sets_the_sandbox_up_completely_in_one_undo_step(qtbot, window, number):
    lesson = LESSONS[number - 1]
    window.controls.learning_rate.setCurrentIndex(window.controls.learning_rate.findData(1.0))
    window.controls.batch_size.setValue(77)
    before = window.config()
    assert window.show_lessons(number)
    snap = settle(window)
    s = lesson.setup
    arch, settings = window.config().architecture, window.config().settings
    assert (arch.hidden, arch.activations, arch.features) == (s.hidden, s.activations, s.features)
    assert (settings.learning_rate, settings.optimizer, settings.batch_size) == (
        s.learning_rate, s.optimizer, s.batch_size)
    assert snap.layer_sizes == (len(s.features), *s.hidden, 1) and snap.epoch == 0
    assert snap.settings.learning_rate == s.learning_rate and snap.settings.batch_size == s.batch_size
    assert window.controls.preset.currentData() == s.preset and len(window.model) == s.points
    assert window.controls.speed.currentData() == s.speed
    assert window.lessons_panel.title.text().endswith(f"{number}. {lesson.title}</h3>")
    assert set(window.lessons_panel.highlighter.shown()) | set(window.lessons_panel.highlighter.missing) == set(
        lesson.highlight)
    assert not window.lessons_panel.highlighter.missing
    window.undo_stack.undo()  # the whole set-up is one step
    assert window.config().architecture == before.architecture
    assert window.config().settings.training() == before.settings.training()


def test_next_back_and_progress_are_remembered(qtbot, window):
    window.settings.remove("lessons")  # a student who never opened the lessons
    panel = open_from_menu(window, qtbot)
    assert panel.lesson.number == 1 and not panel.back.isEnabled()
    qtbot.mouseClick(panel.next, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(panel.next, Qt.MouseButton.LeftButton)
    assert panel.lesson.number == 3 and window.config().architecture.hidden == ()
    qtbot.mouseClick(panel.back, Qt.MouseButton.LeftButton)
    assert panel.lesson.number == 2 and window.config().architecture.activations == ("step",)
    fastest(window)
    run_lesson(qtbot, panel)
    assert panel.note_shown and "What just happened" in panel.note.text()
    window.close()
    again = make_window(qtbot, preset="circle", seed=0)
    try:
        assert again.show_lessons()
        assert again.lessons_panel.lesson.number == 2 and again.lessons_panel.done() == {2}
        assert "●" in again.lessons_panel.progress.text()
    finally:
        again.close()


def test_lesson_1_sliders_move_the_neuron_and_s_and_a_follow_the_mouse(qtbot, window):
    window.show_lessons(1)
    view = window.lessons_panel.view
    settle(window)
    w1, w2, b = view.sliders
    w1.setValue(150)
    w2.setValue(-50)
    b.setValue(25)
    snap = settle(window)
    np.testing.assert_allclose(snap.weights[0][:, 0], [1.5, -0.5])
    assert snap.biases[0][0] == 0.25
    hover(qtbot, window, 1.0, -2.0)
    x = np.array([view.point])
    sums, acts = network_from(window.controller.latest).trace(transform(x, ["x1", "x2"]))
    assert view.values["s"] == pytest.approx(sums[0][0, 0]) and view.values["a"] == pytest.approx(acts[1][0, 0])
    assert view.values["s"] == pytest.approx(1.5 * x[0, 0] - 0.5 * x[0, 1] + 0.25)
    assert f"{view.values['s']:+.3f}" in view.readout.text()
    fastest(window)
    run_lesson(qtbot, window.lessons_panel)
    trained = settle(window)
    assert not np.allclose(trained.weights[0][:, 0], [1.5, -0.5])  # training moved the same knobs
    qtbot.waitUntil(lambda: w1.value() == round(trained.weights[0][0, 0] * 100), timeout=20000)  # sliders follow


def test_lesson_2_step_never_moves_and_the_plots_mark_the_points_s(qtbot, window):
    window.show_lessons(2)
    panel = window.lessons_panel
    start = settle(window)
    np.testing.assert_array_equal(start.weights[0][:, 0], [0.5, -0.5])  # the lesson's bad start: the diagonal
    assert start.biases[0][0] == 0.0
    assert not panel.note_shown and "press Run" in panel.note.text()
    fastest(window)
    run_lesson(qtbot, panel)
    snap = settle(window)
    np.testing.assert_array_equal(snap.weights[0], start.weights[0])  # no gradient through the step
    panel.view.refresh(snap)
    train = window.model.points[~window.model.test_mask][:200]
    sums, _ = network_from(snap).trace(transform(train, list(snap.features)))
    np.testing.assert_allclose(panel.view.s_values, sums[0][:, 0])
    assert "100% of the dots have f′(s) = 0" in panel.view.title.text()
    window.controls.activation.setCurrentIndex(window.controls.activation.findData("sigmoid"))
    run_lesson(qtbot, panel)
    moved = settle(window)
    assert not np.allclose(moved.weights[0], start.weights[0])
    qtbot.waitUntil(lambda: "100%" not in panel.view.title.text(), timeout=20000)
    assert "0% of the dots" in panel.view.title.text() and "100%" not in panel.view.title.text()


def test_lesson_3_one_neuron_fails_on_xor_and_the_student_adds_a_layer(qtbot, window):
    window.show_lessons(3)
    fastest(window)
    run_lesson(qtbot, window.lessons_panel)
    assert settle(window).test_accuracy < 0.75
    qtbot.mouseClick(window.network.layers_plus, Qt.MouseButton.LeftButton)
    assert window.config().architecture.hidden == (4,) and window.config().architecture.activations == ("tanh",)
    assert settle(window).layer_sizes == (2, 4, 1)


def test_lesson_4_feedforward_view_matches_the_engine(qtbot, window):
    window.show_lessons(4)
    fastest(window)
    window.controller.step(20)
    snap = window.controller.latest
    assert window.controller.wait_until(lambda s: s.epoch >= 20)
    hover(qtbot, window, 1.5, -2.0)
    view = window.lessons_panel.view
    snap = window.controller.latest
    a0, layers = view.passes
    net = network_from(snap)
    sums, acts = net.trace(transform(np.array([view.point]), list(snap.features)))
    np.testing.assert_allclose(a0, acts[0][0])
    assert abs(view.point[0] - 1.5) < 0.1 and abs(view.point[1] + 2.0) < 0.1
    previous = a0
    for l, layer in enumerate(layers, start=1):
        assert layer.W.shape == (snap.layer_sizes[l], snap.layer_sizes[l - 1])
        np.testing.assert_array_equal(layer.W, snap.weights[l - 1].T)  # the article's W^l: the engine's transposed
        np.testing.assert_allclose(layer.s, layer.W @ previous + layer.b, atol=1e-12)
        np.testing.assert_allclose(layer.s, sums[l - 1][0], atol=1e-12)
        np.testing.assert_allclose(layer.a, acts[l][0], atol=1e-12)
        previous = layer.a
    text = view.text.toPlainText()
    assert "s¹ = W¹ a⁰ + b¹" in text and "a³ = σ(s³)" in text and f"{layers[-1].a[0]:+.3f}".replace("-", "−") in text


def test_lesson_5_four_equations_and_the_gradient_check(qtbot, window):
    window.show_lessons(5)
    panel = window.lessons_panel
    fastest(window)
    window.controller.step(10)
    assert window.controller.wait_until(lambda s: s.epoch >= 10)
    panel.view.neuron.setValue(2)
    snap = window.controller.latest
    panel.view.refresh(snap)
    out, hid = panel.view.reports
    point, label = window.model.points[0], int(window.model.labels[0])
    net = network_from(snap)
    x = transform(point.reshape(1, 2), list(snap.features))
    expected = explain_neuron(net, x, label, 1, 1)
    assert hid.delta == pytest.approx(expected.delta) and (hid.layer, hid.neuron) == (1, 1)
    dW, db = net.gradients(x, np.array([label]))
    assert hid.bias_gradient == pytest.approx(db[0][1], abs=1e-12)
    np.testing.assert_allclose(hid.weight_gradients, dW[0][:, 1], atol=1e-12)
    assert out.delta == pytest.approx(out.a - out.target)
    text = panel.view.text.toPlainText()
    assert f"{hid.delta:+.4f}" in text and f"{out.delta:+.4f}" in text
    outline = window.findChild(QFrame, "highlight-check-result")
    qtbot.wait(2000)  # past the blinking
    assert window.controls.check_result.text() == "" and not outline.isVisible()  # no empty box outlined
    with qtbot.waitSignal(window.controller.gradient_checked, timeout=60000):
        qtbot.mouseClick(window.controls.check, Qt.MouseButton.LeftButton)
    assert "agrees" in window.controls.check_result.text()
    qtbot.waitUntil(outline.isVisible, timeout=5000)  # the answer, outlined


def test_lesson_6_rates_are_kept_side_by_side(qtbot, window):
    window.show_lessons(6)
    panel = window.lessons_panel
    fastest(window)
    for rate in (0.0001, 10.0):
        button = panel.view.findChild(type(panel.run_button), f"lesson-rate-{rate:g}")
        with qtbot.waitSignal(panel.run_finished, timeout=120000):
            qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        assert window.config().settings.learning_rate == rate
    assert list(panel.view.curves) == ["η 0.0001, batch 10", "η 10, batch 10"]
    slow, fast = panel.view.curves.values()
    assert len(slow[0]) >= 150 and panel.note_shown


def test_lesson_7_goal_and_hint_ladder(qtbot, window):
    window.show_lessons(7)
    view = window.lessons_panel.view
    assert "Goal: test accuracy ≥ 90%" in view.status.text()
    for shown in range(1, len(LESSONS[6].hints) + 1):
        assert view.hint_button.isEnabled()
        qtbot.mouseClick(view.hint_button, Qt.MouseButton.LeftButton)
        assert view.hint_text.text().count("<b>Hint") == shown
    assert not view.hint_button.isEnabled()
    snap = settle(window)
    view.refresh(snap)
    assert f"{snap.test_accuracy:.1%}" in view.status.text()


def ringed(win) -> list[tuple[float, float]]:
    return [(round(x, 9), round(y, 9)) for x, y in win.canvas.marked()]


def at(win, index: int) -> list[tuple[float, float]]:
    x, y = win.model.points[index]
    return [(round(float(x), 9), round(float(y), 9))]


def lonely(win) -> int:
    """The point farthest from its nearest neighbour: a click there picks it and no other."""
    points = win.model.points
    gaps = np.linalg.norm(points[:, None] - points[None], axis=2) + np.eye(len(points)) * 1e9
    return int(np.argmax(gaps.min(axis=1)))


def test_lesson_5_rings_the_point_it_explains_until_the_lesson_is_left(qtbot, window):
    assert ringed(window) == []
    window.show_lessons(5)
    panel = window.lessons_panel
    qtbot.waitUntil(lambda: ringed(window) == at(window, 0), timeout=60000)  # the first point, at first
    k = lonely(window)
    x, y = window.model.points[k]
    qtbot.mouseClick(window.canvas.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ControlModifier,
                     window.canvas.to_viewport(float(x), float(y)))  # Ctrl+click chooses another
    assert panel.view.index == k and ringed(window) == at(window, k)
    assert f"Point {k + 1} at ({x:+.2f}, {y:+.2f})" in panel.view.text.toPlainText()
    qtbot.mouseClick(panel.next, Qt.MouseButton.LeftButton)  # lesson 6 explains no point
    assert ringed(window) == []
    settle(window)
    qtbot.wait(200)  # snapshots keep coming: the ring stays gone
    assert ringed(window) == []
    qtbot.mouseClick(panel.back, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: ringed(window) == at(window, 0), timeout=60000)
    window.lessons_dock.close()  # closing the lessons takes the ring too
    settle(window)
    qtbot.wait(200)
    assert ringed(window) == []


def test_the_inspector_rings_its_point_while_it_is_open(qtbot, window):
    qtbot.mouseClick(window.network.viewport(), Qt.MouseButton.LeftButton,
                     pos=window.network.neuron_center(1, 0))
    qtbot.waitUntil(window.inspector_dock.isVisible, timeout=5000)
    assert ringed(window) == at(window, 0)
    k = lonely(window)
    x, y = window.model.points[k]
    qtbot.mouseClick(window.canvas.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ControlModifier,
                     window.canvas.to_viewport(float(x), float(y)))
    assert ringed(window) == at(window, k)
    window.inspector_dock.close()
    assert ringed(window) == []


def test_lesson_6_batch_sizes_show_their_noise_in_the_loss_curve(qtbot, window):
    window.show_lessons(6)
    panel = window.lessons_panel
    assert "batch-size" in panel.highlighter.shown()
    fastest(window)
    qtbot.wait(300)  # the dock laid out
    whole = panel.view.findChild(type(panel.run_button), "lesson-batch-500")
    place = whole.mapTo(window, whole.rect().center())
    for batch in (1, 500):
        button = panel.view.findChild(type(panel.run_button), f"lesson-batch-{batch}")
        qtbot.wait(100)  # laid out again after the last run
        assert whole.mapTo(window, whole.rect().center()) == place  # the note coming moved no button
        with qtbot.waitSignal(panel.run_finished, timeout=120000):
            qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        assert window.controls.batch_size.value() == batch  # set on the control the lesson outlines
        settings = window.config().settings
        assert settings.batch_size == batch and settings.learning_rate == 0.03
    assert list(panel.view.curves) == ["η 0.03, batch 1", "η 0.03, the whole set"]
    (small_rose, small_jitter), (whole_rose, whole_jitter) = panel.view.noise.values()
    epochs, small = panel.view.curves["η 0.03, batch 1"]
    # Compared over the same epochs, though training at full speed ran past the run's end.
    assert [list(x) for x, _ in panel.view.curves.values()] == [list(range(1, 201))] * 2
    steps = np.diff(small)
    assert small_jitter == pytest.approx(np.std(steps)) and small_rose == pytest.approx(np.mean(steps > 0))
    assert small_rose > 0.2 and whole_rose == 0.0  # a batch of 1 climbs in many epochs, the whole set never
    assert small_jitter > 100 * whole_jitter
    summary = panel.view.summary.text()
    assert f"<td align=center>{small_rose:.0%}</td>" in summary and "η 0.03, the whole set" in summary


@pytest.mark.parametrize("size, canvas", [((1280, 720), 320), ((1366, 768), 370)])
@pytest.mark.parametrize("number", [4, 5])
def test_with_the_lessons_open_on_a_laptop_screen_the_canvas_stays_usable(qtbot, window, size, canvas, number):
    window.showNormal()
    window.resize(*size)
    qtbot.wait(50)
    window.show_lessons(number)
    panel = window.lessons_panel
    # A quarter of the window for the lesson (at first the dock, and the canvas, still have their old room).
    qtbot.waitUntil(lambda: window.lessons_dock.width() <= size[0] // 4 + 10, timeout=5000)
    qtbot.wait(200)  # the canvas takes its room back once the dock is laid out
    assert min(window.canvas.width(), window.canvas.height()) >= canvas
    assert window.network.width() >= 280  # the network column gave what it could spare, not more
    assert window.controls_scroll.verticalScrollBar().maximum() == 0
    for plot in (window.loss_plot.plot, window.gradient_plot.plot):  # stacked, each as wide as the column
        assert plot.width() >= 250 and plot.height() >= 100
    assert panel.text.height() >= 4 * panel.text.fontMetrics().lineSpacing()  # the lesson's text is readable
    assert panel.progress.width() >= panel.progress.sizeHint().width()  # "5/7 ○○○○○○○" is not cut
    truncated = [b.text() for b in panel.findChildren(QAbstractButton)
                 if b.isVisible() and b.text() and b.width() < b.minimumSizeHint().width()]
    assert truncated == []
    if number == 4:
        hover(qtbot, window, 1.5, -2.0)
        qtbot.waitUntil(lambda: panel.view.passes is not None, timeout=5000)
        assert panel.view.text.horizontalScrollBar().maximum() == 0  # the matrices fit the dock's width


def test_the_step_notice_is_whole_in_the_narrow_canvas_column_beside_the_lessons(qtbot, window):
    window.showNormal()
    window.resize(1280, 720)
    qtbot.wait(50)
    window.show_lessons(2)  # step against sigmoid: the notice is the lesson
    qtbot.wait(300)
    slot = window.notice_slot.geometry()
    for _ in range(3):
        qtbot.keyClick(window, Qt.Key.Key_S)
    qtbot.waitUntil(lambda: window.notice.kind == "step", timeout=60000)
    label = window.notice.text
    assert label.height() >= label.heightForWidth(label.width())  # every line of it shows
    assert window.notice.to_sigmoid.geometry().top() >= label.geometry().bottom()
    assert window.notice_slot.geometry() == slot  # and its coming moved nothing


def test_closing_the_lessons_puts_the_plots_side_by_side_again(qtbot, window):
    window.showNormal()
    window.resize(1366, 768)
    qtbot.wait(50)
    side_by_side = window.gradient_plot.plot.geometry().height()
    window.show_lessons(4)
    qtbot.wait(300)
    plots = window.gradient_plot.parentWidget()
    assert plots.orientation() == Qt.Orientation.Vertical
    window.lessons_dock.close()
    qtbot.wait(300)
    assert plots.orientation() == Qt.Orientation.Horizontal
    assert window.gradient_plot.plot.geometry().height() >= side_by_side - 20
