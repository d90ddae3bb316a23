"""Replay: drag the timeline back and every view shows the network of that keyframe; continue from
there (one undo step); sessions keep the keyframes; Reset and an opened session start a new timeline."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import settle
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QSlider, QStyle, QStyleOptionSlider, QWidget

from engine import maps, palette
from engine.explain import explain_neuron
from engine.features import transform
from engine.keyframes import Keyframe
from engine.session_file import load_session
from engine.snapshot import MAP_RESOLUTION


def train(win, epochs: int):
    win.controller.step(epochs)
    snap = settle(win)
    assert snap.epoch >= epochs
    return snap


def handle_point(slider: QSlider, value: int) -> QPoint:
    """Where the slider's handle is drawn for ``value``, in the slider's coordinates."""
    option = QStyleOptionSlider()
    slider.initStyleOption(option)
    style = slider.style()
    groove = style.subControlRect(QStyle.ComplexControl.CC_Slider, option, QStyle.SubControl.SC_SliderGroove, slider)
    handle = style.subControlRect(QStyle.ComplexControl.CC_Slider, option, QStyle.SubControl.SC_SliderHandle, slider)
    span = groove.width() - handle.width()
    x = groove.x() + QStyle.sliderPositionFromValue(slider.minimum(), slider.maximum(), value, span)
    return QPoint(x + handle.width() // 2, handle.center().y())


def drag_timeline(win, position: int) -> None:
    """Drag the timeline's handle with the mouse from where it is to ``position``."""
    slider = win.replay.timeline.slider
    store = win.controller.keyframes
    assert win.controller.wait_until(lambda _: slider.maximum() == len(store), 20)  # the next frame drew it
    start, end = handle_point(slider, slider.value()), handle_point(slider, position)
    QTest.mousePress(slider, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
    for t in (0.25, 0.5, 0.75, 1.0):
        QTest.mouseMove(slider, QPoint(round(start.x() + t * (end.x() - start.x())), start.y()))
    QTest.mouseRelease(slider, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, end)
    assert slider.value() == position


def replayed(win, epoch: int | None = None):
    """Wait until the trainer publishes the keyframe the timeline asked for; return that snapshot."""
    ctl = win.controller
    seq = ctl.process.last_seq
    assert ctl.wait_until(lambda s: s.seq >= seq and s.replay and (epoch is None or s.epoch == epoch), 60)
    win._on_frame()  # the display timer's next frame: draws it
    return ctl.latest


def expected_decision(keyframe: Keyframe, snap) -> np.ndarray:
    """The decision map the engine computes from the keyframe's weights, as the trainer does."""
    net = keyframe.network(snap.task, "float32")
    cells = transform(maps.grid(maps.Bounds(*snap.bounds), MAP_RESOLUTION), list(snap.features), np.float32)
    out = net.activations(cells)[-1].reshape(MAP_RESOLUTION, MAP_RESOLUTION, -1)
    return palette.map_rgb(snap.task, out, False)


def test_dragging_the_timeline_back_shows_the_recorded_network_in_every_view(qtbot, window):
    view = window.network
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=view.neuron_center(1, 1))  # the inspector
    target = window.model.points[3]
    qtbot.mouseClick(window.canvas.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ControlModifier,
                     window.canvas.to_viewport(*target))
    window.space.show(1)
    live = train(window, 200)
    store = window.controller.keyframes
    position = store.index_at(20)
    keyframe = store.keyframes[position]
    assert 10 <= keyframe.epoch <= 20
    drag_timeline(window, position)
    snap = replayed(window, keyframe.epoch)
    timeline = window.replay.timeline
    assert timeline.label.text() == f"Replaying epoch {keyframe.epoch} of 200"
    assert window.controls.epoch.text() == f"Epoch {keyframe.epoch}" and "#E69F00" in window.controls.epoch.styleSheet()
    assert timeline.live.isEnabled() and timeline.resume.isEnabled()
    weights, biases = keyframe.arrays()
    # the decision map, the network's links and biases, the inspector, the losses: all the keyframe's
    np.testing.assert_array_equal(window.canvas.decision.image, expected_decision(keyframe, snap))
    assert not np.array_equal(window.canvas.decision.image, live.decision_rgb)
    np.testing.assert_array_equal(view.canvas._weights, np.concatenate([w.ravel() for w in weights]))
    np.testing.assert_array_equal(view.canvas._biases, np.concatenate(biases))
    net = keyframe.network(snap.task)
    x = transform(np.array([window.inspector.point]), list(snap.features))  # the picked point
    report = explain_neuron(net, x, int(window.inspector.label), 1, 1)
    assert window.inspector.report.bias_gradient == pytest.approx(report.bias_gradient, rel=1e-12, abs=1e-18)
    assert window.inspector.report.s == pytest.approx(report.s, rel=1e-12)
    np.testing.assert_array_equal(window.inspector.report.weights, weights[0][:, 1])
    m = window.model
    X = transform(m.points[~m.test_mask], list(snap.features))
    assert snap.train_loss == pytest.approx(net.loss(X, m.labels[~m.test_mask].astype(int)), rel=1e-12)
    assert f"{snap.train_loss:.4f}" in window.loss_plot.figures.text()
    assert all(marker.isVisible() and marker.value() == keyframe.epoch for marker in window.replay.markers)
    space = snap.layer_space  # the layer-space view is computed from the keyframe too
    hidden = keyframe.network(snap.task, "float32").activations(
        transform(m.points, list(snap.features), np.float32))[1]
    np.testing.assert_allclose(space.points, hidden[:, list(space.neurons)], rtol=1e-5, atol=1e-6)
    # training stayed where it was: back to live shows the same network as before
    timeline.live.click()
    back = settle(window)
    assert not back.replay and back.epoch == live.epoch
    np.testing.assert_array_equal(back.weights[0], live.weights[0])
    window._on_frame()
    assert timeline.label.text() == "Live" and not any(marker.isVisible() for marker in window.replay.markers)
    assert window.controls.epoch.text() == f"Epoch {live.epoch}"


