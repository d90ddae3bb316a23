"""Backpropagation against an independent oracle: central finite differences of the loss.

Every activation but step, every task, with the two raw inputs and with all seven
features; float64 throughout. Each layer's weight and bias gradients are compared
separately, so an error confined to one layer cannot hide behind the others.
"""

from __future__ import annotations

import numpy as np
import pytest

from engine import Network, transform
from engine.features import FEATURES

SMOOTH_ACTIVATIONS = ("tanh", "sigmoid", "relu", "linear")
TASK_OUTPUTS = {"binary": 1, "multiclass": 3, "regression": 1}
FEATURE_SETS = {"raw": ["x1", "x2"], "all": list(FEATURES)}
STEP = 1e-6  # finite-difference step
KINK_MARGIN = 1e-3  # relu: drop points whose hidden sums lie this close to the kink at 0


def relative_error(analytic: np.ndarray, numeric: np.ndarray) -> float:
    """||a - n|| / (||a|| + ||n||): scale-free, and 0 only when both agree."""
    scale = np.linalg.norm(analytic) + np.linalg.norm(numeric)
    return float(np.linalg.norm(analytic - numeric) / scale)


def numeric_gradient(net: Network, X: np.ndarray, y: np.ndarray, param: np.ndarray) -> np.ndarray:
    """Central differences of ``net.loss`` with respect to every entry of ``param`` (a view)."""
    grad = np.zeros_like(param)
    for index in np.ndindex(param.shape):
        saved = param[index]
        param[index] = saved + STEP
        above = net.loss(X, y)
        param[index] = saved - STEP
        below = net.loss(X, y)
        param[index] = saved
        grad[index] = (above - below) / (2 * STEP)
    return grad


def make_problem(activation: str, task: str, features: list[str], seed: int = 0):
    """A 3-hidden-layer network and 40 points with labels suited to ``task``."""
    rng = np.random.default_rng(seed)
    points = rng.uniform(-3.0, 3.0, (40, 2))
    X = transform(points, features)
    outputs = TASK_OUTPUTS[task]
    net = Network([X.shape[1], 5, 4, 3, outputs], activation, task, seed=seed)
    if task == "binary":
        y = rng.integers(0, 2, len(X))
    elif task == "multiclass":
        y = rng.integers(0, outputs, len(X))
    else:
        y = rng.uniform(-1.0, 1.0, len(X))
    if "relu" in ([activation] if isinstance(activation, str) else activation):
        sums, _ = net.trace(X)
        clear = np.all([np.all(np.abs(s) > KINK_MARGIN, axis=1) for s in sums[:-1]], axis=0)
        X, y = X[clear], y[clear]
        assert len(X) >= 20, "too few points away from relu's kink for a meaningful check"
    return net, X, y


def assert_gradients_match(net: Network, X: np.ndarray, y: np.ndarray) -> None:
    dW, db = net.gradients(X, y)
    assert len(dW) == len(db) == net.n_layers
    for l in range(net.n_layers):
        assert dW[l].shape == net.weights[l].shape and db[l].shape == net.biases[l].shape
        for name, analytic, param in (("weights", dW[l], net.weights[l]), ("biases", db[l], net.biases[l])):
            numeric = numeric_gradient(net, X, y, param)
            assert np.linalg.norm(numeric) > 1e-6, f"layer {l + 1} {name}: gradient too small to check"
            error = relative_error(analytic, numeric)
            assert error < 1e-6, f"layer {l + 1} {name}: relative error {error:.2e}"


@pytest.mark.parametrize("features", FEATURE_SETS.values(), ids=FEATURE_SETS.keys())
@pytest.mark.parametrize("task", TASK_OUTPUTS)
@pytest.mark.parametrize("activation", SMOOTH_ACTIVATIONS)
def test_backprop_matches_finite_differences(activation: str, task: str, features: list[str]) -> None:
    net, X, y = make_problem(activation, task, features)
    assert_gradients_match(net, X, y)


@pytest.mark.parametrize("task", TASK_OUTPUTS)
def test_backprop_matches_finite_differences_with_one_activation_per_layer(task: str) -> None:
    net, X, y = make_problem(["relu", "sigmoid", "tanh"], task, ["x1", "x2", "x1x2", "sinx2"], seed=3)
    assert_gradients_match(net, X, y)


def test_backprop_matches_finite_differences_with_four_classes_and_no_hidden_layer() -> None:
    rng = np.random.default_rng(5)
    X = transform(rng.uniform(-6.0, 6.0, (30, 2)), ["x1", "x2", "sinx1"])
    net = Network([3, 4], task="multiclass", seed=5)
    assert_gradients_match(net, X, rng.integers(0, 4, len(X)))


def test_gradients_are_a_mean_over_points() -> None:
    # The loss is a mean, so duplicating every point leaves loss and gradients unchanged.
    net, X, y = make_problem("tanh", "binary", ["x1", "x2"])
    dW, db = net.gradients(X, y)
    dW2, db2 = net.gradients(np.concatenate([X, X]), np.concatenate([y, y]))
    assert net.loss(np.concatenate([X, X]), np.concatenate([y, y])) == pytest.approx(net.loss(X, y))
    for a, b in zip(dW + db, dW2 + db2, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-15)


def test_gradients_do_not_change_the_network() -> None:
    net, X, y = make_problem("sigmoid", "multiclass", ["x1", "x2"])
    before = [w.copy() for w in net.weights] + [b.copy() for b in net.biases]
    first = net.gradients(X, y)
    after = list(net.weights) + list(net.biases)
    assert all(np.array_equal(a, b) for a, b in zip(before, after, strict=True))
    second = net.gradients(X, y)
    assert all(np.array_equal(a, b) for a, b in zip(first[0] + first[1], second[0] + second[1], strict=True))
