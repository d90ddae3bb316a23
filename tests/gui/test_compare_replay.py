"""Replay in compare mode: the timeline stays on screen, scrubs run A, and run B shows the same epoch."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import make_window
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton, QSlider
from test_compare import choose


@pytest.fixture
def compare(qtbot):
    """Compare mode (Ctrl+K), B differing in its learning rate only (same shape: same starting weights)."""
    win = make_window(qtbot, preset="circle", seed=0)
    qtbot.keyClick(win, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    panel = win.compare.panel
    choose(qtbot, panel.value, "same as A")
    choose(qtbot, panel.kind, "learning rate")
    choose(qtbot, panel.value, "learning rate 0.3")
    b = win.compare.b
    qtbot.waitUntil(lambda: b.latest is not None and b.latest.settings.learning_rate == 0.3
                    and b.latest.n_train > 0, timeout=20000)
    yield win
    win.close()


def step_both(qtbot, win, epochs: int) -> None:
    """Click Step ``epochs`` times; wait until both runs stand on that epoch."""
    a, b = win.controller, win.compare.b
    start = a.latest.epoch
    for _ in range(epochs):
        win.controls.step.click()
    qtbot.waitUntil(lambda: a.latest.epoch == start + epochs and b.latest.epoch == start + epochs
                    and not a.latest.replay and not b.latest.replay, timeout=20000)


def timeline(win) -> QSlider:
    slider = win.findChild(QSlider, "timeline")
    assert slider is not None
    return slider


def key(qtbot, win, which: Qt.Key) -> None:
    """A key on the timeline, as a user who gave it the focus (←, →, Home, End)."""
    slider = timeline(win)
    # The timeline takes the run's keyframes on the window's next frame: a user sees them before pressing
    qtbot.waitUntil(lambda: slider.maximum() == len(win.controller.keyframes) > 0, timeout=5000)
    slider.setFocus()
    qtbot.keyClick(slider, which)


def showing(qtbot, win, epoch: int) -> None:
    """Wait until A's trainer shows its keyframe at ``epoch`` and B's trainer one of B's."""
    a, b = win.controller, win.compare.b
    qtbot.waitUntil(lambda: a.latest.replay and a.latest.epoch == epoch and b.latest.replay
                    and b.latest.seq >= b.process.last_seq, timeout=20000)


def test_the_timeline_is_on_the_compare_panel_and_b_replays_the_epoch_a_shows(compare, qtbot):
    a, b = compare.controller, compare.compare.b
    panel = compare.compare.panel
    slider = timeline(compare)
    assert slider.isVisible() and panel.isAncestorOf(slider)  # not hidden with the network view and plots
    step_both(qtbot, compare, 3)  # stepped epochs are kept by both runs: 0, 1, 2, 3
    live_b = [np.array(w) for w in b.latest.weights]
    key(qtbot, compare, Qt.Key.Key_Home)
    showing(qtbot, compare, 0)
    assert b.latest.epoch == 0
    for wa, wb in zip(a.latest.weights, b.latest.weights, strict=True):
        assert np.array_equal(wa, wb)  # epoch 0 of both: one shared seed, the same weights
    qtbot.waitUntil(lambda: panel.figures["A"].text().startswith("replaying epoch 0"), timeout=5000)
    qtbot.waitUntil(lambda: panel.figures["B"].text().startswith("replaying epoch 0"), timeout=5000)
    qtbot.waitUntil(lambda: panel.marker.isVisible() and panel.marker.value() == 0, timeout=5000)
    key(qtbot, compare, Qt.Key.Key_Right)
    key(qtbot, compare, Qt.Key.Key_Right)
    showing(qtbot, compare, 2)
    assert b.latest.epoch == 2
    kept = b.keyframes.keyframes[b.keyframes.index_at(2)]
    for wb, wk in zip(b.latest.weights, kept.arrays()[0], strict=True):
        assert np.allclose(wb, wk)  # B's own network as it was at epoch 2
    qtbot.waitUntil(lambda: panel.marker.value() == 2, timeout=5000)  # drawn on the panel's next frame
    assert compare.replay.timeline.label.text().startswith("Replaying epoch 2 of 3")
    resume = compare.findChild(QPushButton, "continue-here")
    assert resume.isVisible() and not resume.isEnabled() and "Keep A or Keep B" in resume.toolTip()
    compare.findChild(QPushButton, "back-to-live").click()
    qtbot.waitUntil(lambda: not a.latest.replay and not b.latest.replay and a.latest.epoch == 3
                    and b.latest.epoch == 3, timeout=20000)
    for wb, live in zip(b.latest.weights, live_b, strict=True):
        assert np.array_equal(wb, live)
    qtbot.waitUntil(lambda: not panel.marker.isVisible(), timeout=5000)
    compare.controls.play.click()  # both train on from the live end, aligned as before
    qtbot.waitUntil(lambda: a.latest.epoch >= 30 and b.latest.epoch >= 30, timeout=30000)


def test_scrubbing_while_both_train_pauses_both_and_play_resumes_both(compare, qtbot):
    a, b = compare.controller, compare.compare.b
    compare.controls.play.click()
    qtbot.waitUntil(lambda: b.latest.epoch >= 100, timeout=30000)
    key(qtbot, compare, Qt.Key.Key_Home)
    showing(qtbot, compare, 0)
    assert not compare.controls.play.isChecked()
    assert b.latest.epoch == 0 and not b.latest.playing
    compare.controls.play.click()  # Play goes back to live in A; B follows
    qtbot.waitUntil(lambda: not a.latest.replay and not b.latest.replay and b.latest.epoch >= 150, timeout=30000)


