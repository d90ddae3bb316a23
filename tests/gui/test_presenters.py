"""The presenters on their own, without a window: models, an undo stack, the controls, a parent widget."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import QWidget

from engine import limits
from engine.config import Architecture, Settings
from engine.csvio import write_csv
from gui.config_actions import ConfigPresenter
from gui.config_model import ConfigModel, Configuration
from gui.controller import Controller
from gui.data_model import DataModel
from gui.file_actions import FilePresenter
from gui.widgets.controls import Controls


@pytest.fixture
def parts(qtbot):
    """A config presenter wired to fresh models, an undo stack and a bare controls panel."""
    controls = Controls()
    qtbot.addWidget(controls)
    config, data, stack, said = ConfigModel(), DataModel(0), QUndoStack(), []
    presenter = ConfigPresenter(config, data, stack, controls, said.append, seed=0)
    return presenter, config, data, stack, controls, said


def test_an_edit_is_one_undo_step_that_puts_the_configuration_back_as_it_was(parts):
    presenter, config, _data, stack, controls, _said = parts
    presenter.set_neuron_count(1, 99)  # beyond the limit: clamped
    assert config.architecture.hidden == (limits.MAX_NEURONS, 2)
    controls.learning_rate.setCurrentIndex(controls.learning_rate.findData(0.3))
    assert config.settings.learning_rate == 0.3
    assert stack.count() == 2
    stack.undo()
    stack.undo()
    assert config.current == Configuration()
    assert controls.learning_rate.currentData() == limits.DEFAULT_LEARNING_RATE
    stack.redo()
    assert config.architecture.hidden == (limits.MAX_NEURONS, 2) and config.settings.learning_rate == 0.03


def test_undo_leaves_the_speed_and_discretize_as_they_are(parts):
    presenter, config, _data, stack, controls, _said = parts
    presenter.set_layer_count(3)
    controls.discretize.setChecked(True)
    stack.undo()
    assert config.architecture.hidden == limits.DEFAULT_HIDDEN and config.settings.discretize


def test_the_last_input_cannot_be_switched_off_and_the_user_is_told(parts):
    presenter, config, _data, stack, _controls, said = parts
    presenter.toggle_feature("x1")
    presenter.toggle_feature("x2")
    assert config.architecture.features == ("x2",) and stack.count() == 1
    assert said and "At least one input feature" in said[-1]


def test_restoring_a_configuration_shows_it_on_the_controls(parts):
    presenter, config, _data, _stack, controls, _said = parts
    wanted = Configuration(Architecture(hidden=(3,), activations=("relu",), regression=True),
                           Settings(optimizer="adam", batch_size=7))
    presenter.apply_config(wanted)
    assert config.current == wanted
    assert controls.optimizer.currentData() == "adam" and controls.batch_size.value() == 7
    assert controls.activation.currentData() == "relu" and controls.task.currentData()


def test_data_edits_and_the_train_ratio_are_undoable(parts):
    presenter, _config, data, stack, controls, _said = parts
    data.generate("xor", 50, 0.0, 1)
    controls.ratio.setValue(80)
    assert data.train_ratio == 0.8 and controls.ratio_label.text() == "80%"
    stack.undo()
    assert data.train_ratio == 0.5 and controls.ratio.value() == 50
    stack.undo()
    assert len(data) == 0


def test_the_file_presenter_refuses_more_classes_than_the_window_draws(qtbot, parts, tmp_path, monkeypatch):
    monkeypatch.setenv("NEURAL_SANDBOX_DATA_DIR", str(tmp_path))
    presenter, config, data, stack, _controls, said = parts
    parent = QWidget()
    qtbot.addWidget(parent)
    controller = Controller(data, config, seed=0)
    try:
        files = FilePresenter(parent, presenter, controller, stack, said.append, persistent=False, ask=False)
        path = tmp_path / "many.csv"
        write_csv(path, np.arange(14.0).reshape(7, 2), np.arange(7))
        files.open(str(path))
        qtbot.waitUntil(lambda: bool(files.files.last_error), timeout=20000)
        assert files.files.last_error == f"{path}: the window draws at most {limits.DRAWN_CLASSES} classes"
        assert len(data) == 0 and stack.count() == 0
        write_csv(path, np.arange(12.0).reshape(6, 2), np.arange(6))
        files.open(str(path))
        qtbot.waitUntil(lambda: len(data) == 6, timeout=20000)
        assert said[-1] == "Opened 6 points from many.csv" and stack.count() == 1
    finally:
        controller.close()
