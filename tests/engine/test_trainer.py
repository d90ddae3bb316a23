"""The trainer: mini-batch epochs checked against hand-made SGD steps, settings changed
between epochs, validation, regularization, optimizers, gradient norms and learning."""

from __future__ import annotations

import numpy as np
import pytest

from engine import EngineError, Network, Trainer, generate, split


def params(net: Network) -> list[np.ndarray]:
    return [a.copy() for a in (*net.weights, *net.biases)]


def same(a: list[np.ndarray], b: list[np.ndarray]) -> bool:
    return all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))


@pytest.fixture
def data() -> tuple[np.ndarray, np.ndarray]:
    return generate("circle", 60, 0.0, seed=1)


def manual_sgd_epoch(net: Network, X, y, order, batch_size: int, lr: float) -> None:
    """Plain SGD over ``order`` in batches, using only Network.gradients."""
    for start in range(0, len(order), batch_size):
        rows = order[start : start + batch_size]
        dW, db = net.gradients(X[rows], y[rows])
        for l in range(net.n_layers):
            net.weights[l][...] -= lr * dW[l]
            net.biases[l][...] -= lr * db[l]


@pytest.mark.parametrize("n,batch_size", [(25, 10), (60, 7), (12, 50), (9, 1)])
def test_epoch_is_sgd_over_a_reshuffled_order_including_an_uneven_last_batch(n, batch_size) -> None:
    X, y = generate("xor", n, 0.0, seed=2)
    net = Network([2, 4, 2, 1], seed=0)
    expected = net.copy()
    trainer = Trainer(net, "sgd", learning_rate=0.3, batch_size=batch_size, seed=5)
    rng = np.random.default_rng(5)  # the trainer's shuffle, replayed
    for _ in range(3):
        returned = trainer.epoch(X, y)
        manual_sgd_epoch(expected, X, y, rng.permutation(n), batch_size, 0.3)
        for a, b in zip(params(net), params(expected), strict=True):
            np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-13)
        assert returned == net.loss(X, y)
    assert trainer.epochs_done == 3


def test_every_point_counts_in_the_uneven_last_batch() -> None:
    # 11 points in batches of 10: the 11th point alone decides the second step.
    X, y = generate("circle", 11, 0.0, seed=3)
    runs = []
    for last_label in (0, 1):
        y2 = y.copy()
        net = Network([2, 3, 1], seed=0)
        trainer = Trainer(net, learning_rate=0.5, batch_size=10, seed=0)
        order = np.random.default_rng(0).permutation(11)
        y2[order[-1]] = last_label
        trainer.epoch(X, y2)
        runs.append(params(net))
    assert not same(*runs)


def test_settings_change_between_epochs_without_losing_the_weights(data) -> None:
    X, y = data
    net = Network([2, 4, 2, 1], seed=0)
    trainer = Trainer(net, "sgd", 0.03, 10)
    for _ in range(3):
        trainer.epoch(X, y)
    trained = params(net)
    loss = net.loss(X, y)
    trainer.learning_rate = 0.5
    trainer.optimizer = "adam"
    trainer.batch_size = 4
    trainer.regularization = "l2"
    trainer.reg_rate = 0.01
    assert same(trained, params(net))
    assert (trainer.learning_rate, trainer.optimizer, trainer.batch_size) == (0.5, "adam", 4)
    assert (trainer.regularization, trainer.reg_rate) == ("l2", 0.01)
    trainer.optimizer = "momentum"
    trainer.regularization = None
    assert same(trained, params(net)) and net.loss(X, y) == loss
    trainer.epoch(X, y)  # carries on from the trained weights, not from scratch
    assert not same(trained, params(net))


