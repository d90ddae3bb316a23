"""File -> Export as code and File -> Export animation, driven through the window's presenter."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
from helpers import settle

from engine.features import transform
from engine.network import Network


def _load(path: Path):
    spec = importlib.util.spec_from_file_location(f"gui_export_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _menu_texts(window) -> list[str]:
    file_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&File")
    return [a.text() for a in file_menu.actions()]


def test_export_as_code_writes_the_networks_exact_predictions(window, tmp_path):
    assert "Export as &code…" in _menu_texts(window)
    window.controller.step(30)
    snap = settle(window)
    assert snap.epoch == 30
    path = tmp_path / "circle.py"
    assert window.file_presenter.exports.export_code(str(path))
    module = _load(path)
    net = Network(snap.layer_sizes, list(snap.activations), snap.task)
    net.set_parameters([np.asarray(w) for w in snap.weights], [np.asarray(b) for b in snap.biases])
    points = np.random.default_rng(0).uniform(-6, 6, (100, 2))
    np.testing.assert_allclose(module.forward(points), net.forward(transform(points, snap.features)), atol=1e-9)


def test_export_as_code_refuses_a_folder_and_leaves_it(window, tmp_path):
    settle(window)
    folder = tmp_path / "net.py"
    folder.mkdir()
    assert not window.file_presenter.exports.export_code(str(folder), "torch")
    assert "not a regular file" in window.files.last_error and folder.is_dir()


def test_export_animation_trains_a_copy_on_a_worker_and_leaves_the_session(window, tmp_path, qtbot):
    from PIL import Image

    assert "Export &animation…" in _menu_texts(window)
    window.controller.step(20)
    before = settle(window)
    exports = window.file_presenter.exports
    results = []
    exports.animation_finished.connect(results.append)
    path = tmp_path / "training.gif"
    assert exports.export_animation(str(path), epochs=80, frames=9, size=160)
    assert exports.progress_dialog is not None and exports.is_animating()
    qtbot.waitUntil(lambda: bool(results), timeout=120000)
    assert results == [""] and not exports.is_animating()
    with Image.open(path) as image:
        assert image.n_frames == 9 and image.size == (160, 160)
    after = settle(window)  # the window's own network did not move
    assert after.epoch == 20
    for a, b in zip(before.weights, after.weights):
        np.testing.assert_array_equal(a, b)


def test_export_animation_can_be_cancelled_and_writes_nothing(window, tmp_path, qtbot):
    from PySide6.QtWidgets import QPushButton

    settle(window)
    exports = window.file_presenter.exports
    results = []
    exports.animation_finished.connect(results.append)
    path = tmp_path / "never.gif"
    # A billion epochs: 1% of them is never reached here, so the bar must move by time too (on a busy
    # machine, waiting for 1% of ten million epochs once took longer than this test's timeout).
    assert exports.export_animation(str(path), epochs=10**9, frames=60)
    qtbot.waitUntil(lambda: exports.progress_dialog is not None and exports.progress_dialog.value() > 0,
                    timeout=60000)
    exports.progress_dialog.findChild(QPushButton).click()
    qtbot.waitUntil(lambda: bool(results), timeout=60000)
    assert results == ["cancelled"] and not exports.is_animating()
    assert list(tmp_path.iterdir()) == []


def test_export_animation_refuses_a_bad_target_before_training(window, tmp_path):
    settle(window)
    exports = window.file_presenter.exports
    assert not exports.export_animation(str(tmp_path / "missing" / "a.gif"), epochs=10)
    assert "does not exist" in window.files.last_error and not exports.is_animating()
    assert not exports.export_animation(str(tmp_path / "a.png"), epochs=10)
    assert ".gif" in window.files.last_error


def test_closing_the_window_stops_an_animation_in_progress(qtbot, tmp_path):
    from helpers import make_window

    win = make_window(qtbot, preset="xor", seed=1)
    exports = win.file_presenter.exports
    assert exports.export_animation(str(tmp_path / "a.gif"), epochs=10**7)
    win.close()
    assert not exports.is_animating() and not (tmp_path / "a.gif").exists()
