"""The network's forward and backward passes written plainly: the reference for the kernel.

No buffers, no listed calls, one layer after another, one row per point, as in the
article (and in micrograd): layer l computes s^l = a^(l-1) W^l + b^l and a^l = f(s^l).
Backprop is the four equations:

1. output layer: delta^L = (a^L - t) / m (each task's loss paired with its output function)
2. hidden layers: delta^l = (delta^(l+1) W^(l+1)^T) * f'(s^l)
3. dJ/db^l = the sum of delta^l over the points
4. dJ/dW^l = a^(l-1)^T delta^l

``engine._kernel`` computes the same numbers faster; the tests hold it against this.
"""

from __future__ import annotations

import numpy as np

from engine.activations import SURROGATE_SHARPNESS
from engine.network import Network


def _sigmoid(s: np.ndarray) -> np.ndarray:
    out: np.ndarray = 0.5 * np.tanh(0.5 * s) + 0.5  # 1 / (1 + e^-s), without overflow
    return out


def activate(name: str, s: np.ndarray) -> np.ndarray:
    """f(s) for a hidden activation."""
    out: np.ndarray
    if name == "tanh":
        out = np.tanh(s)
        return out
    if name == "sigmoid":
        return _sigmoid(s)
    if name == "relu":
        out = np.maximum(s, 0.0)
        return out
    if name == "linear":
        return s.copy()
    if name == "step":
        return (s > 0).astype(s.dtype)
    raise ValueError(f"unknown activation {name!r}")


def derivative(name: str, s: np.ndarray, a: np.ndarray, surrogate: bool = False) -> np.ndarray:
    """f'(s) for a hidden activation, given s and a = f(s) (step: exactly 0, or with
    ``surrogate`` the slope of sigmoid(k s), the straight-through heuristic)."""
    slope: np.ndarray
    if name == "tanh":
        slope = 1.0 - a * a
        return slope
    if name == "sigmoid":
        slope = a * (1.0 - a)
        return slope
    if name == "relu":
        return (s > 0).astype(s.dtype)
    if name == "linear":
        return np.ones_like(s)
    if name == "step":
        if surrogate:
            sig = _sigmoid(SURROGATE_SHARPNESS * s)
            slope = SURROGATE_SHARPNESS * sig * (1.0 - sig)
            return slope
        return np.zeros_like(s)
    raise ValueError(f"unknown activation {name!r}")


def output(task: str, s: np.ndarray) -> np.ndarray:
    """The output layer's function: sigmoid (binary), softmax (multiclass) or identity (regression)."""
    if task == "binary":
        return _sigmoid(s)
    if task == "multiclass":
        e = np.exp(s - s.max(axis=1, keepdims=True))
        probabilities: np.ndarray = e / e.sum(axis=1, keepdims=True)
        return probabilities
    return s.copy()


def forward(net: Network, X: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """(sums, acts): sums[l-1] = s^l (n, size_l), acts[l] = a^l for l = 0..L (acts[0] = X)."""
    a = np.asarray(X, dtype=net.dtype)
    sums, acts = [], [a]
    for l in range(net.n_layers):
        s = a @ net.weights[l] + net.biases[l]
        last = l == net.n_layers - 1
        a = output(net.task, s) if last else activate(net.activation_names[l], s)
        sums.append(s)
        acts.append(a)
    return sums, acts


def backward(net: Network, X: np.ndarray, y: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """(dJ/dW list, dJ/db list) of the mean data loss over the points X (n, size_0), labels y (n,)."""
    sums, acts = forward(net, X)
    m = len(acts[0])
    delta = (acts[-1] - net.encode_targets(y)) / m  # equation 1
    weight_grads: list[np.ndarray] = [np.empty(0)] * net.n_layers
    bias_grads: list[np.ndarray] = [np.empty(0)] * net.n_layers
    for l in range(net.n_layers - 1, -1, -1):  # weight layer l feeds layer l + 1
        weight_grads[l] = acts[l].T @ delta  # equation 4
        bias_grads[l] = delta.sum(axis=0)  # equation 3
        if l > 0:  # equation 2
            slope = derivative(net.activation_names[l - 1], sums[l - 1], acts[l], net.step_surrogate)
            delta = (delta @ net.weights[l].T) * slope
    return weight_grads, bias_grads
