"""Drawing stays cheap without becoming less current: plots take turns while training runs,
and after pause, step and reset every view shows the trainer's latest state."""

from __future__ import annotations

import gc

import numpy as np
import pytest
from helpers import settle
from PySide6.QtCore import Qt

from gui.app import main, settle_heap
from gui.widgets.axes import log_span, round_end


def shown_everywhere(window, snap) -> bool:
    """Whether every view shows ``snap``: the map, the loss and gradient curves, the epoch."""
    loss_x = window.loss_plot.train_curve.xData
    gradient_x = window.gradient_plot.curves[0].xData if window.gradient_plot.curves else None
    drawn_loss = (loss_x is None or len(loss_x) == 0) if snap.epoch == 0 else (
        loss_x is not None and len(loss_x) and loss_x[-1] == snap.epoch)
    drawn_gradients = snap.epoch == 0 or (gradient_x is not None and len(gradient_x) and gradient_x[-1] == snap.epoch)
    return (window.canvas.decision.image is not None
            and np.array_equal(window.canvas.decision.image, snap.decision_rgb)
            and bool(drawn_loss) and bool(drawn_gradients)
            and window.controls.epoch.text() == f"Epoch {snap.epoch:,}")


def test_while_training_the_plots_take_turns_and_each_keeps_redrawing(qtbot, window):
    frames: list[set[str]] = []  # per frame drawn: "playing" if its snapshot was, and the plots redrawn
    loss_redraw, gradient_redraw, draw = window.loss_plot.redraw, window.gradient_plot.redraw, window.draw

    def counted_draw(snap):
        frames.append({"playing"} if snap.playing else set())
        draw(snap)

    def loss(*args):
        frames[-1].add("loss")
        loss_redraw(*args)

    def gradients(*args):
        frames[-1].add("gradient")
        gradient_redraw(*args)

    window.draw, window.loss_plot.redraw, window.gradient_plot.redraw = counted_draw, loss, gradients
    window.controls.play.click()
    qtbot.waitUntil(lambda: sum("loss" in f for f in frames) >= 5 and sum("gradient" in f for f in frames) >= 5,
                    timeout=30000)
    window.controls.play.click()
    playing_frames = [f - {"playing"} for f in frames if "playing" in f]  # paused frames redraw both
    assert len(playing_frames) >= 10
    assert all(len(f) <= 1 for f in playing_frames), "both plots redrawn in one frame while training"
    snap = settle(window)
    qtbot.waitUntil(lambda: shown_everywhere(window, window.controller.latest), timeout=20000)
    assert not snap.playing


@pytest.mark.parametrize("action", ["pause", "step", "reset"])
def test_every_view_shows_the_latest_state_after_pause_step_and_reset(qtbot, window, action):
    window.controls.play.click()
    assert window.controller.wait_until(lambda s: s.epoch >= 30, timeout=60)
    if action == "pause":
        window.controls.play.click()
    elif action == "step":
        qtbot.keyClick(window, Qt.Key.Key_S)  # stops training, then one more epoch
    else:
        window.controls.reset.click()
    snap = settle(window)
    assert not snap.playing
    qtbot.waitUntil(lambda: shown_everywhere(window, window.controller.latest), timeout=20000)
    if action == "reset":
        assert window.controller.latest.epoch == 0
        assert window.loss_plot.plot.getPlotItem().viewRange()[0][1] < 20  # the axes start over too


def test_the_map_follows_a_change_made_while_paused(qtbot, window):
    window.controls.play.click()
    assert window.controller.wait_until(lambda s: s.epoch >= 20, timeout=60)
    window.controls.play.click()
    before = settle(window)
    qtbot.waitUntil(lambda: shown_everywhere(window, window.controller.latest), timeout=20000)
    window.controls.reset.click()  # new weights: a new map, drawn although training stays paused
    after = settle(window)
    assert not np.array_equal(before.decision_rgb, after.decision_rgb)
    qtbot.waitUntil(lambda: np.array_equal(window.canvas.decision.image, window.controller.latest.decision_rgb),
                    timeout=20000)


def test_round_ends_grow_by_at_most_a_third_and_cover_the_value():
    values = np.concatenate([np.linspace(0, 50, 501), np.geomspace(50, 5e7, 400)])
    ends = [round_end(v) for v in values]
    assert all(end >= max(v, 10) for end, v in zip(ends, values, strict=True))
    distinct = sorted(set(ends))
    assert all(b / a <= 4 / 3 + 1e-9 for a, b in zip(distinct, distinct[1:], strict=False))
    assert round_end(0) == 10 and round_end(1000) == 1000 and round_end(1001) == 1200


def test_log_spans_are_whole_eighths_of_a_decade_around_the_values():
    for low, high in ((0.0123, 0.7), (1e-9, 3.0), (2.0, 2.0), (0.5, 1e6)):
        bottom, top = log_span(low, high)
        assert bottom <= np.log10(low) and top >= np.log10(high) and top > bottom
        assert (bottom * 8) == pytest.approx(round(bottom * 8)) and (top * 8) == pytest.approx(round(top * 8))


def test_the_window_reports_each_snapshot_it_draws_to_the_trainer(qtbot, window):
    drawn: list[int] = []
    draw = window.draw

    def recorded(snap):
        drawn.append(snap.serial)
        draw(snap)

    window.draw = recorded
    window.controls.play.click()
    qtbot.waitUntil(lambda: len(drawn) >= 10, timeout=30000)
    window.controls.play.click()
    settle(window)
    qtbot.waitUntil(lambda: drawn[-1] == window.controller.latest.serial, timeout=20000)
    assert window.controller.process.drawn == drawn[-1]  # what backpressure counts on
    assert drawn == sorted(drawn) and len(set(drawn)) == len(drawn)  # each drawn once, in order


def test_settle_heap_sets_start_up_objects_aside_and_collects_again():
    gc.disable()
    try:
        settle_heap()
        assert gc.isenabled() and gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
        gc.enable()


def test_start_up_leaves_the_garbage_collector_on_after_a_screenshot_or_a_bad_option(tmp_path, qapp, monkeypatch):
    monkeypatch.setenv("NEURAL_SANDBOX_DATA_DIR", str(tmp_path / "data"))
    with pytest.raises(SystemExit):
        main(["--layers", "4,99"])
    assert gc.isenabled()
    assert main(["--screenshot", str(tmp_path / "shot.png")]) == 0
    assert gc.isenabled() and (tmp_path / "shot.png").stat().st_size > 0
