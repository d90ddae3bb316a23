"""Between the window and session files: capture what is on screen, put a saved one back.

``capture`` builds an ``engine.session_file.Session`` from the data, the configuration
and the trainer's latest snapshot (weights, loss history, gradient flow); the file presenter
puts one back (``gui.file_actions.FilePresenter.restore_session``).
"""

from __future__ import annotations

import numpy as np

from engine.config import Architecture, Settings
from engine.keyframes import Keyframe, for_session
from engine.session_file import Session
from gui.config_model import Configuration
from gui.controller import Controller
from gui.data_model import DataModel, DataState


def capture(model: DataModel, configuration: Configuration, ctl: Controller) -> Session:
    """Everything needed to pick up where the user is: points, shape, settings, weights, history, gradient flow."""
    snap = ctl.live  # while a keyframe is replayed, the session is still the live network's
    config = configuration.architecture
    weights = None
    epoch = 0
    keyframes: tuple[Keyframe, ...] = ()
    gradients: np.ndarray | None = None
    if snap is not None and tuple(snap.layer_sizes[1:-1]) == config.hidden and snap.features == config.features:
        layers, biases, epoch = list(snap.weights), list(snap.biases), snap.epoch
        recorded = [k for k in ctl.keyframes.keyframes if k.layer_sizes == snap.layer_sizes]
        if recorded and recorded[-1].epoch > epoch:
            # Paused on the way into a replay, the trainer kept its newest weights as a keyframe,
            # possibly after the last live snapshot: that keyframe is the live network.
            (layers, biases), epoch = recorded[-1].arrays(), recorded[-1].epoch
        weights = {
            "format": "neural-sandbox-model", "version": 1, "layer_sizes": list(snap.layer_sizes),
            "activations": list(snap.activations), "task": snap.task, "init": "auto", "seed": 0,
            "dtype": "float64", "step_surrogate": snap.step_surrogate,
            "weights": [w.tolist() for w in layers], "biases": [b.tolist() for b in biases],
        }
        keyframes = tuple(for_session([k for k in recorded if k.epoch <= epoch]))
        gradients = gradient_rows(ctl, len(snap.layer_sizes), epoch)
    losses = ctl.losses
    history = np.column_stack([losses.column(0), losses.column(1), losses.column(2)]) if losses.size else \
        np.zeros((0, 3))  # column_stack copies
    # Copies: the session is written on another thread while the user goes on editing the data.
    return Session(
        points=np.array(model.points), labels=np.array(model.labels), keys=np.array(model.keys),
        train_ratio=model.train_ratio,
        regression=model.regression, features=config.features, hidden=config.hidden,
        activations=config.activations, settings=configuration.settings.training(),
        step_surrogate=bool(snap.step_surrogate) if snap is not None else False,
        model=weights, epoch=epoch, history=history, keyframes=keyframes, gradients=gradients,
    )


def gradient_rows(ctl: Controller, columns: int, epoch: int) -> np.ndarray | None:
    """The gradient-flow series as rows (epoch, one norm per weight layer) up to ``epoch``: a copy, or None
    when the series is of another network (the trainer has not caught up with a change of shape)."""
    series = ctl.gradients
    if series is None or series.columns != columns:
        return None
    rows = np.column_stack([series.column(c) for c in range(columns)])  # column_stack copies
    return rows[rows[:, 0] <= epoch]


def config_of(session: Session) -> Configuration:
    """The session's network shape and settings as a window configuration."""
    s = session.settings
    return Configuration(
        Architecture(hidden=tuple(session.hidden), activations=tuple(session.activations),
                     features=tuple(session.features), regression=session.regression),
        Settings(learning_rate=float(s["learning_rate"]), optimizer=s["optimizer"], batch_size=int(s["batch_size"]),
                 regularization=s.get("regularization"), reg_rate=float(s["reg_rate"])),
    )


def data_of(session: Session) -> DataState:
    """The session's points as a data-model state."""
    return DataState(np.asarray(session.points, dtype=np.float64), np.asarray(session.labels, dtype=np.float64),
                     np.asarray(session.keys, dtype=np.float64), bool(session.regression),
                     float(session.train_ratio))