def test_the_keys_move_along_the_timeline_and_scrubbing_pauses_training(qtbot, window):
    qtbot.mouseClick(window.controls.play, Qt.MouseButton.LeftButton)
    assert window.controller.wait_until(lambda s: s.epoch >= 300 and s.playing, 60)
    slider = window.replay.timeline.slider
    slider.setFocus()
    QTest.keyClick(slider, Qt.Key.Key_Home)  # the first keyframe: the initial weights
    snap = replayed(window, 0)
    assert not window.controls.play.isChecked() and not snap.playing
    paused_at = window.controller.keyframes.keyframes[-1].epoch  # recorded as the replay began
    QTest.keyClick(slider, Qt.Key.Key_Right)
    assert replayed(window, 1).epoch == 1
    QTest.keyClick(slider, Qt.Key.Key_End)  # the right end: live again, still paused
    back = settle(window)
    assert not back.replay and back.epoch == paused_at and not back.playing
    qtbot.wait(100)
    assert settle(window).epoch == paused_at


def test_play_while_replaying_goes_back_to_live_and_trains(qtbot, window):
    train(window, 100)
    drag_timeline(window, 3)
    replayed(window)
    qtbot.mouseClick(window.controls.play, Qt.MouseButton.LeftButton)
    assert window.controller.wait_until(lambda s: not s.replay and s.epoch > 120, 60)
    window._on_frame()
    assert window.replay.timeline.label.text() == "Live" and window.replay.shown is None


