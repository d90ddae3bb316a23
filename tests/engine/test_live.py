"""The live session behind the window: commands in order, edge cases, divergence, snapshots."""

from __future__ import annotations

import math
import multiprocessing as mp
import threading

import numpy as np
import pytest

from engine.commands import (
    ApplyArchitecture,
    ApplySettings,
    Play,
    Reset,
    SetBias,
    SetData,
    Step,
    Stop,
)
from engine.config import Architecture, Settings
from engine.datasets import generate
from engine.live import LiveSession
from engine.live_loop import serve


def session_with(points, labels, test_every=2, **architecture):
    s = LiveSession(seed=0)
    points = np.asarray(points, dtype=float).reshape(-1, 2)
    mask = np.arange(len(points)) % test_every == 1 if test_every else np.zeros(len(points), bool)
    if architecture:
        s.handle(1, ApplyArchitecture(Architecture(**architecture)))
    s.handle(2, SetData(points, np.asarray(labels), mask, (-6.0, 6.0)))
    assert s.message == ""
    return s


def test_no_points_cannot_play_and_still_draws():
    s = session_with(np.zeros((0, 2)), np.zeros(0, int))
    s.handle(3, Play())
    assert not s.playing
    snap = s.snapshot()
    assert snap.train_loss is None and snap.test_loss is None and snap.decision_rgb.shape == (100, 100, 3)


def test_one_point_trains_without_a_test_set():
    s = session_with([[1.0, 2.0]], [1], test_every=0)
    for _ in range(20):
        assert s.train_epoch()
    snap = s.snapshot()
    assert snap.n_train == 1 and snap.n_test == 0
    assert snap.test_loss is None and snap.train_loss < 0.69
    assert math.isnan(snap.history_test[-1])


def test_one_class_and_identical_points_are_fine():
    s = session_with(np.ones((30, 2)), np.zeros(30, int))
    for _ in range(10):
        assert s.train_epoch()
    snap = s.snapshot()
    assert snap.task == "binary" and snap.train_accuracy == 1.0


def test_zero_hidden_layers_is_logistic_regression():
    points, labels = generate("gauss", 200, 0.0, 1)
    s = session_with(points, labels, hidden=(), activations=())
    for _ in range(30):
        s.train_epoch()
    snap = s.snapshot()
    assert snap.layer_sizes == (2, 1) and snap.neuron_levels[0].shape == (1, 50, 50)
    assert snap.test_accuracy > 0.9


def test_eight_layers_of_sixteen_neurons_train_and_draw():
    points, labels = generate("spiral", 300, 0.0, 1)
    s = session_with(points, labels, hidden=(16,) * 8, activations=("relu",) * 8)
    for _ in range(5):
        assert s.train_epoch()
    snap = s.snapshot()
    assert snap.layer_sizes == (2, *[16] * 8, 1) and len(snap.neuron_levels) == 9


def test_a_hundred_thousand_points_train_an_epoch():
    rng = np.random.default_rng(0)
    points = rng.uniform(-6, 6, (100_000, 2))
    s = session_with(points, (points[:, 0] > 0).astype(int))
    assert s.train_epoch()
    assert s.snapshot().n_train == 50_000


def test_refused_commands_name_the_problem_and_change_nothing():
    points, labels = generate("circle", 100, 0.0, 0)
    s = session_with(points, labels)
    weights = s.net.params.copy()
    s.handle(5, ApplyArchitecture(Architecture(features=())))
    assert "feature" in s.message and s.arch.features == ("x1", "x2") and s.seq == 5
    s.handle(6, ApplySettings(Settings(learning_rate=-1)))
    assert "learning rate" in s.message and s.settings.learning_rate == 0.03
    s.handle(7, ApplyArchitecture(Architecture(hidden=(4,) * 9, activations=("tanh",) * 9)))
    assert s.message and len(s.arch.hidden) == 2
    s.handle(8, ApplyArchitecture(Architecture(hidden=(17,), activations=("tanh",))))
    assert "16 neurons" in s.message and len(s.arch.hidden) == 2
    s.handle(9, SetBias(7, 0, 1.0))
    assert "no layer 7" in s.message
    np.testing.assert_array_equal(s.net.params, weights)


def test_an_unknown_command_is_a_programming_error():
    s = LiveSession(seed=0)
    with pytest.raises(TypeError, match="no handler"):
        s.handle(1, ("play",))  # the old tuple protocol, or any other object, is not a command
    with pytest.raises(TypeError):
        s.handle(2, "no_such_command")


def test_every_command_has_a_handler():
    from typing import get_args

    from engine import commands, live

    assert set(get_args(commands.Command)) == set(live._HANDLERS)


def test_changing_only_the_activations_keeps_the_weights():
    points, labels = generate("circle", 100, 0.0, 0)
    s = session_with(points, labels)
    for _ in range(3):
        s.train_epoch()
    weights, run = s.net.params.copy(), s.run
    s.handle(4, ApplyArchitecture(Architecture(activations=("step", "tanh"))))
    assert s.message == "" and s.run == run and s.snapshot().activations == ("step", "tanh")
    np.testing.assert_array_equal(s.net.params, weights)
    s.handle(5, ApplyArchitecture(Architecture(hidden=(3,), activations=("step",))))
    assert s.run == run + 1 and s.snapshot().layer_sizes == (2, 3, 1)


