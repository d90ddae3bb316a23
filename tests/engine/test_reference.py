"""The training kernel against the plain reference passes (engine.reference)."""

from __future__ import annotations

import numpy as np
import pytest

from engine import reference
from engine.activations import ACTIVATIONS
from engine.datasets import generate
from engine.features import transform
from engine.network import Network
from engine.trainer import Trainer

TASKS = {"binary": 1, "multiclass": 4, "regression": 1}


def _data(task: str, n: int = 37) -> tuple[np.ndarray, np.ndarray]:
    points, labels = generate("spiral", n, 0.1, 3)
    X = transform(points, ["x1", "x2", "x1x2"])
    if task == "multiclass":
        return X, np.arange(n) % TASKS[task]
    if task == "regression":
        return X, np.sin(points[:, 0])
    return X, labels


@pytest.mark.parametrize("task", sorted(TASKS))
@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
@pytest.mark.parametrize("surrogate", [False, True])
def test_kernel_forward_and_gradients_equal_the_reference(task: str, activation: str, surrogate: bool) -> None:
    net = Network([3, 5, 4, TASKS[task]], [activation, "tanh" if activation != "tanh" else "relu"], task,
                  seed=2, init="playground", step_surrogate=surrogate)
    X, y = _data(task)
    sums, acts = net.trace(X)
    ref_sums, ref_acts = reference.forward(net, X)
    for got, want in zip(sums + acts, ref_sums + ref_acts, strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)
    weight_grads, bias_grads = net.gradients(X, y)
    ref_w, ref_b = reference.backward(net, X, y)
    for got, want in zip(weight_grads + bias_grads, ref_w + ref_b, strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-13)


def test_a_trained_sgd_batch_is_one_reference_step() -> None:
    """One epoch of one full batch: the kernel's replayed step is w - rate * (reference gradient)."""
    X, y = _data("binary", 20)
    net = Network([3, 4, 2, 1], "tanh", "binary", seed=5)
    before = net.copy()
    Trainer(net, optimizer="sgd", learning_rate=0.1, batch_size=20).epoch(X, y)
    ref_w, ref_b = reference.backward(before, X, y)
    for l in range(net.n_layers):
        np.testing.assert_allclose(net.weights[l], before.weights[l] - 0.1 * ref_w[l], rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(net.biases[l], before.biases[l] - 0.1 * ref_b[l], rtol=1e-12, atol=1e-14)


def test_the_kernel_is_not_part_of_the_networks_public_surface() -> None:
    public = {name for name in dir(Network) if not name.startswith("_")}
    assert not public & {"backprop_calls", "logit_calls", "buffers", "extend", "delta_targets", "backprop"}
