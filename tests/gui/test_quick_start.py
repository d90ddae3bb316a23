"""Start-up shortcuts (gui.quick_start, main.py's collector pause) change nothing but the time they save."""

from __future__ import annotations

import gc
import importlib
import sys

import pytest

import main as entry
from gui.quick_start import quicken_pyside_imports


def test_the_quick_pyside_check_gives_pysides_own_answer_for_every_kind_of_module():
    feature = sys.modules["shibokensupport.feature"]
    quick = feature._mod_uses_pyside
    assert getattr(quick, "quick", False), "gui's import put the quick check in place"
    assert quicken_pyside_imports() and feature._mod_uses_pyside is quick  # never wrapped twice
    original = quick.__closure__[0].cell_contents  # the check PySide installed
    names = ["gui.widgets.canvas", "gui.quick_start", "engine.network", "json", "sys", "numpy._core._multiarray_umath",
             "pyqtgraph.graphicsItems.PlotItem.PlotItem", "PySide6.QtCore"]
    modules = [importlib.import_module(name) for name in names]
    answers = {module.__name__: quick(module) for module in modules}
    assert answers == {module.__name__: original(module) for module in modules}
    assert answers["gui.widgets.canvas"] and not answers["engine.network"]  # both kinds were asked


def test_the_window_entry_turns_the_collector_back_on_whatever_way_it_ends(tmp_path, qapp, monkeypatch):
    monkeypatch.setenv("NEURAL_SANDBOX_DATA_DIR", str(tmp_path / "data"))
    assert entry.main(["--lesson", "999"]) == 2  # a one-line refusal, before any window
    assert gc.isenabled()
    with pytest.raises(SystemExit):
        entry.main(["--layers", "4,99"])
    assert gc.isenabled()


def test_the_seed_is_read_from_the_options_before_qt_loads():
    assert entry.window_seed([]) == 0
    assert entry.window_seed(["--preset", "xor", "--seed", "7"]) == 7
    assert entry.window_seed(["--seed=3", "--seed", "4"]) == 4  # the last one counts, as argparse's
    assert entry.window_seed(["--seed", "many"]) is None  # the window's parser will say what is wrong
    assert entry.window_seed(["--seed"]) is None


def test_the_window_takes_over_the_trainer_started_early_with_its_seed(qtbot):
    from helpers import make_window

    from engine import live_launch

    live_launch.start_early(5)
    early = live_launch._early.process
    win = make_window(qtbot, preset="xor", seed=5)
    try:
        assert win.controller.process._process is early and live_launch._early is None
        seq = win.controller.step(3)
        assert win.controller.wait_until(lambda s: s.seq >= seq and s.epoch == 3)  # it trains for the window
    finally:
        win.close()
    with pytest.raises(ValueError):  # the window stopped it and gave its process back, as any trainer
        early.is_alive()


def test_a_trainer_started_early_with_another_seed_is_stopped_and_replaced(qtbot):
    from helpers import make_window

    from engine import live_launch

    live_launch.start_early(1)
    early = live_launch._early.process
    win = make_window(qtbot, preset="xor", seed=2)
    try:
        assert win.controller.process._process is not early and live_launch._early is None
        with pytest.raises(ValueError):  # stopped, joined and closed
            early.is_alive()
        seq = win.controller.step(2)
        assert win.controller.wait_until(lambda s: s.seq >= seq and s.epoch == 2)
    finally:
        win.close()


def test_a_trainer_started_for_a_window_that_is_never_built_is_stopped(tmp_path, qapp, monkeypatch):
    from engine import live_launch

    monkeypatch.setenv("NEURAL_SANDBOX_DATA_DIR", str(tmp_path / "data"))
    started = []
    start = live_launch.start_early
    monkeypatch.setattr(live_launch, "start_early", lambda seed: (start(seed), started.append(live_launch._early)))
    assert entry.main(["--seed", "9", "--lesson", "999"]) == 2
    assert len(started) == 1 and started[0].seed == 9
    assert live_launch._early is None
    with pytest.raises(ValueError):  # stopped, joined and closed
        started[0].process.is_alive()


def test_drawing_starts_once_the_window_is_on_the_screen(qtbot):
    from gui.main_window import MainWindow

    win = MainWindow(preset="xor", seed=0, dialogs=False)
    qtbot.addWidget(win)
    try:
        assert win.controller.wait_until(lambda s: s.n_train > 0)  # a snapshot is there to draw
        qtbot.wait(100)
        assert not win.display_timer.isActive() and not win.frame_times  # nothing drawn off the screen
        assert win.canvas.decision.image is None
        win.show()
        qtbot.waitUntil(lambda: len(win.frame_times) > 0, timeout=20000)  # then the trainer's map, at once
        assert win.canvas.decision.image is not None
    finally:
        win.close()