@pytest.mark.parametrize("activation", ["sigmoid", "relu"])
def test_a_learning_rate_of_10_neither_crashes_nor_paints_garbage(activation):
    points, labels = generate("circle", 300, 0.1, 0)
    s = session_with(points, labels, hidden=(8, 8), activations=(activation,) * 2)
    s.handle(3, ApplySettings(Settings(learning_rate=10.0, batch_size=1)))
    s.handle(4, Play())
    for _ in range(100):
        if not s.train_epoch():
            break
    assert np.all(np.isfinite(s.net.params))
    snap = s.snapshot()
    assert snap.decision_rgb.dtype == np.uint8 and snap.train_loss is not None and math.isfinite(snap.train_loss)
    assert snap.diverged == s.diverged and (not s.diverged or not s.playing)


def test_divergence_pauses_keeps_the_last_finite_weights_and_recovers():
    points, values = generate("plane", 300, 0.0, 0)
    s = LiveSession(seed=0)
    s.handle(1, ApplyArchitecture(Architecture(regression=True, hidden=(8, 8), activations=("linear", "linear"))))
    s.handle(2, SetData(points, values, np.arange(300) % 2 == 1, (-6.0, 6.0)))
    s.handle(3, ApplySettings(Settings(learning_rate=10.0)))
    s.handle(4, Play())
    epochs = 0
    while s.train_epoch():
        epochs += 1
        assert epochs < 100
    assert s.diverged and not s.playing
    assert np.all(np.isfinite(s.net.params))
    np.testing.assert_array_equal(s.net.params, s.last_finite)
    snap = s.snapshot()
    assert snap.diverged and snap.epoch == epochs  # the diverging epoch is not counted
    s.handle(5, ApplySettings(Settings(learning_rate=0.001)))
    s.handle(6, Reset())
    s.handle(7, Play())
    assert s.playing and not s.diverged
    for _ in range(5):
        assert s.train_epoch()
    assert math.isfinite(s.snapshot().train_loss)


def test_serve_obeys_commands_in_order_and_stops():
    command_read, command_write = mp.Pipe(duplex=False)
    snapshot_read, snapshot_write = mp.Pipe(duplex=False)
    worker = threading.Thread(target=serve, args=(command_read, snapshot_write, 0))
    worker.start()
    points, labels = generate("xor", 100, 0.0, 0)
    command_write.send((1, SetData(points, labels, np.arange(100) % 2 == 0, (-6.0, 6.0))))
    for seq, rate in enumerate((0.1, 0.2, 0.3), start=2):
        command_write.send((seq, ApplySettings(Settings(learning_rate=rate))))
    command_write.send((5, Reset()))
    command_write.send((6, ApplySettings(Settings(learning_rate=0.5))))
    command_write.send((7, Step(3)))
    snap = None
    while snap is None or snap.seq < 7:
        snap = snapshot_read.recv()
    assert snap.settings.learning_rate == 0.5 and snap.epoch == 3
    command_write.send((8, Stop()))
    worker.join(5)
    assert not worker.is_alive()


def test_snapshot_losses_are_those_of_the_current_weights():
    points, labels = generate("xor", 200, 0.1, 2)
    s = session_with(points, labels)
    for _ in range(3):
        s.train_epoch()
    snap = s.snapshot()  # reuses the last epoch's measurement
    assert snap.train_loss == s.net.loss(s.X_train, s.y_train)
    assert snap.test_loss == s.net.loss(s.X_test, s.y_test)
    s.handle(9, SetBias(2, 0, 3.0))  # weights changed by a command: measured afresh
    snap = s.snapshot()
    assert snap.train_loss == s.net.loss(s.X_train, s.y_train)


def test_serve_reports_a_failing_or_unknown_command_and_keeps_serving():
    command_read, command_write = mp.Pipe(duplex=False)
    snapshot_read, snapshot_write = mp.Pipe(duplex=False)
    worker = threading.Thread(target=serve, args=(command_read, snapshot_write, 0), daemon=True)
    worker.start()
    points, labels = generate("xor", 100, 0.0, 0)
    command_write.send((1, SetData(points, labels, np.arange(100) % 2 == 0, (-6.0, 6.0))))
    command_write.send((2, "no_such_command"))  # a programming error: reported, not dropped
    snap = None
    while snap is None or snap.seq < 2:
        assert snapshot_read.poll(60), "the trainer loop hung"
        snap = snapshot_read.recv()
    assert "programming error" in snap.message and "no_such_command" in snap.message
    bad = SetData(points, labels, np.arange(100) % 2 == 0, None)  # type: ignore[arg-type]  # no bounds
    command_write.send((3, bad))  # fails unexpectedly: reported once, never retried
    while snap.seq < 3:
        assert snapshot_read.poll(60), "the trainer loop hung"
        snap = snapshot_read.recv()
    assert "unexpected error while applying SetData" in snap.message and not snap.playing
    command_write.send((4, Step(2)))
    while snap.seq < 4:
        assert snapshot_read.poll(60), "the trainer loop hung"
        snap = snapshot_read.recv()
    assert snap.epoch == 2 and snap.message == ""
    command_write.send((5, Stop()))
    worker.join(5)
    assert not worker.is_alive()
