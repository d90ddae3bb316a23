"""Hostile clicking: random clicks, drags, keys, control changes and layer edits while training.

Makes 400 random actions by default (a count, not a duration, so a busy machine makes the
test slower, never different); `pytest tests/gui/test_monkey.py --monkey-actions 5000` (or
NEURAL_SANDBOX_MONKEY_ACTIONS) runs longer.
At the end: no exception, no Qt warning, the trainer still trains, memory grew < 50 MB.
"""

from __future__ import annotations

import os
import random

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QInputDialog

from gui.main_window import UNDO_LIMIT, MainWindow, trim_heap

ACTIONS = int(os.environ.get("NEURAL_SANDBOX_MONKEY_ACTIONS", "400"))


def _rss_mb(pid: int | None = None) -> float:
    with open(f"/proc/{pid or 'self'}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def _random_action(rng: random.Random, win: MainWindow, qtbot) -> None:
    c, canvas, view = win.controls, win.canvas, win.network
    low, high = canvas.bounds.low, canvas.bounds.high
    spot = canvas.to_viewport(rng.uniform(low, high), rng.uniform(low, high))
    kind = rng.randrange(16)
    if kind == 0:
        modifier = rng.choice([Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.ShiftModifier,
                               Qt.KeyboardModifier.ControlModifier])
        button = rng.choice([Qt.MouseButton.LeftButton, Qt.MouseButton.RightButton])
        qtbot.mouseClick(canvas.viewport(), button, modifier, spot)
    elif kind == 1:
        c.tools.button(rng.randrange(3)).click()
        qtbot.mousePress(canvas.viewport(), Qt.MouseButton.LeftButton, pos=spot)
        for _ in range(rng.randrange(1, 8)):
            spot = spot + QPoint(rng.randint(-15, 15), rng.randint(-15, 15))
            qtbot.mouseMove(canvas.viewport(), spot)
        qtbot.mouseRelease(canvas.viewport(), Qt.MouseButton.LeftButton, pos=spot)
    elif kind == 2:
        key = rng.choice([Qt.Key.Key_Space, Qt.Key.Key_S, Qt.Key.Key_R, Qt.Key.Key_1, Qt.Key.Key_2,
                          Qt.Key.Key_3, Qt.Key.Key_4, Qt.Key.Key_Delete])
        qtbot.keyClick(win, key)
    elif kind == 3:
        qtbot.keyClick(win, Qt.Key.Key_Z, rng.choice([Qt.KeyboardModifier.ControlModifier,
                                                      Qt.KeyboardModifier.ControlModifier
                                                      | Qt.KeyboardModifier.ShiftModifier]))
    elif kind == 4:
        combo = rng.choice([c.learning_rate, c.activation, c.optimizer, c.regularization, c.reg_rate, c.speed])
        combo.setCurrentIndex(rng.randrange(combo.count()))
    elif kind == 5:
        c.batch_size.setValue(rng.randint(1, 60))
    elif kind == 6:
        rng.choice([view.layers_plus, view.layers_minus]).click()
    elif kind == 7:
        layers = len(win.config().architecture.hidden)
        if layers:
            header = view.layer_header(rng.randrange(layers) + 1)
            rng.choice([header.plus, header.minus]).click()
            if rng.random() < 0.3:
                header.combo.setCurrentIndex(rng.randrange(header.combo.count()))
    elif kind == 8:
        from engine.features import FEATURES

        name = rng.choice(list(FEATURES))
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=view.feature_center(name))
    elif kind == 9:
        c.ratio.setValue(rng.randint(10, 90))
    elif kind == 10:
        c.preset.setCurrentIndex(rng.randrange(c.preset.count()))
        c.noise.setValue(rng.randint(0, 50))
        c.point_count.setValue(rng.choice([10, 50, 200, 500, 1000]))
        c.regenerate.click()
    elif kind == 11 and rng.random() < 0.15:
        c.task.setCurrentIndex(1 - c.task.currentIndex())
    elif kind == 12:
        cfg = win.config()
        sizes = [*cfg.architecture.hidden, 1]
        layer = rng.randrange(1, len(sizes) + 1)
        qtbot.mouseMove(view.viewport(), view.neuron_center(layer, rng.randrange(sizes[layer - 1])))
        if rng.random() < 0.3:
            qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton,
                             pos=view.neuron_center(layer, rng.randrange(sizes[layer - 1])))
    elif kind == 13:
        qtbot.mouseMove(canvas.viewport(), spot)
    elif kind == 14:
        c.play.click()
    elif kind == 15 and rng.random() < 0.2:
        c.check.click()
    qtbot.wait(rng.choice([0, 1, 5, 20]))


@pytest.mark.slow
def test_random_use_while_training_breaks_nothing(qtbot, qtlog, monkeypatch, capfd):
    monkeypatch.setattr(QInputDialog, "getDouble", staticmethod(lambda *a, **k: (0.5, True)))
    win = MainWindow(preset="xor", seed=0, dialogs=False)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    win.controls.play.click()
    assert win.controller.wait_until(lambda s: s.epoch > 10, timeout=60)
    rng = random.Random(1234)
    while win.undo_stack.count() < UNDO_LIMIT:  # warm up: fill the (bounded) undo history and caches
        _random_action(rng, win, qtbot)
    trim_heap()
    start_parts = (_rss_mb(), _rss_mb(win.controller.process._process.pid))
    start_memory = sum(start_parts)
    for _ in range(ACTIONS):
        _random_action(rng, win, qtbot)
    # Still alive and training: put points back, calm settings (the monkey may have left a rate
    # at which the network rightly diverges and pauses), reset, play, and see epochs go by.
    if win.controls.task.currentIndex() == 1:
        win.controls.task.setCurrentIndex(0)
    for combo, value in ((win.controls.learning_rate, 0.03), (win.controls.optimizer, "sgd"),
                         (win.controls.regularization, None)):
        combo.setCurrentIndex(combo.findData(value))
    qtbot.keyClick(win, Qt.Key.Key_R)
    win.controls.preset.setCurrentIndex(win.controls.preset.findData("circle"))
    win.controls.regenerate.click()
    win.controls.speed.setCurrentIndex(win.controls.speed.count() - 1)
    if not win.controls.play.isChecked():
        win.controls.play.click()
    seq = win.controller.process.last_seq
    assert win.controller.wait_until(lambda s: s.seq >= seq and s.playing, timeout=60)
    epoch = win.controller.latest.epoch
    assert win.controller.wait_until(lambda s: s.epoch > epoch + 20, timeout=60), win.controller.latest
    assert win.controller.process.is_alive()
    trim_heap()
    end_parts = (_rss_mb(), _rss_mb(win.controller.process._process.pid))
    end_memory = sum(end_parts)
    assert end_memory - start_memory < 50, f"memory grew from {start_parts} to {end_parts} MB (window, trainer)"
    warnings = [r.message for r in qtlog.records if r.type.name in ("QtWarningMsg", "QtCriticalMsg", "QtFatalMsg")]
    warnings = [w for w in warnings if "This plugin does not support" not in w]  # the offscreen plugin's notices
    assert not warnings, warnings
    assert np.isfinite(win.controller.latest.train_loss)
    assert win.controller.trainer_errors == []
    win.close()
    err = capfd.readouterr().err
    assert "Traceback" not in err and "Warning:" not in err, err[-2000:]
