"""Same seed, same everything: data, initial weights and training are bit-identical;
a different seed gives different data, weights and training."""

from __future__ import annotations

import numpy as np
import pytest

from engine import Network, Trainer, generate, split


def train(data_seed: int, net_seed: int, trainer_seed: int, optimizer: str = "adam", dtype: str = "float64"):
    train_x, train_y, _, _ = split(*generate("spiral", 200, 0.1, seed=data_seed), 0.5, seed=data_seed)
    net = Network([2, 6, 4, 1], "relu", seed=net_seed, dtype=dtype)
    initial = net.params.copy()
    trainer = Trainer(net, optimizer, 0.01, 7, "l2", 0.001, seed=trainer_seed)
    losses = [trainer.epoch(train_x, train_y) for _ in range(5)]
    return train_x, initial, net.params.copy(), losses


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam"])
def test_same_seeds_give_bit_identical_data_weights_and_training(optimizer: str, dtype: str) -> None:
    first = train(1, 2, 3, optimizer, dtype)
    second = train(1, 2, 3, optimizer, dtype)
    for a, b in zip(first[:3], second[:3], strict=True):
        assert np.array_equal(a, b)
    assert first[3] == second[3]
    assert not np.array_equal(first[1], first[2])  # training did change the weights


def test_a_different_data_seed_gives_different_data_and_training() -> None:
    base, other = train(1, 2, 3), train(4, 2, 3)
    assert not np.array_equal(base[0], other[0])
    assert np.array_equal(base[1], other[1])
    assert not np.array_equal(base[2], other[2])


def test_a_different_network_seed_gives_different_initial_and_trained_weights() -> None:
    base, other = train(1, 2, 3), train(1, 5, 3)
    assert not np.array_equal(base[1], other[1])
    assert not np.array_equal(base[2], other[2])


def test_a_different_trainer_seed_shuffles_differently() -> None:
    base, other = train(1, 2, 3), train(1, 2, 6)
    assert np.array_equal(base[1], other[1])
    assert not np.array_equal(base[2], other[2])


def test_reinitialize_with_the_same_seed_restores_the_initial_weights() -> None:
    net = Network([2, 4, 2, 1], seed=8)
    initial = net.params.copy()
    Trainer(net, learning_rate=0.5).epoch(*generate("xor", 50, 0.0, seed=0))
    assert not np.array_equal(net.params, initial)
    net.reinitialize(8)
    assert np.array_equal(net.params, initial)
    net.reinitialize(9)
    assert not np.array_equal(net.params, initial)
