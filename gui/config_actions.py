"""The window's edits of the network's shape, the settings and the data, each one undoable.

Every user edit builds a new ``Configuration`` (or lets the data model change), puts it in
the window's ``ConfigModel`` and records (before, after) on the undo stack. The
controller sends what changed to the trainer; ``_on_config_changed`` shows it on the
controls, with their signals blocked, so nothing echoes back. User edits, undo, redo and
opening a session all go this one way.
"""

from __future__ import annotations

from dataclasses import fields, replace

import numpy as np
from PySide6.QtCore import QSignalBlocker

from engine.config import Architecture
from engine.features import FEATURES
from gui.config_model import Configuration
from gui.data_model import DataState
from gui.undo import StateCommand

MAX_HIDDEN_LAYERS = 8
MAX_NEURONS = 16
MERGE_RATIO, MERGE_BATCH = 1, 2  # undo steps that merge while the user drags or spins
ARCHITECTURE_FIELDS = frozenset(f.name for f in fields(Architecture))


def _select(combo, value) -> None:
    index = combo.findData(value)
    if index >= 0:
        combo.setCurrentIndex(index)


class ConfigActions:
    """Mixed into MainWindow: handlers for settings, shape, task and data edits."""

    # ------------------------------------------------------------------ config
    def config(self) -> Configuration:
        """The configuration in force (what the user asked for)."""
        return self.configuration.current

    def apply_config(self, new: Configuration) -> None:
        """Make ``new`` the configuration (undo, redo, an opened session): the trainer and controls follow."""
        self.configuration.restore(new)

    def _on_config_changed(self, _before: Configuration, after: Configuration) -> None:
        self._show_config(after)
        self._sync_structure()

    def _show_config(self, config: Configuration) -> None:
        cfg, arch = config.settings, config.architecture
        c = self.controls
        blockers = [QSignalBlocker(w) for w in (c.learning_rate, c.optimizer, c.batch_size, c.regularization,
                                                   c.reg_rate, c.task, c.activation)]
        _select(c.learning_rate, cfg.learning_rate)
        _select(c.optimizer, cfg.optimizer)
        c.batch_size.setValue(cfg.batch_size)
        _select(c.regularization, cfg.regularization)
        _select(c.reg_rate, cfg.reg_rate)
        if bool(c.task.currentData()) != arch.regression:
            _select(c.task, arch.regression)
            c.set_regression(arch.regression)
        if len(set(arch.activations)) == 1:
            _select(c.activation, arch.activations[0])
        del blockers

    def change_config(self, text: str, merge_id: int = -1, **changes) -> None:
        """A user edit of the configuration: apply it and record it for undo."""
        before = self.configuration.current
        shape = {k: v for k, v in changes.items() if k in ARCHITECTURE_FIELDS}
        training = {k: v for k, v in changes.items() if k not in ARCHITECTURE_FIELDS}
        after = Configuration(replace(before.architecture, **shape), replace(before.settings, **training))
        if after == before:
            return
        self.apply_config(after)
        self.undo_stack.push(StateCommand(text, self.apply_config, before, after, merge_id))

    # ------------------------------------------------------------------ data
    def _apply_data(self, state: DataState) -> None:
        self._restoring = True
        try:
            self.model.restore(state)
            with QSignalBlocker(self.controls.ratio):
                self.controls.ratio.setValue(int(round(state.train_ratio * 100)))
            self.controls.ratio_label.setText(f"{int(round(state.train_ratio * 100))}%")
        finally:
            self._restoring = False

    def _on_data_edit(self, before: DataState) -> None:
        if self._restoring:
            return
        after = self.model.state()
        ratio_only = before.points is after.points and before.train_ratio != after.train_ratio
        text = "Change train ratio" if ratio_only else "Edit points"
        self.undo_stack.push(StateCommand(text, self._apply_data, before, after, MERGE_RATIO if ratio_only else -1))

    # ------------------------------------------------------------------ handlers
    def _on_setting_change(self, name: str, value) -> None:
        labels = {"learning_rate": "learning rate", "optimizer": "optimizer", "batch_size": "batch size",
                  "regularization": "regularization", "reg_rate": "regularization rate"}
        self.change_config(f"Change {labels[name]}", MERGE_BATCH if name == "batch_size" else -1,
                           **{name: value})

    def _on_activation_change(self, _index: int) -> None:
        name = self.controls.activation.currentData()
        self.change_config("Change activation", activations=(name,) * len(self.configuration.architecture.hidden))

    def _on_layer_activation_change(self, layer: int, name: str) -> None:
        activations = list(self.configuration.architecture.activations)
        if 0 <= layer < len(activations):
            activations[layer] = name
            self.change_config(f"Change layer {layer + 1}'s activation", activations=tuple(activations))

    def _on_layer_count_change(self, count: int) -> None:
        count = max(0, min(MAX_HIDDEN_LAYERS, count))
        arch = self.configuration.architecture
        hidden, activations = list(arch.hidden), list(arch.activations)
        fill_size, fill_act = (hidden[-1], activations[-1]) if hidden else (4, self.controls.activation.currentData())
        hidden = hidden[:count] + [fill_size] * (count - len(hidden))
        activations = activations[:count] + [fill_act] * (count - len(activations))
        self.change_config("Change hidden layers", hidden=tuple(hidden), activations=tuple(activations))

    def _on_neuron_count_change(self, layer: int, count: int) -> None:
        hidden = list(self.configuration.architecture.hidden)
        if 0 <= layer < len(hidden):
            hidden[layer] = max(1, min(MAX_NEURONS, count))
            self.change_config(f"Change neurons of layer {layer + 1}", hidden=tuple(hidden))

    def _on_feature_toggle(self, name: str) -> None:
        features = list(self.configuration.architecture.features)
        if name in features:
            if len(features) == 1:
                self.statusBar().showMessage("At least one input feature is needed: the network needs an input.",
                                             5000)
                return
            features.remove(name)
        else:
            features = [f for f in FEATURES if f in features or f == name]
        self.change_config(f"Toggle input {name}", features=tuple(features))

    def _on_task_change(self, _index: int) -> None:
        regression = bool(self.controls.task.currentData())
        self.controls.play.setChecked(False)
        self.controls.set_regression(regression)
        self.undo_stack.beginMacro("Change task")
        self.change_config("Change task", regression=regression)
        self._on_regenerate()  # classes and values do not mix: start from the task's first preset
        self.undo_stack.endMacro()

    def _on_regenerate(self) -> None:
        c = self.controls
        preset = c.preset.currentData()
        if preset is None:
            return
        seed = int(np.random.default_rng().integers(1 << 31)) if self.model.points.size else self._seed
        self.model.generate(preset, c.point_count.value(), c.noise.value() / 100.0, seed)

    def _on_ratio_change(self, percent: int) -> None:
        self.controls.ratio_label.setText(f"{percent}%")
        self.model.set_train_ratio(percent / 100.0)

    def configure(self, hidden: list[int], activation: str) -> None:
        """Set the hidden layers and their activation (the command line's --layers, --activation)."""
        self.change_config("Change network", hidden=tuple(hidden), activations=(activation,) * len(hidden))
