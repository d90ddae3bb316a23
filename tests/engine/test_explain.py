"""The neuron inspector's numbers and the gradient check, against the engine's backprop."""

from __future__ import annotations

import numpy as np
import pytest

from engine.datasets import generate
from engine.explain import explain_neuron, gradient_check
from engine.features import transform
from engine.network import Network
from engine.trainer import Trainer


def _trained(activation="tanh", task="binary", hidden=(4, 3), features=("x1", "x2"), seed=1):
    preset = "plane" if task == "regression" else "spiral"
    points, labels = generate(preset, 120, 0.1, seed)
    if task == "multiclass":
        labels = (np.hypot(*points.T) // 2).astype(int) % 3
    X = transform(points, features)
    outputs = 3 if task == "multiclass" else 1
    net = Network([X.shape[1], *hidden, outputs], activation, task, seed=seed)
    trainer = Trainer(net, learning_rate=0.05, seed=seed)
    for _ in range(5):
        trainer.epoch(X, labels)
    return net, X, labels


@pytest.mark.parametrize("activation", ["tanh", "sigmoid", "relu", "linear"])
@pytest.mark.parametrize("task", ["binary", "multiclass", "regression"])
def test_inspector_numbers_equal_the_engines_gradients_for_one_point(activation, task):
    net, X, y = _trained(activation, task)
    for point in (0, 7, 31):
        x, label = X[point : point + 1], y[point]
        dW, db = net.gradients(x, np.array([label]))
        sums, acts = net.trace(x)
        for layer in range(1, net.n_layers + 1):
            for neuron in range(net.layer_sizes[layer]):
                report = explain_neuron(net, x, label, layer, neuron)
                assert report.s == pytest.approx(sums[layer - 1][0, neuron], abs=1e-12)
                assert report.a == pytest.approx(acts[layer][0, neuron], abs=1e-12)
                assert report.bias_gradient == pytest.approx(db[layer - 1][neuron], rel=1e-9, abs=1e-14)
                np.testing.assert_allclose(report.weight_gradients, dW[layer - 1][:, neuron], rtol=1e-9, atol=1e-14)
                if report.upstream_sum is not None:  # equation 2, term by term
                    assert report.delta == pytest.approx(report.upstream_sum * report.slope, rel=1e-12, abs=1e-15)


def test_step_neuron_reports_a_zero_slope_and_zero_gradients():
    net, X, y = _trained("step")
    report = explain_neuron(net, X[:1], y[0], 1, 0)
    assert report.slope == 0.0 and report.delta == 0.0
    assert np.all(report.weight_gradients == 0.0)
    net.step_surrogate = True
    assert explain_neuron(net, X[:1], y[0], 1, 0).slope > 0.0


def test_unknown_neuron_is_refused():
    net, X, y = _trained()
    with pytest.raises(ValueError):
        explain_neuron(net, X[:1], y[0], 1, 99)


@pytest.mark.parametrize("features", [("x1", "x2"), ("x1", "x2", "x1sq", "x2sq", "x1x2", "sinx1", "sinx2")])
def test_gradient_check_reports_tiny_errors_for_tanh_networks(features):
    net, X, y = _trained("tanh", hidden=(5, 4), features=features)
    result = gradient_check(net, X, y)
    assert result.worst_error < 1e-6
    assert result.parameters == net.params.size
    assert len(result.layer_errors) == net.n_layers
    assert result.step_layers == ()


def test_gradient_check_finds_a_wrong_gradient():
    net, X, y = _trained("tanh")
    original = net.gradients

    def broken(X_, y_):
        dW, db = original(X_, y_)
        dW[0][0, 0] += 0.01
        return dW, db

    net.gradients = broken  # the check copies the network, so patch the class for this test
    Network_gradients = Network.gradients
    try:
        Network.gradients = lambda self, X_, y_: broken(X_, y_)
        assert gradient_check(net, X, y).worst_error > 1e-3
    finally:
        Network.gradients = Network_gradients


def test_gradient_check_names_the_layers_below_a_step():
    net, X, y = _trained(["tanh", "step"], hidden=(4, 3))
    result = gradient_check(net, X, y)
    assert result.step_layers == (1, 2)
    assert result.worst_error < 1e-6  # both zero below the step: the loss is flat there


def test_surrogate_gradient_lets_a_step_network_learn_circle():
    from engine.datasets import split

    points, labels = generate("circle", 500, 0.0, 0)
    train_x, train_y, test_x, test_y = split(points, labels, 0.5, 0)
    net = Network([2, 4, 2, 1], "step", seed=0, step_surrogate=True)
    trainer = Trainer(net, learning_rate=0.03, seed=0)
    for _ in range(300):
        trainer.epoch(train_x, train_y)
    assert net.accuracy(test_x, test_y) >= 0.9
    report = explain_neuron(net, train_x[:1], train_y[0], 1, 0)
    dW, db = net.gradients(train_x[:1], train_y[:1])
    assert report.bias_gradient == pytest.approx(db[0][0], rel=1e-9, abs=1e-15)  # same surrogate slope
