"""The network: its shapes, forward pass and losses against plain numpy, init schemes,
the step function's zero gradient, numerical stability and serialisation."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pytest

from engine import EngineError, Network, Trainer, generate
from engine.activations import sigmoid
from engine.losses import softmax

REFERENCE_ACTIVATIONS = {
    "tanh": np.tanh,
    "sigmoid": lambda s: 1.0 / (1.0 + np.exp(-s)),
    "relu": lambda s: np.maximum(s, 0.0),
    "linear": lambda s: s,
    "step": lambda s: (s > 0).astype(float),
}


def reference_forward(net: Network, X: np.ndarray) -> np.ndarray:
    """An independent forward pass built only from the public weights and biases."""
    a = X
    for l, (W, b) in enumerate(zip(net.weights, net.biases, strict=True)):
        s = a @ W + b
        if l < net.n_layers - 1:
            a = REFERENCE_ACTIVATIONS[net.activation_names[l]](s)
        elif net.task == "binary":
            a = 1.0 / (1.0 + np.exp(-s))
        elif net.task == "multiclass":
            e = np.exp(s - s.max(axis=1, keepdims=True))
            a = e / e.sum(axis=1, keepdims=True)
        else:
            a = s
    return a


@pytest.fixture
def points() -> np.ndarray:
    return np.random.default_rng(1).uniform(-6.0, 6.0, (25, 2))


def test_weights_and_biases_have_the_documented_shapes() -> None:
    net = Network([3, 4, 2, 1])
    assert [w.shape for w in net.weights] == [(3, 4), (4, 2), (2, 1)]
    assert [b.shape for b in net.biases] == [(4,), (2,), (1,)]
    assert net.n_layers == 3
    assert all(w.dtype == np.float64 for w in net.weights)


def test_weights_are_live_views_of_the_network() -> None:
    net = Network([2, 3, 1], task="regression")
    X = np.array([[1.0, 2.0]])
    before = net.forward(X)[0, 0]
    net.biases[-1][0] += 1.5
    assert net.forward(X)[0, 0] == pytest.approx(before + 1.5)


@pytest.mark.parametrize("activation", list(REFERENCE_ACTIVATIONS))
@pytest.mark.parametrize("task,outputs", [("binary", 1), ("multiclass", 4), ("regression", 1)])
def test_forward_matches_plain_numpy(points, activation: str, task: str, outputs: int) -> None:
    net = Network([2, 5, 3, outputs], activation, task, seed=2)
    expected = reference_forward(net, points)
    np.testing.assert_allclose(net.forward(points), expected, rtol=1e-12, atol=1e-14)
    acts = net.activations(points)
    assert [a.shape for a in acts] == [(25, 2), (25, 5), (25, 3), (25, outputs)]
    np.testing.assert_array_equal(acts[0], points)
    np.testing.assert_allclose(acts[-1], expected, rtol=1e-12, atol=1e-14)


def test_per_layer_activations_are_applied_in_order(points) -> None:
    net = Network([2, 4, 4, 1], ["relu", "step"], "binary", seed=4)
    acts = net.activations(points)
    assert np.all(acts[1] >= 0) and np.any(acts[1] > 0)
    assert set(np.unique(acts[2])) <= {0.0, 1.0}
    np.testing.assert_allclose(net.forward(points), reference_forward(net, points), rtol=1e-12)


def test_binary_loss_is_mean_cross_entropy(points) -> None:
    net = Network([2, 4, 1], seed=3)
    y = (points[:, 0] > 0).astype(int)
    p = reference_forward(net, points)[:, 0]
    expected = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
    assert net.loss(points, y) == pytest.approx(expected, rel=1e-12)


def test_multiclass_loss_is_mean_cross_entropy(points) -> None:
    net = Network([2, 4, 3], task="multiclass", seed=3)
    y = np.arange(len(points)) % 3
    p = reference_forward(net, points)
    expected = -np.mean(np.log(p[np.arange(len(y)), y]))
    assert net.loss(points, y) == pytest.approx(expected, rel=1e-12)


def test_regression_loss_is_half_mean_squared_error(points) -> None:
    net = Network([2, 4, 1], task="regression", seed=3)
    y = np.linspace(-1, 1, len(points))
    expected = np.mean(0.5 * (reference_forward(net, points)[:, 0] - y) ** 2)
    assert net.loss(points, y) == pytest.approx(expected, rel=1e-12)


def test_predict_and_accuracy(points) -> None:
    net = Network([2, 1], task="binary")
    net.weights[0][...] = [[1.0], [0.0]]
    net.biases[0][...] = 0.0
    y = (points[:, 0] > 0).astype(int)
    np.testing.assert_array_equal(net.predict(points), y)
    assert net.accuracy(points, y) == 1.0
    assert net.accuracy(points, 1 - y) == 0.0
    assert Network([2, 1], task="regression").accuracy(points, y.astype(float)) is None


# ------------------------------------------------------------------ initialisation
def test_playground_init_draws_uniform_weights_and_biases_of_one_tenth() -> None:
    net = Network([2, 50, 40, 1], init="playground", seed=1)
    for W, b in zip(net.weights, net.biases, strict=True):
        assert np.all(np.abs(W) <= 0.5) and W.std() > 0.2
        np.testing.assert_array_equal(b, 0.1)


def test_zeros_init_gives_all_zero_parameters() -> None:
    net = Network([2, 4, 2, 1], init="zeros")
    assert all(not W.any() for W in net.weights) and all(not b.any() for b in net.biases)


def test_auto_init_uses_glorot_for_tanh_and_he_for_relu() -> None:
    tanh_net = Network([200, 300, 1], "tanh", seed=0)
    relu_net = Network([200, 300, 1], "relu", seed=0)
    glorot_limit = np.sqrt(6.0 / 500)
    assert np.abs(tanh_net.weights[0]).max() <= glorot_limit
    assert tanh_net.weights[0].std() == pytest.approx(glorot_limit / np.sqrt(3), rel=0.02)
    assert relu_net.weights[0].std() == pytest.approx(np.sqrt(2.0 / 200), rel=0.02)
    assert not tanh_net.biases[0].any() and not relu_net.biases[0].any()


def test_float32_network_computes_in_float32(points) -> None:
    net = Network([2, 4, 1], dtype="float32", seed=0)
    assert all(W.dtype == np.float32 for W in net.weights)
    assert net.forward(points).dtype == np.float32
    reference = Network([2, 4, 1], dtype="float64", seed=0)
    np.testing.assert_allclose(net.forward(points), reference.forward(points), rtol=1e-5)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"layer_sizes": [2]},
        {"layer_sizes": [2, 0, 1]},
        {"layer_sizes": [2, -3, 1]},
        {"layer_sizes": [2, 2.5, 1]},
        {"layer_sizes": [2, True, 1]},
        {"layer_sizes": [2, 4, 1], "activation": "swish"},
        {"layer_sizes": [2, 4, 2, 1], "activation": ["tanh"]},
        {"layer_sizes": [2, 4, 1], "task": "ranking"},
        {"layer_sizes": [2, 4, 2], "task": "multiclass"},
        {"layer_sizes": [2, 4, 2], "task": "binary"},
        {"layer_sizes": [2, 4, 3], "task": "regression"},
        {"layer_sizes": [2, 4, 1], "init": "lecun"},
        {"layer_sizes": [2, 4, 1], "dtype": "float16"},
    ],
)
def test_bad_configurations_raise_engine_error(kwargs) -> None:
    with pytest.raises(EngineError):
        Network(**kwargs)


def test_wrongly_shaped_input_raises_engine_error() -> None:
    with pytest.raises(EngineError, match="shape"):
        Network([3, 2, 1]).forward(np.zeros((4, 2)))


# --------------------------------------------------------------------------- step
def step_problem():
    X, y = generate("circle", 200, 0.0, seed=0)
    return X, y


def test_step_gradients_below_a_step_layer_are_exactly_zero() -> None:
    X, y = step_problem()
    net = Network([2, 4, 2, 1], "step", seed=0)
    dW, db = net.gradients(X, y)
    for l in (0, 1):  # both hidden layers feed a step activation
        assert np.all(dW[l] == 0.0) and np.all(db[l] == 0.0)
    assert np.any(dW[2] != 0.0) and np.any(db[2] != 0.0)


def test_step_stops_gradients_only_below_itself() -> None:
    X, y = step_problem()
    dW, db = Network([2, 4, 3, 1], ["step", "tanh"], seed=0).gradients(X, y)
    assert np.all(dW[0] == 0.0) and np.all(db[0] == 0.0)
    assert np.any(dW[1] != 0.0) and np.any(dW[2] != 0.0)
    dW, db = Network([2, 4, 3, 1], ["tanh", "step"], seed=0).gradients(X, y)
    assert all(np.all(g == 0.0) for g in (dW[0], db[0], dW[1], db[1]))
    assert np.any(dW[2] != 0.0)


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam"])
def test_step_hidden_weights_never_move_while_the_output_layer_learns(optimizer: str) -> None:
    X, y = step_problem()
    net = Network([2, 4, 2, 1], "step", seed=0)
    hidden_before = [a.copy() for a in (*net.weights[:2], *net.biases[:2])]
    output_before = net.weights[2].copy()
    trainer = Trainer(net, optimizer, learning_rate=0.1)
    for _ in range(5):
        trainer.epoch(X, y)
    hidden_after = (*net.weights[:2], *net.biases[:2])
    assert all(np.array_equal(a, b) for a, b in zip(hidden_before, hidden_after, strict=True))
    assert not np.array_equal(output_before, net.weights[2])
    assert trainer.gradient_norms[0] == 0.0 and trainer.gradient_norms[1] == 0.0


def test_step_surrogate_sends_a_gradient_to_hidden_layers() -> None:
    X, y = step_problem()
    net = Network([2, 4, 2, 1], "step", seed=0, step_surrogate=True)
    dW, db = net.gradients(X, y)
    assert all(np.any(g != 0.0) for g in (dW[0], db[0], dW[1], db[1]))
    # The forward pass is still the step function.
    assert set(np.unique(net.activations(X)[1])) <= {0.0, 1.0}
    net.step_surrogate = False
    assert all(np.all(g == 0.0) for g in net.gradients(X, y)[0][:2])


# ---------------------------------------------------------------------- numerics
def test_sigmoid_is_exact_and_silent_far_beyond_exp_overflow() -> None:
    s = np.array([-1e6, -1000.0, -745.0, -710.0, -700.5, 0.0, 700.5, 710.0, 1000.0, 1e6])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(all="raise"):
            p = sigmoid(s)
    assert np.all(np.isfinite(p)) and np.all((p >= 0) & (p <= 1))
    np.testing.assert_array_equal(p[:5], 0.0)
    np.testing.assert_array_equal(p[-4:], 1.0)
    assert p[5] == 0.5
    assert np.all(np.diff(p) >= 0)


@pytest.mark.parametrize("scale", [800.0, 1e5])
def test_binary_network_with_huge_logits_gives_finite_exact_loss_without_warnings(scale: float) -> None:
    net = Network([2, 1], task="binary")
    net.weights[0][...] = [[scale], [0.0]]
    X = np.array([[1.0, 0.0], [-1.0, 0.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="raise", invalid="raise", divide="raise"):
            out = net.forward(X)
            right = net.loss(X, np.array([1, 0]))
            wrong = net.loss(X, np.array([0, 1]))
            dW, db = net.gradients(X, np.array([0, 1]))
    np.testing.assert_array_equal(out[:, 0], [1.0, 0.0])
    assert right == 0.0
    assert wrong == pytest.approx(scale)  # -log sigmoid(-s) = s for huge s
    assert np.all(np.isfinite(dW[0])) and np.all(np.isfinite(db[0]))


@pytest.mark.parametrize("scale", [1000.0, 1e6])
def test_softmax_and_cross_entropy_with_huge_logits_stay_finite(scale: float) -> None:
    net = Network([2, 3], task="multiclass")
    net.weights[0][...] = [[scale, 0.0, -scale], [0.0, scale, 0.0]]
    X = np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, 0.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="raise", invalid="raise", divide="raise"):
            probs = net.forward(X)
            right = net.loss(X, np.array([0, 1, 2]))
            wrong = net.loss(X, np.array([1, 0, 1]))
            dW, _ = net.gradients(X, np.array([1, 0, 1]))
    assert np.all(np.isfinite(probs))
    np.testing.assert_allclose(probs.sum(axis=1), 1.0)
    np.testing.assert_array_equal(probs.argmax(axis=1), [0, 1, 2])
    assert right == 0.0
    assert np.isfinite(wrong) and wrong == pytest.approx(scale)
    assert np.all(np.isfinite(dW[0]))


def test_softmax_of_equal_huge_logits_is_uniform() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        p = softmax(np.full((2, 4), 1e300))
    np.testing.assert_allclose(p, 0.25)


# ----------------------------------------------------------------- serialisation
def test_to_dict_from_dict_round_trip_through_json_keeps_everything(points) -> None:
    net = Network([2, 5, 3, 4], ["relu", "sigmoid"], "multiclass", seed=7, init="playground")
    net.weights[1][0, 0] = 1 / 3
    loaded = Network.from_dict(json.loads(json.dumps(net.to_dict())))
    assert loaded.layer_sizes == net.layer_sizes
    assert loaded.activation_names == net.activation_names
    assert loaded.task == net.task
    assert all(np.array_equal(a, b) for a, b in zip(loaded.weights, net.weights, strict=True))
    assert all(np.array_equal(a, b) for a, b in zip(loaded.biases, net.biases, strict=True))
    np.testing.assert_array_equal(loaded.forward(points), net.forward(points))


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d.update(format="something-else"),
        lambda d: d.update(version=99),
        lambda d: d.pop("weights"),
        lambda d: d.update(weights=[[[1.0]]] * 2),
        lambda d: d.update(weights=[[["a", "b"]] * 2, [[1.0]]]),
        lambda d: d["weights"][0][0].__setitem__(0, float("nan")),
        lambda d: d.update(activations=["nope"]),
    ],
)
def test_from_dict_rejects_broken_models_with_engine_error(change) -> None:
    data = Network([2, 2, 1], seed=1).to_dict()
    change(data)
    with pytest.raises(EngineError):
        Network.from_dict(data)


def test_copy_is_independent() -> None:
    net = Network([2, 3, 1], seed=1)
    twin = net.copy()
    assert all(np.array_equal(a, b) for a, b in zip(net.weights, twin.weights, strict=True))
    twin.weights[0][0, 0] += 1.0
    assert net.weights[0][0, 0] != twin.weights[0][0, 0]