def test_continue_from_here_trains_from_the_keyframe_and_undo_restores_the_later_history(qtbot, window):
    ctl = window.controller
    for _ in range(15):  # in steps, so the gradient-flow plot gets a curve
        ctl.step(10)
        settle(window)
    live = ctl.latest
    assert live.epoch == 150
    before_epochs = list(ctl.keyframes.epochs())
    before_losses = ctl.losses.column(0).copy()
    before_norms = ctl.gradients.column(1).copy()
    assert len(before_norms) > 5
    position = ctl.keyframes.index_at(40)
    keyframe = ctl.keyframes.keyframes[position]
    drag_timeline(window, position)
    replayed(window, keyframe.epoch)
    qtbot.mouseClick(window.replay.timeline.resume, Qt.MouseButton.LeftButton)
    assert window.controls.play.isChecked()  # training starts again at once
    assert ctl.wait_until(lambda s: not s.replay and s.epoch >= keyframe.epoch + 30, 60)
    qtbot.mouseClick(window.controls.play, Qt.MouseButton.LeftButton)
    snap = settle(window)
    # the new run began at the keyframe's weights, bit for bit, and at its epoch
    first = ctl.keyframes.keyframes[ctl.keyframes.index_at(keyframe.epoch)]
    assert first.epoch == keyframe.epoch and first.params.tobytes() == keyframe.params.tobytes()
    epochs = ctl.losses.column(0)
    assert np.all(np.diff(epochs) > 0) and epochs[-1] == snap.epoch  # the later history went, none repeated
    assert len(epochs) == snap.epoch
    assert list(ctl.keyframes.epochs()[: position + 1]) == before_epochs[: position + 1]
    # one undo step puts the live network, its history and its keyframes back
    QTest.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    undone = settle(window)
    assert undone.epoch == live.epoch and not undone.playing
    np.testing.assert_array_equal(undone.weights[1], live.weights[1])
    assert ctl.wait_until(lambda s: len(ctl.losses.column(0)) == len(before_losses), 20)
    np.testing.assert_array_equal(ctl.losses.column(0), before_losses)
    assert list(ctl.keyframes.epochs()) == before_epochs
    np.testing.assert_array_equal(ctl.gradients.column(1), before_norms)  # the gradient flow's curves too
    QTest.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    redone = settle(window)
    assert redone.epoch == keyframe.epoch and list(ctl.keyframes.epochs()) == before_epochs[: position + 1]


def test_continue_is_refused_while_the_layers_use_another_activation(qtbot, window):
    train(window, 60)
    window.controls.activation.setCurrentIndex(window.controls.activation.findData("sigmoid"))
    train(window, 10)
    drag_timeline(window, window.controller.keyframes.index_at(20))
    replayed(window)
    window._on_frame()
    resume = window.replay.timeline.resume
    assert not resume.isEnabled() and "tanh" in resume.toolTip()


def test_a_saved_session_reopens_and_replays(qtbot, window, tmp_path):
    train(window, 120)
    path = tmp_path / "run.json"
    assert window.save_session(str(path))
    saved = load_session(path)
    assert len(saved.keyframes) >= 10 and saved.keyframes[0].epoch == 0 and saved.keyframes[-1].epoch == 120
    window.controls.reset.click()
    settle(window)
    assert list(window.controller.keyframes.epochs()) == [0]
    window.file_presenter.open(str(path))
    qtbot.waitUntil(lambda: not window.files.is_loading(), timeout=20000)
    ctl = window.controller
    assert ctl.wait_until(lambda s: s.epoch == 120 and len(ctl.keyframes) == len(saved.keyframes), 60)
    assert list(ctl.keyframes.epochs()) == [k.epoch for k in saved.keyframes]
    keyframe = saved.keyframes[4]
    drag_timeline(window, 4)
    snap = replayed(window, keyframe.epoch)
    for shown, kept in zip(snap.weights, keyframe.arrays()[0]):
        np.testing.assert_array_equal(shown, kept)
    np.testing.assert_array_equal(window.canvas.decision.image, expected_decision(keyframe, snap))


