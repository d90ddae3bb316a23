"""The three tasks: each one's output function, data loss, target encoding and output
delta, together.

Every task pairs its output function with its loss so that the output layer's delta is
simply ``delta^L = (a^L - t) / m`` (the canonical link), which the network relies on:

- ``binary``: one sigmoid output, mean binary cross-entropy.
- ``multiclass``: K softmax outputs, mean cross-entropy.
- ``regression``: one linear output, mean of 1/2 (a - y)^2 (as TensorFlow Playground).

Losses are computed from the output layer's weighted sums ``s`` (logits), never from
rounded probabilities, so they stay finite and exact for very large |s|.

``output`` and ``loss`` take one row per point, ``(n, K)``; ``delta`` lists the training
step's calls (see ``engine.activations``) on the network's buffers, which hold one
column per point, ``(K, m)``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

import numpy as np

from engine.activations import Calls, constant, sigmoid


def softmax(s: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """Row-wise softmax of ``s (n, K)``, shifted by the row maximum so exp never overflows."""
    out = np.subtract(s, s.max(axis=1, keepdims=True), out=out)
    np.exp(out, out=out)
    out /= out.sum(axis=1, keepdims=True)
    return out


def _identity(s: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    if out is None:
        return s.copy()
    np.copyto(out, s)
    return out


def _binary_loss(s: np.ndarray, y: np.ndarray) -> float:
    # -[y log p + (1-y) log(1-p)] with p = sigmoid(s) equals log(1 + e^s) - y s, and
    # log(1 + e^s) = max(s, 0) + log(1 + e^-|s|) never overflows (and beats np.logaddexp).
    z = s[:, 0]
    loss = np.abs(z)
    np.negative(loss, out=loss)
    np.exp(loss, out=loss)
    np.log1p(loss, out=loss)
    loss += np.maximum(z, 0.0)
    loss -= y * z
    return float(np.mean(loss))


def _multiclass_loss(s: np.ndarray, y: np.ndarray) -> float:
    shift = s.max(axis=1)
    log_norm = shift + np.log(np.exp(s - shift[:, None]).sum(axis=1))
    return float(np.mean(log_norm - s[np.arange(len(y)), y]))


def _regression_loss(s: np.ndarray, y: np.ndarray) -> float:
    return float(np.mean(0.5 * (s[:, 0] - y) ** 2))


def _scalar_targets(y: np.ndarray, out: np.ndarray) -> None:
    out[:, 0] = y


def _signed_targets(y: np.ndarray, out: np.ndarray) -> None:
    out[:, 0] = 2 * y - 1  # class ids 0 and 1 as TensorFlow Playground's labels -1 and +1


def _one_hot_targets(y: np.ndarray, out: np.ndarray) -> None:
    out.fill(0.0)
    out[np.arange(len(y)), y] = 1.0


def _binary_delta(s: np.ndarray, u: np.ndarray, delta: np.ndarray) -> Calls:
    # With signed labels u = 2y - 1, sigmoid(s) - y = (tanh(s / 2) - u) / 2: four calls, not six.
    half = constant(0.5, delta)
    return [
        partial(np.multiply, s, half, delta),
        partial(np.tanh, delta, delta),
        partial(np.subtract, delta, u, delta),
        partial(np.multiply, delta, constant(0.5 / delta.shape[1], delta), delta),
    ]


def _multiclass_delta(s: np.ndarray, t: np.ndarray, delta: np.ndarray) -> Calls:
    column = np.empty((1, delta.shape[1]), delta.dtype)  # per point: max, then sum
    return [
        partial(np.max, s, axis=0, out=column, keepdims=True),
        partial(np.subtract, s, column, delta),
        partial(np.exp, delta, delta),
        partial(np.sum, delta, axis=0, out=column, keepdims=True),
        partial(np.divide, delta, column, delta),
        partial(np.subtract, delta, t, delta),
        partial(np.multiply, delta, constant(1.0 / delta.shape[1], delta), delta),
    ]


def _regression_delta(s: np.ndarray, t: np.ndarray, delta: np.ndarray) -> Calls:
    return [
        partial(np.subtract, s, t, delta),
        partial(np.multiply, delta, constant(1.0 / delta.shape[1], delta), delta),
    ]


@dataclass(frozen=True)
class Task:
    """A task's output function, loss from logits, target encodings and output delta."""

    name: str
    output: Callable[..., np.ndarray]  # output(s (n, K), out=None) -> a^L (n, K)
    loss: Callable[[np.ndarray, np.ndarray], float]  # loss(s^L (n, K), y (n,)) -> float
    targets: Callable[[np.ndarray, np.ndarray], None]  # targets(y (n,), out (n, K)): t
    # The targets as ``delta`` reads them (the same as t, but for binary's signed labels),
    # and delta(s, targets, out) -> calls writing (a^L - t) / m, all three (K, m).
    delta_targets: Callable[[np.ndarray, np.ndarray], None]
    delta: Callable[[np.ndarray, np.ndarray, np.ndarray], Calls]
    classification: bool


TASKS: dict[str, Task] = {
    task.name: task
    for task in (
        Task("binary", sigmoid, _binary_loss, _scalar_targets, _signed_targets, _binary_delta, True),
        Task("multiclass", softmax, _multiclass_loss, _one_hot_targets, _one_hot_targets,
             _multiclass_delta, True),
        Task("regression", _identity, _regression_loss, _scalar_targets, _scalar_targets,
             _regression_delta, False),
    )
}
