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
