"""The presenter of the window's edits: network shape, settings, task and data, each one undoable.

Every user edit builds a new ``Configuration`` (or lets the data model change), puts it in
the ``ConfigModel`` and records (before, after) on the undo stack. The controller sends
what changed to the trainer; the presenter shows it on the controls with their signals
blocked, so nothing echoes back. User edits, undo, redo and opening a session all go this
one way. The presenter needs the two models, the undo stack, the controls and a way to
say something to the user: no window, so tests drive it on its own.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields, replace
from typing import Any

import numpy as np
from PySide6.QtCore import QObject, QSignalBlocker
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import QComboBox

from engine import limits
from engine.config import Architecture
from engine.features import FEATURES
from gui.config_model import ConfigModel, Configuration
from gui.data_model import DataModel, DataState
from gui.undo import StateCommand
from gui.widgets.controls import Controls

MERGE_RATIO, MERGE_BATCH = 1, 2  # undo steps that merge while the user drags or spins
ARCHITECTURE_FIELDS = frozenset(f.name for f in fields(Architecture))
SETTING_NAMES = {"learning_rate": "learning rate", "optimizer": "optimizer", "batch_size": "batch size",
                 "regularization": "regularization", "reg_rate": "regularization rate"}


def _select(combo: QComboBox, value: object) -> None:
    """Show ``value``; a number the list lacks (2.5 from a session) is added in order, so the combo
    always shows what is in force."""
    index = combo.findData(value)
    if index < 0 and isinstance(value, (int, float)) and not isinstance(value, bool):
        numbers = [combo.itemData(i) for i in range(combo.count())]
        index = sum(1 for n in numbers if isinstance(n, (int, float)) and n < value)
        combo.insertItem(index, f"{value:g}", value)
    if index >= 0:
        combo.setCurrentIndex(index)


class ConfigPresenter(QObject):
    """Turns edits of the controls and the network view into undoable changes of the two models."""

    def __init__(self, config: ConfigModel, data: DataModel, undo_stack: QUndoStack, controls: Controls,
                 notify: Callable[[str], None], seed: int = 0, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.config, self.data, self.undo_stack, self.controls = config, data, undo_stack, controls
        self._notify = notify
        self._seed = seed
        self._restoring = False  # putting back a recorded data state: record nothing
        config.changed.connect(lambda _before, after: self._show(after))
        data.edited.connect(self._on_data_edit)
        self._connect_controls()

    def _connect_controls(self) -> None:
        c = self.controls
        for name, combo in (("learning_rate", c.learning_rate), ("optimizer", c.optimizer),
                            ("regularization", c.regularization), ("reg_rate", c.reg_rate)):
            combo.currentIndexChanged.connect(lambda _, n=name, w=combo: self.change_setting(n, w.currentData()))
        c.batch_size.valueChanged.connect(lambda v: self.change_setting("batch_size", int(v)))
        c.speed.currentIndexChanged.connect(lambda _: self.config.update_settings(speed=c.speed.currentData()))
        c.discretize.toggled.connect(lambda on: self.config.update_settings(discretize=bool(on)))
        c.activation.currentIndexChanged.connect(lambda _: self.set_all_activations(c.activation.currentData()))
        c.task.currentIndexChanged.connect(lambda _: self.set_task(bool(c.task.currentData())))
        c.regenerate.clicked.connect(self.regenerate)
        c.preset.currentIndexChanged.connect(lambda _: self.regenerate())
        c.ratio.valueChanged.connect(self.set_train_ratio)

    # ------------------------------------------------------------------ config
    def current(self) -> Configuration:
        """The configuration in force (what the user asked for)."""
        return self.config.current

    def apply_config(self, new: Configuration) -> None:
        """Make ``new`` the configuration (undo, redo, an opened session): the trainer and controls follow."""
        self.config.restore(new)

    def change_config(self, text: str, merge_id: int = -1, **changes: Any) -> None:
        """A user edit of architecture and settings fields by name: apply it and record it for undo."""
        before = self.config.current
        shape = {k: v for k, v in changes.items() if k in ARCHITECTURE_FIELDS}
        training = {k: v for k, v in changes.items() if k not in ARCHITECTURE_FIELDS}
        after = Configuration(replace(before.architecture, **shape), replace(before.settings, **training))
        if after == before:
            return
        self.apply_config(after)
        self.undo_stack.push(StateCommand(text, self.apply_config, before, after, merge_id))

    def _show(self, config: Configuration) -> None:
        settings, arch = config.settings, config.architecture
        c = self.controls
        blockers = [QSignalBlocker(w) for w in (c.learning_rate, c.optimizer, c.batch_size, c.regularization,
                                                   c.reg_rate, c.task, c.activation)]
        _select(c.learning_rate, settings.learning_rate)
        _select(c.optimizer, settings.optimizer)
        c.batch_size.setValue(settings.batch_size)
        _select(c.regularization, settings.regularization)
        _select(c.reg_rate, settings.reg_rate)
        if bool(c.task.currentData()) != arch.regression:
            _select(c.task, arch.regression)
            c.set_regression(arch.regression)
        if len(set(arch.activations)) == 1:
            _select(c.activation, arch.activations[0])
        del blockers

    # ------------------------------------------------------------------ data
    def apply_data(self, state: DataState) -> None:
        """Put back a recorded data state (undo, redo, an opened session) without recording it again."""
        self._restoring = True
        try:
            self.data.restore(state)
            with QSignalBlocker(self.controls.ratio):
                self.controls.ratio.setValue(int(round(state.train_ratio * 100)))
            self.controls.ratio_label.setText(f"{int(round(state.train_ratio * 100))}%")
        finally:
            self._restoring = False

    def _on_data_edit(self, before: DataState) -> None:
        if self._restoring:
            return
        after = self.data.state()
        ratio_only = before.points is after.points and before.train_ratio != after.train_ratio
        text = "Change train ratio" if ratio_only else "Edit points"
        self.undo_stack.push(StateCommand(text, self.apply_data, before, after, MERGE_RATIO if ratio_only else -1))

    # ------------------------------------------------------------------ edits
    def change_setting(self, name: str, value: object) -> None:
        """One training setting from its control (a batch size spun in steps merges into one undo step)."""
        self.change_config(f"Change {SETTING_NAMES[name]}", MERGE_BATCH if name == "batch_size" else -1,
                           **{name: value})

    def set_all_activations(self, name: str) -> None:
        """Every hidden layer's activation (the weights stay)."""
        self.change_config("Change activation", activations=(name,) * len(self.config.architecture.hidden))

    def set_layer_activation(self, layer: int, name: str) -> None:
        """Hidden layer ``layer``'s activation (1 = the first hidden layer)."""
        activations = list(self.config.architecture.activations)
        if 1 <= layer <= len(activations):
            activations[layer - 1] = name
            self.change_config(f"Change layer {layer}'s activation", activations=tuple(activations))

    def set_layer_count(self, count: int) -> None:
        """The number of hidden layers; new layers copy the last one (or the default size)."""
        count = max(0, min(limits.MAX_HIDDEN_LAYERS, count))
        arch = self.config.architecture
        hidden, activations = list(arch.hidden), list(arch.activations)
        fill_size, fill_act = ((hidden[-1], activations[-1]) if hidden
                               else (limits.DEFAULT_HIDDEN[0], self.controls.activation.currentData()))
        hidden = hidden[:count] + [fill_size] * (count - len(hidden))
        activations = activations[:count] + [fill_act] * (count - len(activations))
        self.change_config("Change hidden layers", hidden=tuple(hidden), activations=tuple(activations))

    def set_neuron_count(self, layer: int, count: int) -> None:
        """Hidden layer ``layer``'s neurons (1 = the first hidden layer), within the limits."""
        hidden = list(self.config.architecture.hidden)
        if 1 <= layer <= len(hidden):
            hidden[layer - 1] = max(limits.MIN_NEURONS, min(limits.MAX_NEURONS, count))
            self.change_config(f"Change neurons of layer {layer}", hidden=tuple(hidden))

    def toggle_feature(self, name: str) -> None:
        """Switch one input feature on or off (the last one stays: the network needs an input)."""
        features = list(self.config.architecture.features)
        if name in features:
            if len(features) == 1:
                self._notify("At least one input feature is needed: the network needs an input.")
                return
            features.remove(name)
        else:
            features = [f for f in FEATURES if f in features or f == name]
        self.change_config(f"Toggle input {name}", features=tuple(features))

    def switch_step_to_sigmoid(self) -> None:
        """Replace every step activation by sigmoid (the notice's way out of a step network)."""
        activations = tuple("sigmoid" if a == "step" else a for a in self.config.architecture.activations)
        self.change_config("Switch step to sigmoid", activations=activations)

    def set_task(self, regression: bool) -> None:
        """Classification or regression, one undo step: the user's points stay where they can.

        Two classes become the values -1 and +1 (their map colours), and values become two
        classes by their sign; three or more classes have no values, so the task's first
        preset replaces them, and the status bar says so (Undo brings them back).
        """
        self.controls.play.setChecked(False)
        self.controls.set_regression(regression)
        self.undo_stack.beginMacro("Change task")
        self.change_config("Change task", regression=regression)
        data, n = self.data, len(self.data)
        if n and regression and data.class_count() <= 2:
            data.relabel(np.where(data.labels > 0, 1.0, -1.0), regression=True)
            self._notify(f"Kept your {n:,} points as values: class 1 became −1, class 2 became +1.")
        elif n and not regression:
            data.relabel((data.labels >= 0).astype(np.float64), regression=False)
            self._notify(f"Kept your {n:,} points as classes: values below 0 became class 1, the others class 2.")
        else:
            classes = data.class_count()
            self.regenerate()  # three or more classes have no values: start from the task's first preset
            if n:
                self._notify(f"Regression cannot keep {classes} classes: your {n:,} points were replaced by "
                             f"the {self.controls.preset.currentText()} data set (Undo brings them back).")
        self.undo_stack.endMacro()

    def regenerate(self) -> None:
        """New points from the chosen preset, noise and count (a fresh seed once there are points)."""
        c = self.controls
        preset = c.preset.currentData()
        if preset is None:
            return
        seed = int(np.random.default_rng().integers(1 << 31)) if self.data.points.size else self._seed
        self.data.generate(preset, c.point_count.value(), c.noise.value() / 100.0, seed)

    def set_train_ratio(self, percent: int) -> None:
        """The share of training points, in percent."""
        self.controls.ratio_label.setText(f"{percent}%")
        self.data.set_train_ratio(percent / 100.0)

    def configure(self, hidden: list[int], activation: str) -> None:
        """Set the hidden layers and their activation (the command line's --layers, --activation)."""
        self.change_config("Change network", hidden=tuple(hidden), activations=(activation,) * len(hidden))
