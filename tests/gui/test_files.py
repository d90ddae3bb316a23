"""Keeping the user's work: sessions, data files, exports, undo, drops, autosave and recovery."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from helpers import make_window, settle
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent

from engine.csvio import read_csv
from engine.network import Network
from engine.session_file import load_session

ROOT = Path(__file__).resolve().parents[2]


def open_and_wait(qtbot, win, path):
    win.files.open(str(path), regression=win.model.regression)
    qtbot.waitUntil(lambda: not win.files.is_loading(), timeout=60000)
    return settle(win)


def test_session_round_trip_restores_points_network_weights_and_history(qtbot, window, tmp_path):
    window.network.layers_plus.click()
    window.controls.learning_rate.setCurrentIndex(window.controls.learning_rate.findData(0.1))
    window.model.add([[9.0, -8.0]], [1.0])
    window.controller.step(40)
    saved = settle(window)
    assert saved.epoch == 40
    path = tmp_path / "work.json"
    assert window.save_session(str(path))
    history = window.controller.losses.column(1).copy()

    other = make_window(qtbot, preset="xor", seed=5)
    snap = open_and_wait(qtbot, other, path)
    qtbot.waitUntil(lambda: other.controller.latest.epoch == 40, timeout=60000)
    snap = other.controller.latest
    np.testing.assert_array_equal(other.model.points, window.model.points)
    np.testing.assert_array_equal(other.model.labels, window.model.labels)
    np.testing.assert_array_equal(other.model.test_mask, window.model.test_mask)
    assert snap.layer_sizes == saved.layer_sizes
    for a, b in zip(snap.weights, saved.weights):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(other.controller.losses.column(1), history)
    assert snap.settings.learning_rate == 0.1
    assert other.controls.learning_rate.currentData() == 0.1
    # Training continues from the saved epoch.
    other.controls.step.click()
    assert other.controller.wait_until(lambda s: s.epoch == 41)
    other.close()


def test_data_set_round_trip_and_model_export_load_in_the_cli_format(qtbot, window, tmp_path):
    data = tmp_path / "points.csv"
    assert window.files.save_data(window.model.points, window.model.labels, False, str(data))
    points, labels = read_csv(data)
    np.testing.assert_array_equal(points, window.model.points)
    np.testing.assert_array_equal(labels, window.model.labels.astype(int))
    window.controller.step(5)
    snap = settle(window)
    model = tmp_path / "model.json"
    assert window.export_model(str(model))
    net = Network.from_dict(json.loads(model.read_text()))
    np.testing.assert_array_equal(net.weights[0], snap.weights[0])
    history = tmp_path / "loss.csv"
    assert window.export_history(str(history))
    lines = history.read_text().splitlines()
    assert lines[0] == "epoch,train_loss,test_loss" and len(lines) == 6
    image = tmp_path / "canvas.png"
    assert window.files.export_image(window.canvas, str(image)) and image.stat().st_size > 1000


def test_a_model_saved_by_the_cli_opens_in_the_window(qtbot, window, tmp_path):
    model = tmp_path / "cli-model.json"
    result = subprocess.run(
        [sys.executable, "main.py", "train", "--preset", "circle", "--layers", "3", "--activation", "relu",
         "--features", "x1,x2,x1sq", "--epochs", "5", "--save-model", str(model), "--quiet"],
        cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    expected = Network.from_dict(json.loads(model.read_text()))
    snap = open_and_wait(qtbot, window, model)
    qtbot.waitUntil(lambda: window.controller.latest.features == ("x1", "x2", "x1sq"), timeout=60000)
    snap = settle(window)
    assert snap.layer_sizes == (3, 3, 1) and snap.activations == ("relu",)
    np.testing.assert_array_equal(snap.weights[0], expected.weights[0])


def test_a_session_saved_by_the_window_trains_in_the_cli(qtbot, window, tmp_path):
    window.controller.step(10)
    settle(window)
    path = tmp_path / "session.json"
    assert window.save_session(str(path))
    result = subprocess.run([sys.executable, "main.py", "train", "--session", str(path), "--epochs", "20", "--json",
                             "--quiet"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["history"][0]["epoch"] == 11  # it carries on from the window's epoch 10
    assert summary["final"]["test_accuracy"] is not None


BAD_FILES = {
    "header.csv": "a,b,c\n1,2,0\n",
    "columns.csv": "x,y,label\n1,2\n",
    "text.csv": "x,y,label\n1,two,0\n",
    "nan.csv": "x,y,label\n1,nan,0\n",
    "label.csv": "x,y,label\n1,2,0.5\n",
    "empty.csv": "",
    "truncated.json": '{"format": "neural-sandbox-session", "version": 1, "points": [[1, 2',
    "version.json": '{"format": "neural-sandbox-session", "version": 99}',
    "random.json": None,
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_a_bad_file_is_refused_and_nothing_changes(qtbot, window, tmp_path, name):
    path = tmp_path / name
    text = BAD_FILES[name]
    if text is None:
        path.write_bytes(np.random.default_rng(0).bytes(3000))
    else:
        path.write_text(text)
    before_points = window.model.points.copy()
    before_config = window.config()
    before_undo = window.undo_stack.count()
    window.files.open(str(path))
    qtbot.waitUntil(lambda: not window.files.is_loading(), timeout=60000)
    assert window.files.last_error.startswith(str(path))
    np.testing.assert_array_equal(window.model.points, before_points)
    assert window.config() == before_config
    assert window.undo_stack.count() == before_undo


def test_a_session_with_mismatched_weights_is_refused(qtbot, window, tmp_path):
    path = tmp_path / "session.json"
    window.save_session(str(path))
    data = json.loads(path.read_text())
    data["model"]["weights"][0] = [[0.0]]
    path.write_text(json.dumps(data))
    before = window.model.points.copy()
    window.files.open(str(path))
    qtbot.waitUntil(lambda: not window.files.is_loading(), timeout=60000)
    assert str(path) in window.files.last_error
    np.testing.assert_array_equal(window.model.points, before)


def test_undo_and_redo_walk_through_data_shape_and_settings(qtbot, window):
    start_points = window.model.points.copy()
    window.model.add([[1.0, 1.0]], [0.0])  # 1: data
    window.network.layers_plus.click()  # 2: shape
    window.controls.learning_rate.setCurrentIndex(window.controls.learning_rate.findData(0.3))  # 3: setting
    window.controls.clear.click()  # 4: data
    assert len(window.model) == 0
    window.undo_action.trigger()
    assert len(window.model) == len(start_points) + 1
    window.undo_action.trigger()
    assert window.controls.learning_rate.currentData() == 0.03
    assert settle(window).settings.learning_rate == 0.03
    window.undo_action.trigger()
    assert window.config().architecture.hidden == (4, 2)
    assert settle(window).layer_sizes == (2, 4, 2, 1)
    window.undo_action.trigger()
    np.testing.assert_array_equal(window.model.points, start_points)
    for _ in range(3):
        window.redo_action.trigger()
    assert window.config().architecture.hidden == (4, 2, 2) and window.config().settings.learning_rate == 0.3
    assert settle(window).layer_sizes == (2, 4, 2, 2, 1)
    window.redo_action.trigger()
    assert len(window.model) == 0


def test_keyboard_shortcuts_drive_the_app(qtbot, window):
    qtbot.keyClick(window, Qt.Key.Key_S)
    assert window.controller.wait_until(lambda s: s.epoch == 1)
    qtbot.keyClick(window, Qt.Key.Key_3)
    assert window.canvas.current_class == 2
    qtbot.keyClick(window, Qt.Key.Key_Space)
    assert window.controls.play.isChecked()
    qtbot.keyClick(window, Qt.Key.Key_Space)
    assert not window.controls.play.isChecked()
    qtbot.keyClick(window, Qt.Key.Key_Delete)
    assert len(window.model) == 0
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert len(window.model) == 500
    qtbot.keyClick(window, Qt.Key.Key_R)
    assert window.controller.wait_until(lambda s: s.epoch == 0)


def test_dropping_a_csv_opens_it(qtbot, window, tmp_path):
    path = tmp_path / "dropped.csv"
    path.write_text("x,y,label\n1,2,0\n3,4,1\n-1,-2,1\n")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    drop = QDropEvent(QPointF(50, 50), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                      Qt.KeyboardModifier.NoModifier)
    window.dropEvent(drop)
    qtbot.waitUntil(lambda: len(window.model) == 3, timeout=60000)
    np.testing.assert_array_equal(window.model.points, [[1, 2], [3, 4], [-1, -2]])


@pytest.mark.slow
def test_a_large_csv_loads_off_the_gui_thread(qtbot, window, tmp_path, monkeypatch):
    import threading

    import pyqtgraph as pg
    from PySide6.QtCore import QTimer

    import gui.files

    rng = np.random.default_rng(0)
    points = rng.uniform(-6, 6, (100_000, 2))
    labels = (points[:, 0] * points[:, 1] > 0).astype(int)
    path = tmp_path / "big.csv"
    path.write_text("x,y,label\n" + "".join(f"{x},{y},{c}\n" for (x, y), c in zip(points, labels)))
    readers = []
    beats_while_reading = threading.Event()
    beats = []

    def slow_read(*args, **kwargs):  # a slow disk: it finishes only once the GUI's event loop has run meanwhile
        readers.append(threading.get_ident())
        beats.clear()
        beats_while_reading.wait(timeout=60)
        return read_csv(*args, **kwargs)

    def beat() -> None:
        beats.append(1)
        if readers and len(beats) >= 3:
            beats_while_reading.set()

    monkeypatch.setattr(gui.files, "read_csv", slow_read)
    timer = QTimer()
    timer.timeout.connect(beat)
    timer.start(10)
    window.files.open(str(path))
    assert window.files.is_loading()
    qtbot.waitUntil(lambda: len(window.model) == 100_000, timeout=60000)
    timer.stop()
    assert readers and readers[0] != threading.get_ident()
    assert beats_while_reading.is_set()  # the event loop kept running while the file was read
    np.testing.assert_array_equal(window.model.points, points)
    snap = settle(window, timeout=60)
    assert snap.n_train + snap.n_test == 100_000
    assert window.canvas.visible_point_count() == 100_000
    redrawn = []
    set_data = pg.ScatterPlotItem.setData
    monkeypatch.setattr(pg.ScatterPlotItem, "setData",
                        lambda item, *a, **k: (redrawn.append(item), set_data(item, *a, **k))[1])
    window.model.add([[0.5, 0.5]], [1.0])  # one more point is drawn without redrawing 100,000
    assert window.canvas.visible_point_count() == 100_001
    assert not any(item in window.canvas._scatters.values() for item in redrawn)


def test_autosave_writes_a_session_a_moment_after_an_edit(qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("NEURAL_SANDBOX_DATA_DIR", str(tmp_path))
    win = make_window(qtbot, preset="circle", persistent=True)
    win.model.add([[2.5, 2.5]], [1.0])
    qtbot.waitUntil(lambda: (tmp_path / "autosave.json").exists(), timeout=60000)
    assert len(load_session(tmp_path / "autosave.json").points) == 501
    assert not list(tmp_path.glob(".autosave*"))  # no temporary file left behind
    win.close()
    assert not (tmp_path / "running.pid").exists()  # a clean exit


KILLED_CHILD = r"""
import os, sys, time
sys.path.insert(0, {root!r})
os.environ["QT_QPA_PLATFORM"] = "offscreen"
from PySide6.QtWidgets import QApplication
from gui.main_window import MainWindow
if __name__ == "__main__":
    app = QApplication([])
    win = MainWindow(preset="xor", persistent=True, dialogs=False)
    win.show()
    win.model.add([[7.25, -3.5], [1.5, 1.5]], [1.0, 0.0])
    deadline = time.time() + 20
    while time.time() < deadline and not os.path.exists(os.path.join({folder!r}, "autosave.json")):
        app.processEvents()
        time.sleep(0.01)
    print("saved", flush=True)
    time.sleep(60)
