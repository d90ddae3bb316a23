"""Backprop laid open: one neuron's numbers for one point, and a finite-difference check.

Notation as in the article: layer l computes s^l_j = sum_k w^l_jk a^(l-1)_k + b^l_j and
a^l_j = f(s^l_j); delta^l_j = dJ/ds^l_j. The four equations:

1. output layer: delta^L = a^L - t (for each task's loss paired with its output function)
2. hidden layers: delta^l_j = (sum_k w^(l+1)_kj delta^(l+1)_k) f'(s^l_j)
3. dJ/db^l_j = delta^l_j
4. dJ/dw^l_jk = a^(l-1)_k delta^l_j

``explain_neuron`` evaluates them from the forward trace with the plain derivatives of
``engine.reference``, independently of the training kernel, so a test can hold one
against the other.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.network import Network
from engine.reference import derivative


@dataclass(frozen=True)
class NeuronReport:
    """Neuron j of layer l (1..L) for one input point: every number of the four equations."""

    layer: int
    neuron: int
    activation: str  # the neuron's activation ("sigmoid", "softmax" or "linear" at the output)
    inputs: np.ndarray  # a^(l-1)_k, (fan_in,)
    weights: np.ndarray  # w^l_jk, (fan_in,)
    bias: float
    s: float
    a: float
    slope: float | None  # f'(s^l_j); None for the output layer (equation 1 applies)
    target: float | None  # t_j for the output layer
    upstream_weights: np.ndarray | None  # w^(l+1)_kj, (fan_out_next,) for hidden layers
    upstream_deltas: np.ndarray | None  # delta^(l+1)_k
    upstream_sum: float | None  # sum_k w^(l+1)_kj delta^(l+1)_k
    delta: float  # dJ/ds^l_j
    bias_gradient: float  # dJ/db^l_j = delta
    weight_gradients: np.ndarray  # dJ/dw^l_jk = a^(l-1)_k delta, (fan_in,)


def deltas(net: Network, x: np.ndarray, y: float) -> tuple[list[np.ndarray], list[np.ndarray], list[np.ndarray]]:
    """(sums, acts, deltas) for one point ``x (1, n_features)``: deltas[l-1] = delta^l (size_l,)."""
    sums, acts = net.trace(np.asarray(x, dtype=np.float64).reshape(1, -1))
    target = net.encode_targets(np.asarray([y]))[0]
    out: list[np.ndarray] = [np.empty(0)] * net.n_layers
    out[-1] = acts[-1][0] - target
    for l in range(net.n_layers - 1, 0, -1):  # delta^l from delta^(l+1)
        upstream = net.weights[l] @ out[l]
        slope = derivative(net.activation_names[l - 1], sums[l - 1][0], acts[l][0], net.step_surrogate)
        out[l - 1] = upstream * slope
    return sums, acts, out


def explain_neuron(net: Network, x: np.ndarray, y: float, layer: int, neuron: int) -> NeuronReport:
    """The four equations' numbers for neuron ``neuron`` of layer ``layer`` (1..L) at point x."""
    if not 1 <= layer <= net.n_layers or not 0 <= neuron < net.layer_sizes[layer]:
        raise ValueError(f"no neuron {neuron} in layer {layer}")
    sums, acts, ds = deltas(net, x, y)
    j, l = neuron, layer
    delta = float(ds[l - 1][j])
    inputs = acts[l - 1][0].copy()
    output = l == net.n_layers
    if output:
        name = {"binary": "sigmoid", "multiclass": "softmax", "regression": "linear"}[net.task]
        target = float(net.encode_targets(np.asarray([y]))[0][j])
        slope = up_w = up_d = up_sum = None
    else:
        name = net.activation_names[l - 1]
        target = None
        slope = float(derivative(name, sums[l - 1][0], acts[l][0], net.step_surrogate)[j])
        up_w = net.weights[l][j].copy()
        up_d = ds[l].copy()
        up_sum = float(up_w @ up_d)
    return NeuronReport(
        layer=l, neuron=j, activation=name, inputs=inputs, weights=net.weights[l - 1][:, j].copy(),
        bias=float(net.biases[l - 1][j]), s=float(sums[l - 1][0][j]), a=float(acts[l][0][j]),
        slope=slope, target=target, upstream_weights=up_w, upstream_deltas=up_d, upstream_sum=up_sum,
        delta=delta, bias_gradient=delta, weight_gradients=inputs * delta,
    )


@dataclass(frozen=True)
class GradientCheck:
    """Backprop against central finite differences on every weight and bias."""

    worst_error: float  # the largest relative error over the layers
    layer_errors: tuple[float, ...]  # the worst per layer
    step_layers: tuple[int, ...]  # layers (1..L) whose gradient is exactly zero because of a step above
    parameters: int


def gradient_check(net: Network, X: np.ndarray, y: np.ndarray, eps: float = 1e-5) -> GradientCheck:
    """Compare ``net.gradients`` with (J(w + eps) - J(w - eps)) / 2 eps, parameter by parameter.

    A layer's error is ||g - n|| / (||g|| + ||n||) over its weights and biases (0 when both
    vanish), robust where single gradients are tiny. Runs on a float64 copy, so the network
    being trained is never touched. Below a step layer both are zero (the loss is flat).
    """
    twin = Network(net.layer_sizes, net.activation_names, net.task, dtype="float64",
                   step_surrogate=False)
    twin.params[...] = net.params
    X = np.asarray(X, dtype=np.float64)
    weight_grads, bias_grads = twin.gradients(X, y)
    errors = []
    for l in range(twin.n_layers):
        backprop, numeric = [], []
        for param, grad in ((twin.weights[l], weight_grads[l]), (twin.biases[l], bias_grads[l])):
            for index in np.ndindex(param.shape):
                keep = param[index]
                param[index] = keep + eps
                up = twin.loss(X, y)
                param[index] = keep - eps
                down = twin.loss(X, y)
                param[index] = keep
                numeric.append((up - down) / (2 * eps))
                backprop.append(grad[index])
        b, n = np.array(backprop), np.array(numeric)
        scale = np.linalg.norm(b) + np.linalg.norm(n)
        errors.append(float(np.linalg.norm(b - n) / scale) if scale > 1e-12 else 0.0)
    steps = [i for i, name in enumerate(twin.activation_names) if name == "step"]
    below_step = tuple(range(1, max(steps) + 2)) if steps else ()
    return GradientCheck(max(errors), tuple(errors), below_step, int(twin.params.size))