def test_b_with_no_keyframe_at_as_epoch_shows_its_last_before_and_says_so(compare, qtbot):
    b = compare.compare.b
    step_both(qtbot, compare, 2)
    b.keyframes.replace([k for k in b.keyframes.keyframes if k.epoch != 2])  # as if thinned away in B only
    key(qtbot, compare, Qt.Key.Key_Home)
    key(qtbot, compare, Qt.Key.Key_Right)
    key(qtbot, compare, Qt.Key.Key_Right)
    showing(qtbot, compare, 2)
    assert b.latest.epoch == 1
    figures = compare.compare.panel.figures["B"]
    qtbot.waitUntil(lambda: figures.text().startswith("replaying epoch 1") and "(none kept at 2)" in figures.text(),
                    timeout=5000)
    canvases = compare.compare.panel.canvases
    qtbot.wait(100)  # a layout pass
    assert abs(canvases["A"].width() - canvases["B"].width()) <= 1  # B's longer line does not widen its map


def test_keep_b_while_replaying_goes_on_from_bs_live_network(compare, qtbot):
    a, b = compare.controller, compare.compare.b
    step_both(qtbot, compare, 3)
    live_b = [np.array(w) for w in b.latest.weights]
    key(qtbot, compare, Qt.Key.Key_Home)
    showing(qtbot, compare, 0)
    compare.compare.panel.findChild(QPushButton, "compare-keep-b").click()
    assert not compare.compare.active
    qtbot.waitUntil(lambda: not a.latest.replay and a.latest.epoch == 3
                    and a.latest.settings.learning_rate == 0.3, timeout=20000)
    for wa, wb in zip(a.latest.weights, live_b, strict=True):
        assert np.array_equal(wa, wb)  # B's live network, not the epoch it was replaying


def test_keep_a_while_replaying_gives_the_timeline_back_and_continue_works_again(compare, qtbot):
    a = compare.controller
    step_both(qtbot, compare, 3)
    key(qtbot, compare, Qt.Key.Key_Home)
    key(qtbot, compare, Qt.Key.Key_Right)
    showing(qtbot, compare, 1)
    compare.compare.panel.findChild(QPushButton, "compare-keep-a").click()
    slider = timeline(compare)
    assert slider.isVisible() and compare.middle.isAncestorOf(slider)
    assert a.latest.replay and a.latest.epoch == 1  # still replaying A, now on its own
    resume = compare.findChild(QPushButton, "continue-here")
    qtbot.waitUntil(resume.isEnabled, timeout=20000)
    resume.click()
    qtbot.waitUntil(lambda: not a.latest.replay and a.latest.epoch > 1, timeout=20000)
    assert compare.undo_stack.undoText() == "Continue from here"


def test_b_keeps_its_network_at_every_epoch_a_kept_so_a_replay_finds_both_at_one_epoch(compare, qtbot):
    a, b = compare.controller, compare.compare.b
    compare.controls.play.click()  # as fast as they go: each trainer's clock alone would pick other epochs
    qtbot.waitUntil(lambda: b.latest.epoch >= 300, timeout=60000)
    compare.controls.play.click()
    qtbot.waitUntil(lambda: not a.latest.playing and b.latest.epoch == a.latest.epoch,
                    timeout=20000)
    qtbot.waitUntil(lambda: b.keyframes.keyframes[-1].epoch == a.keyframes.keyframes[-1].epoch, timeout=20000)
    a_epochs, b_epochs = list(a.keyframes.epochs()), list(b.keyframes.epochs())
    assert len(a_epochs) > 20 and a_epochs == b_epochs
    key(qtbot, compare, Qt.Key.Key_Home)
    for _ in range(len(a_epochs) // 2):
        key(qtbot, compare, Qt.Key.Key_Right)
    middle = a_epochs[len(a_epochs) // 2]
    showing(qtbot, compare, middle)
    assert b.latest.epoch == middle
    qtbot.waitUntil(lambda: compare.compare.panel.figures["B"].text().startswith(f"replaying epoch {middle:,} "),
                    timeout=5000)
    assert "none kept" not in compare.compare.panel.figures["B"].text()


def test_keep_b_after_scrubbing_a_training_pair_goes_on_from_bs_newest_network(compare, qtbot):
    a, b = compare.controller, compare.compare.b
    compare.controls.play.click()
    qtbot.waitUntil(lambda: b.latest.epoch >= 200, timeout=60000)
    key(qtbot, compare, Qt.Key.Key_Home)  # B may train on past its last live snapshot before it stops
    showing(qtbot, compare, 0)
    newest = b.keyframes.keyframes[-1]
    assert newest.epoch >= b.live.epoch  # the live end B kept as it paused, or its last live snapshot
    compare.compare.panel.findChild(QPushButton, "compare-keep-b").click()
    qtbot.waitUntil(lambda: not a.latest.replay and a.latest.epoch == newest.epoch
                    and a.latest.settings.learning_rate == 0.3, timeout=20000)
    weights, _biases = newest.arrays()
    for wa, wk in zip(a.latest.weights, weights, strict=True):
        assert np.array_equal(wa, wk)
