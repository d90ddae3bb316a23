"""The passes a live session lists once and replays: they compute what the network's own
methods compute, and follow every change of weights, activations, data and shape."""

from __future__ import annotations

import numpy as np
import pytest

from engine import maps, palette
from engine.commands import ApplyArchitecture, ApplySettings, Reset, SetData, SetFocus, SetSurrogate, SetWeight
from engine.config import Architecture, Settings
from engine.datasets import generate
from engine.features import transform
from engine.live import LEVEL_MAX, MAP_RESOLUTION, NEURON_STRIDE, LiveSession, to_levels
from engine.live_passes import GradientPass, GridPass, PointsPass, accuracy
from engine.network import Network


def _session(preset: str = "circle", n: int = 300, **architecture) -> LiveSession:
    s = LiveSession(seed=0)
    points, labels = generate(preset, n, 0.1, 0)
    if architecture:
        s.handle(1, ApplyArchitecture(Architecture(**architecture)))
    mask = np.arange(n) % 3 == 0
    s.handle(2, SetData(points, labels.astype(np.int64), mask, (-6.0, 6.0)))
    assert s.message == ""
    return s


def _quadrants(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Points labelled by quadrant: four classes (a softmax output)."""
    points = np.random.default_rng(seed).uniform(-5, 5, (n, 2))
    return points, (points[:, 0] > 0) + 2 * (points[:, 1] > 0)


def _expected_maps(s: LiveSession) -> tuple[np.ndarray, tuple[np.ndarray, ...]]:
    """The decision map's outputs and every neuron's levels, computed plainly by the network."""
    r, k = MAP_RESOLUTION, NEURON_STRIDE
    grid = transform(maps.grid(s.bounds, r), s.arch.features, np.float32)
    acts = s.eval_net.activations(grid)
    levels = tuple(to_levels(a.reshape(r, r, -1)[::k, ::k].transpose(2, 0, 1)) for a in acts[1:])
    return acts[-1], levels


@pytest.mark.parametrize("task", ["binary", "multiclass", "regression"])
def test_the_passes_compute_what_the_network_computes(task):
    if task == "multiclass":
        points, labels = _quadrants(120, 1)
    else:
        points, labels = generate("circle" if task == "binary" else "plane", 120, 0.1, 1)
    outputs = int(labels.max()) + 1 if task == "multiclass" else 1
    net = Network([2, 5, 3, outputs], ["tanh", "relu"], task, seed=3)
    grid = maps.grid(maps.Bounds(), 20)
    acts = GridPass(net, grid).run()
    for got, want in zip(acts, net.activations(grid), strict=True):
        np.testing.assert_allclose(got.T, want, rtol=1e-12, atol=1e-12)
    y = labels if task == "regression" else labels.astype(np.int64)
    measured = PointsPass(net, points)
    assert measured.measure(y) == pytest.approx(net.loss(points, y), rel=1e-12)
    weight_grads, _ = net.gradients(points, y)
    norms = GradientPass(net, points, y).norms()
    assert norms == pytest.approx([float(np.linalg.norm(g)) for g in weight_grads], rel=1e-12)
    assert accuracy(net, measured.logits, y) == net.accuracy(points, y)


def test_a_replayed_pass_follows_new_weights():
    net = Network([2, 4, 1], "tanh", seed=0)
    grid = maps.grid(maps.Bounds(), 10)
    grid_pass = GridPass(net, grid)
    before = grid_pass.run()[-1].copy()
    net.params *= 1.5  # the pass reads the weights where they live
    after = grid_pass.run()[-1]
    assert not np.allclose(before, after)
    np.testing.assert_allclose(after.T, net.forward(grid), rtol=1e-12)


def test_snapshots_draw_what_the_network_computes_through_training_and_every_change():
    s = _session(hidden=(5, 3), activations=("tanh", "tanh"))
    changes = [
        None,
        ApplyArchitecture(Architecture(hidden=(5, 3), activations=("relu", "sigmoid"))),  # same weights
        SetWeight(1, 0, 0, 2.5),
        SetSurrogate(True),
        ApplyArchitecture(Architecture(hidden=(4,), activations=("step",))),  # a new network
        ApplySettings(Settings(batch_size=7)),
        Reset(),
    ]
    for seq, change in enumerate(changes, start=10):
        if change is not None:
            s.handle(seq, change)
            assert s.message == ""
        for _ in range(3):
            s.train_epoch()
            snap = s.snapshot()
            outputs, levels = _expected_maps(s)
            assert len(snap.neuron_levels) == len(levels)
            for got, want in zip(snap.neuron_levels, levels, strict=True):
                assert np.array_equal(got, want)
            r = MAP_RESOLUTION
            expected_rgb = palette.map_rgb(s.task, outputs.reshape(r, r, -1), s.settings.discretize)
            assert np.array_equal(snap.decision_rgb, expected_rgb)
            assert snap.train_accuracy == s.net.accuracy(s.X_train, s.y_train)
            assert snap.test_accuracy == s.net.accuracy(s.X_test, s.y_test)
            weight_grads, _ = s.net.gradients(s.X_train, s.y_train)
            assert snap.gradient_norms == pytest.approx([float(np.linalg.norm(g)) for g in weight_grads])


def test_new_data_and_a_new_class_are_followed():
    s = _session()
    s.train_epoch()
    first = s.snapshot()
    points, labels = _quadrants(200, 2)  # three or more classes: a softmax output
    s.handle(5, SetData(points, labels.astype(np.int64), np.arange(200) % 2 == 0, (-6.0, 6.0)))
    s.train_epoch()
    snap = s.snapshot()
    assert snap.task == "multiclass" and first.task == "binary"
    assert snap.test_loss == pytest.approx(s.net.loss(s.X_test, s.y_test))
    assert snap.train_accuracy == s.net.accuracy(s.X_train, s.y_train)


def test_a_focused_neuron_and_an_input_feature_fill_the_map():
    s = _session(hidden=(3,), activations=("tanh",))
    s.train_epoch()
    r = MAP_RESOLUTION
    grid = transform(maps.grid(s.bounds, r), s.arch.features, np.float32)
    for layer, neuron in ((1, 2), (0, 1)):
        s.handle(20 + layer, SetFocus((layer, neuron)))
        snap = s.snapshot()
        assert snap.focus == (layer, neuron)
        acts = s.eval_net.activations(grid)  # the float32 twin holds the snapshot's weights
        lut = palette.diverging_lut(strength=0.8)
        expected = lut[to_levels(acts[layer][:, neuron].reshape(r, r)).astype(np.intp) * 255 // LEVEL_MAX]
        assert np.array_equal(snap.decision_rgb, expected)


def test_a_diverged_epoch_reports_the_accuracy_of_the_weights_kept():
    s = _session(hidden=(4,), activations=("relu",))
    s.handle(3, ApplySettings(Settings(learning_rate=10.0**6)))
    for _ in range(50):
        if not s.train_epoch():
            break
    assert s.diverged
    snap = s.snapshot()
    assert snap.train_accuracy == s.net.accuracy(s.X_train, s.y_train)
    assert snap.train_loss == pytest.approx(s.net.loss(s.X_train, s.y_train))


def test_to_levels_counts_nan_as_zero_and_clips_infinities():
    values = np.array([np.nan, -np.inf, np.inf, -1.0, 0.0, 1.0, 0.5, -3.0], np.float32)
    assert to_levels(values).tolist() == [127, 0, 254, 0, 127, 254, 190, 0]