def test_a_new_learning_rate_and_batch_size_take_effect_on_the_next_epoch(data) -> None:
    X, y = data
    net = Network([2, 4, 1], seed=0)
    trainer = Trainer(net, "sgd", 0.03, 10)
    trainer.epoch(X, y)
    trainer.learning_rate = 0.7
    trainer.batch_size = len(X)  # one full batch: the step is -lr * gradient exactly
    before = net.copy()
    dW, db = before.gradients(X, y)
    trainer.epoch(X, y)
    for l in range(net.n_layers):
        np.testing.assert_allclose(net.weights[l], before.weights[l] - 0.7 * dW[l], rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(net.biases[l], before.biases[l] - 0.7 * db[l], rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize(
    "setting,value",
    [
        ("learning_rate", 0), ("learning_rate", -0.1), ("learning_rate", float("nan")),
        ("learning_rate", float("inf")), ("learning_rate", "fast"), ("learning_rate", None),
        ("batch_size", 0), ("batch_size", -5), ("batch_size", 2.5), ("batch_size", True),
        ("batch_size", "10"), ("optimizer", "rmsprop"), ("optimizer", None),
        ("regularization", "l3"), ("regularization", "L2x"),
        ("reg_rate", -0.1), ("reg_rate", float("nan")), ("reg_rate", float("inf")), ("reg_rate", "x"),
    ],
)
def test_bad_settings_raise_engine_error_and_keep_the_old_value(setting: str, value) -> None:
    trainer = Trainer(Network([2, 2, 1]), "momentum", 0.05, 8, "l1", 0.001)
    old = getattr(trainer, setting)
    with pytest.raises(EngineError):
        setattr(trainer, setting, value)
    assert getattr(trainer, setting) == old
    with pytest.raises(EngineError):
        Trainer(Network([2, 2, 1]), **{setting: value})


def test_l2_shrinks_weights_but_leaves_biases_alone(data) -> None:
    X, y = data
    plain, regularized = Network([2, 4, 1], seed=0), Network([2, 4, 1], seed=0)
    for net in (plain, regularized):
        net.biases[0][...] = 0.7  # a non-zero bias, so a penalty on it would show
    lr, rate = 0.1, 0.5
    before = params(regularized)
    Trainer(plain, "sgd", lr, len(X)).epoch(X, y)
    Trainer(regularized, "sgd", lr, len(X), "l2", rate).epoch(X, y)
    for l in range(plain.n_layers):
        # One full-batch step: w <- w - lr (g + rate w); the bias gets no penalty term.
        np.testing.assert_allclose(
            plain.weights[l] - regularized.weights[l], lr * rate * before[l], rtol=1e-9, atol=1e-15
        )
        np.testing.assert_array_equal(plain.biases[l], regularized.biases[l])


def test_l1_pulls_every_weight_by_the_same_amount_and_biases_not_at_all(data) -> None:
    X, y = data
    plain, regularized = Network([2, 4, 1], seed=0), Network([2, 4, 1], seed=0)
    before = params(regularized)
    Trainer(plain, "sgd", 0.1, len(X)).epoch(X, y)
    Trainer(regularized, "sgd", 0.1, len(X), "l1", 0.2).epoch(X, y)
    for l in range(plain.n_layers):
        np.testing.assert_allclose(
            plain.weights[l] - regularized.weights[l], 0.1 * 0.2 * np.sign(before[l]), rtol=1e-9
        )
        np.testing.assert_array_equal(plain.biases[l], regularized.biases[l])


def test_strong_l2_keeps_weights_small_over_training(data) -> None:
    X, y = data
    norms = {}
    for rate in (0.0, 0.1):
        net = Network([2, 6, 1], seed=0)
        trainer = Trainer(net, "sgd", 0.1, 10, "l2", rate)
        for _ in range(40):
            trainer.epoch(X, y)
        norms[rate] = sum(np.linalg.norm(W) for W in net.weights)
    assert norms[0.1] < 0.7 * norms[0.0]


def test_penalty_counts_weights_only() -> None:
    net = Network([2, 2, 1], init="zeros")
    net.weights[0][...] = [[1.0, -2.0], [0.0, 3.0]]
    net.biases[0][...] = 100.0
    assert Trainer(net, regularization="l2", reg_rate=0.1).penalty() == pytest.approx(0.5 * 0.1 * 14)
    assert Trainer(net, regularization="l1", reg_rate=0.1).penalty() == pytest.approx(0.1 * 6)
    assert Trainer(net, regularization=None, reg_rate=0.1).penalty() == 0.0


class ReferenceOptimizer:
    """Textbook update rules on a list of arrays, to check the engine's fused versions."""

    def __init__(self, name: str, shapes: list[tuple[int, ...]]) -> None:
        self.name, self.t = name, 0
        self.first = [np.zeros(s) for s in shapes]  # velocity, or Adam's first moment
        self.second = [np.zeros(s) for s in shapes]

    def step(self, params: list[np.ndarray], grads: list[np.ndarray], lr: float) -> None:
        self.t += 1
        for p, g, m, v in zip(params, grads, self.first, self.second, strict=True):
            if self.name == "sgd":
                p -= lr * g
            elif self.name == "momentum":
                m[...] = 0.9 * m + g
                p -= lr * m
            else:
                m[...] = 0.9 * m + 0.1 * g
                v[...] = 0.999 * v + 0.001 * g * g
                # Kingma and Ba's efficient form: epsilon is added before bias correction.
                m_hat, v_hat = m / (1 - 0.9**self.t), v / (1 - 0.999**self.t)
                p -= lr * m_hat / (np.sqrt(v_hat) + 1e-8 / np.sqrt(1 - 0.999**self.t))


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam"])
def test_optimizer_steps_follow_their_update_rules(data, optimizer: str) -> None:
    X, y = data
    net = Network([2, 4, 1], seed=0)
    expected = net.copy()
    trainer = Trainer(net, optimizer, 0.05, len(X))  # full batches: one step per epoch
    reference = ReferenceOptimizer(optimizer, [a.shape for a in params(expected)])
    for _ in range(4):
        dW, db = expected.gradients(X, y)
        reference.step([*expected.weights, *expected.biases], dW + db, 0.05)
        trainer.epoch(X, y)
        for a, b in zip(params(net), params(expected), strict=True):
            np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("optimizer,lr", [("sgd", 0.1), ("momentum", 0.02), ("adam", 0.02)])
def test_every_optimizer_reduces_the_loss(optimizer: str, lr: float) -> None:
    X, y = generate("gauss", 200, 0.1, seed=0)
    net = Network([2, 4, 1], seed=0)
    start = net.loss(X, y)
    trainer = Trainer(net, optimizer, lr, 10)
    losses = [trainer.epoch(X, y) for _ in range(10)]
    assert losses[-1] < 0.5 * start
    assert losses[-1] < losses[0]


def test_gradient_norms_hold_one_weight_gradient_norm_per_layer(data) -> None:
    X, y = data
    net = Network([2, 5, 3, 2, 1], seed=0)
    trainer = Trainer(net, batch_size=len(X))
    assert trainer.gradient_norms == [0.0] * 4  # no step taken yet
    before = net.copy()
    trainer.epoch(X, y)
    dW, _ = before.gradients(X, y)
    assert len(trainer.gradient_norms) == net.n_layers == 4
    np.testing.assert_allclose(trainer.gradient_norms, [np.linalg.norm(g) for g in dW], rtol=1e-10)


def test_epoch_rejects_empty_or_mismatched_data() -> None:
    trainer = Trainer(Network([2, 2, 1]))
    with pytest.raises(EngineError):
        trainer.epoch(np.zeros((0, 2)), np.zeros(0, int))
    with pytest.raises(EngineError):
        trainer.epoch(np.zeros((4, 2)), np.zeros(3, int))


@pytest.mark.parametrize("preset", ["xor", "circle"])
def test_a_2_4_2_1_tanh_network_learns_the_preset(preset: str) -> None:
    # TensorFlow Playground's defaults: 500 points, half for training, SGD, rate 0.03, batch 10.
    train_x, train_y, test_x, test_y = split(*generate(preset, 500, 0.0, seed=0), 0.5, seed=0)
    net = Network([2, 4, 2, 1], "tanh", "binary", seed=0)
    trainer = Trainer(net, "sgd", 0.03, 10, seed=0)
    for _ in range(200):
        trainer.epoch(train_x, train_y)
    assert net.accuracy(test_x, test_y) >= 0.95


def test_a_multiclass_network_learns_three_blobs() -> None:
    rng = np.random.default_rng(0)
    centres = np.array([[-3.0, -3.0], [3.0, -3.0], [0.0, 3.0]])
    y = rng.integers(0, 3, 300)
    X = centres[y] + rng.normal(0.0, 0.8, (300, 2))
    net = Network([2, 5, 3], "tanh", "multiclass", seed=0)
    trainer = Trainer(net, "adam", 0.03, 10)
    for _ in range(20):
        trainer.epoch(X[:150], y[:150])
    assert net.accuracy(X[150:], y[150:]) >= 0.95


def test_float32_training_tracks_float64(data) -> None:
    X, y = data
    nets = [Network([2, 4, 1], seed=0, dtype=d) for d in ("float32", "float64")]
    for net in nets:
        trainer = Trainer(net, "adam", 0.01, 10)
        for _ in range(5):
            trainer.epoch(X, y)
    assert nets[0].params.dtype == np.float32
    np.testing.assert_allclose(nets[0].weights[0], nets[1].weights[0], rtol=1e-3, atol=1e-4)


def test_large_data_is_trained_in_chunks_with_the_same_result(monkeypatch):
    import engine.trainer as trainer_module
    from engine.datasets import generate
    from engine.network import Network
    from engine.trainer import Trainer

    points, labels = generate("xor", 237, 0.1, 4)

    def trained():
        net = Network([2, 5, 1], "tanh", seed=2)
        trainer = Trainer(net, batch_size=4, seed=3)
        losses = [trainer.epoch(points, labels) for _ in range(3)]
        return net.params.copy(), losses, trainer

    whole, whole_losses, whole_trainer = trained()
    monkeypatch.setattr(trainer_module, "MAX_LISTED_BATCHES", 7)  # chunks of 28 points and a tail of 13
    chunked, chunked_losses, trainer = trained()
    assert trainer._plan_cache.chunk == 28 and trainer._plan_cache.tail == 237 % 28
    # The listing covers 7 batches instead of all 60: it no longer grows with the data.
    assert len(trainer._plan_cache.calls) * 7 < len(whole_trainer._plan_cache.calls)
    assert np.array_equal(whole, chunked)
    assert whole_losses == chunked_losses