"""


@pytest.mark.slow
def test_after_kill_9_the_next_start_offers_the_autosaved_work(qtbot, tmp_path, monkeypatch):
    env = {**os.environ, "NEURAL_SANDBOX_DATA_DIR": str(tmp_path), "QT_QPA_PLATFORM": "offscreen"}
    script = tmp_path / "child.py"
    script.write_text(KILLED_CHILD.format(root=str(ROOT), folder=str(tmp_path)))
    child = subprocess.Popen([sys.executable, str(script)], env=env, stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "saved"
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(10)
    assert (tmp_path / "running.pid").exists()
    monkeypatch.setenv("NEURAL_SANDBOX_DATA_DIR", str(tmp_path))
    offered = []
    win = make_window(qtbot, preset="circle", persistent=True, ask_restore=lambda s: offered.append(s) or True)
    assert len(offered) == 1
    assert len(win.model) == 502
    np.testing.assert_array_equal(win.model.points[-2], [7.25, -3.5])
    win.close()


def test_every_control_has_a_tooltip(window):
    from PySide6.QtWidgets import QAbstractButton, QAbstractSlider, QAbstractSpinBox, QComboBox

    controls = [w for kind in (QAbstractButton, QComboBox, QAbstractSlider, QAbstractSpinBox)
                for w in window.findChildren(kind)
                if w.isVisibleTo(window) and not w.objectName().startswith("qt_")
                and type(w).__name__ not in ("QScrollBar",)]
    assert len(controls) > 30
    missing = [f"{type(w).__name__} {w.text() if hasattr(w, 'text') else ''}" for w in controls if not w.toolTip()]
    assert missing == []


def test_ctrl_s_saves_the_session_to_its_file(qtbot, window, tmp_path):
    path = tmp_path / "mine.json"
    assert window.save_session(str(path))
    window.model.add([[4.0, 4.0]], [1.0])
    qtbot.keyClick(window, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert len(load_session(path).points) == 501


def test_window_layout_and_settings_are_remembered(qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("NEURAL_SANDBOX_DATA_DIR", str(tmp_path))
    first = make_window(qtbot, preset="circle", persistent=True)
    first.controls.learning_rate.setCurrentIndex(first.controls.learning_rate.findData(0.3))
    first.network.layers_plus.click()
    first.splitter.setSizes([300, 700, 500])
    sizes = first.splitter.sizes()
    first.close()
    assert first.settings.value("geometry") is not None
    second = make_window(qtbot, preset="circle", persistent=True, ask_restore=lambda s: False)
    assert second.config().settings.learning_rate == 0.3 and second.config().architecture.hidden == (4, 2, 2)
    assert second.controls.learning_rate.currentData() == 0.3
    restored = second.splitter.sizes()  # the offscreen screen may be narrower: compare proportions
    assert abs(restored[1] / restored[2] - sizes[1] / sizes[2]) < 0.05
    second.close()


@pytest.mark.slow
def test_closing_while_autosaving_leaves_a_whole_file(qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("NEURAL_SANDBOX_DATA_DIR", str(tmp_path))
    win = make_window(qtbot, preset="xor", persistent=True)
    win.controls.point_count.setValue(20000)
    win.controls.regenerate.click()
    win.controls.play.click()
    win.autosaver.changed()
    win.close()  # returns (no hang) with the file written whole
    assert len(load_session(tmp_path / "autosave.json").points) == 20000
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_recent_files_remember_what_was_opened_and_saved(qtbot, window, tmp_path):
    data = tmp_path / "a.csv"
    data.write_text("x,y,label\n1,1,0\n2,2,1\n")
    open_and_wait(qtbot, window, data)
    session = tmp_path / "b.json"
    window.save_session(str(session))
    assert window.files.recent()[:2] == [str(session), str(data)]
    actions = window.recent_menu.actions()
    assert [a.text() for a in actions[:2]] == ["b.json", "a.csv"]
    actions[1].trigger()  # reopening from the menu
    qtbot.waitUntil(lambda: not window.files.is_loading(), timeout=60000)
    assert len(window.model) == 2


def test_a_regression_session_reopens_in_a_classification_window(qtbot, tmp_path):
    source = make_window(qtbot, preset="plane")
    source.controller.step(15)
    saved = settle(source)
    assert saved.task == "regression"
    path = tmp_path / "regression.json"
    assert source.save_session(str(path))
    source.close()
    window = make_window(qtbot, preset="circle")
    open_and_wait(qtbot, window, path)
    qtbot.waitUntil(lambda: window.controller.latest.epoch == 15, timeout=60000)
    snap = window.controller.latest
    assert snap.task == "regression" and window.model.regression
    assert window.controls.task.currentData() is True
    assert window.controls.preset.currentData() in ("plane", "multigauss")
    np.testing.assert_array_equal(snap.weights[0], saved.weights[0])
    window.undo_action.trigger()  # opening was one step: undo brings the circle back
    assert not window.model.regression and len(window.model) == 500
    assert settle(window).task == "binary"
    window.close()