def test_scrubbing_after_reset_shows_the_new_run_only(qtbot, window):
    train(window, 80)
    drag_timeline(window, 5)
    replayed(window)
    window.controls.reset.click()  # Reset while replaying: a new run, live
    fresh = settle(window)
    window._on_frame()
    assert not fresh.replay and fresh.epoch == 0 and window.replay.timeline.label.text() == "Live"
    assert list(window.controller.keyframes.epochs()) == [0]
    live = train(window, 30)
    assert window.controller.keyframes.epochs()[-1] == 30
    drag_timeline(window, 0)
    snap = replayed(window, 0)
    assert snap.run == live.run  # a keyframe of this run, not of the one Reset ended
    first = window.controller.keyframes.keyframes[0]
    np.testing.assert_array_equal(snap.weights[0], first.arrays()[0][0])


def test_a_session_opened_over_a_running_one_replaces_the_timeline(qtbot, window, tmp_path):
    train(window, 60)
    path = tmp_path / "sixty.json"
    assert window.save_session(str(path))
    saved = load_session(path)
    window.controls.reset.click()
    qtbot.mouseClick(window.controls.play, Qt.MouseButton.LeftButton)
    assert window.controller.wait_until(lambda s: s.epoch > 200, 60)
    window.file_presenter.open(str(path))  # while it trains
    qtbot.waitUntil(lambda: not window.files.is_loading(), timeout=20000)
    ctl = window.controller
    assert ctl.wait_until(lambda s: s.epoch == 60 and not s.playing, 60)
    assert list(ctl.keyframes.epochs()) == [k.epoch for k in saved.keyframes]
    drag_timeline(window, 2)
    snap = replayed(window, saved.keyframes[2].epoch)
    np.testing.assert_array_equal(snap.biases[0], saved.keyframes[2].arrays()[1][0])


def test_the_timeline_has_stable_names(window):
    for name in ("timeline", "replay-label", "back-to-live", "continue-here"):
        assert window.findChild(QWidget, name) is not None, name


def test_drawing_a_point_while_replaying_keeps_the_replay_and_step_goes_live(qtbot, window):
    live = train(window, 60)
    drag_timeline(window, 4)
    before = replayed(window)
    canvas = window.canvas
    qtbot.mouseClick(canvas.viewport(), Qt.MouseButton.LeftButton, pos=canvas.to_viewport(5.5, 5.5))
    ctl = window.controller
    assert ctl.wait_until(lambda s: s.n_train + s.n_test == live.n_train + live.n_test + 1, 20)
    after = settle(window)
    assert after.replay and after.epoch == before.epoch  # the same keyframe, measured on the new points
    np.testing.assert_array_equal(after.weights[0], before.weights[0])
    qtbot.mouseClick(window.controls.step, Qt.MouseButton.LeftButton)  # Step: back to live, one epoch on
    stepped = settle(window)
    assert not stepped.replay and stepped.epoch == live.epoch + 1
    window._on_frame()
    assert window.replay.timeline.label.text() == "Live"


def test_saving_while_replaying_saves_the_live_network(qtbot, window, tmp_path):
    qtbot.mouseClick(window.controls.play, Qt.MouseButton.LeftButton)
    assert window.controller.wait_until(lambda s: s.epoch >= 150, 60)
    drag_timeline(window, 3)  # pauses training, wherever it was
    shown = replayed(window)
    paused = window.controller.keyframes.keyframes[-1]  # the live end, recorded as the replay began
    assert paused.epoch >= 150 and shown.epoch < paused.epoch
    path = tmp_path / "while-replaying.json"
    assert window.save_session(str(path))
    saved = load_session(path)
    assert saved.epoch == paused.epoch and saved.keyframes[-1].epoch == paused.epoch
    np.testing.assert_array_equal(np.array(saved.model["weights"][0]), paused.arrays()[0][0])
    assert window.controller.latest.replay  # saving changed nothing on screen
