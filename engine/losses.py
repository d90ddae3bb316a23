"""The three tasks: each one's output function, data loss and target encoding, together.

Every task pairs its output function with its loss so that the output layer's delta is
simply ``delta^L = a^L - t`` (the canonical link), which the network relies on:

- ``binary``: one sigmoid output, mean binary cross-entropy.
- ``multiclass``: K softmax outputs, mean cross-entropy.
- ``regression``: one linear output, mean of 1/2 (a - y)^2 (as TensorFlow Playground).

Losses are computed from the output layer's weighted sums ``s`` (logits), never from
rounded probabilities, so they stay finite and exact for very large |s|.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from engine.activations import sigmoid


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
    # -[y log p + (1-y) log(1-p)] with p = sigmoid(s) equals log(1 + e^s) - y s.
    z = s[:, 0]
    return float(np.mean(np.logaddexp(0.0, z) - y * z))


def _multiclass_loss(s: np.ndarray, y: np.ndarray) -> float:
    shift = s.max(axis=1)
    log_norm = shift + np.log(np.exp(s - shift[:, None]).sum(axis=1))
    return float(np.mean(log_norm - s[np.arange(len(y)), y]))


def _regression_loss(s: np.ndarray, y: np.ndarray) -> float:
    return float(np.mean(0.5 * (s[:, 0] - y) ** 2))


def _scalar_targets(y: np.ndarray, out: np.ndarray) -> None:
    out[:, 0] = y


def _one_hot_targets(y: np.ndarray, out: np.ndarray) -> None:
    out.fill(0.0)
    out[np.arange(len(y)), y] = 1.0


@dataclass(frozen=True)
class Task:
    """A task's output function, loss from logits and target encoding."""

    name: str
    output: Callable[..., np.ndarray]  # output(s, out=None) -> a^L
    loss: Callable[[np.ndarray, np.ndarray], float]  # loss(s^L (n, K), y (n,)) -> float
    targets: Callable[[np.ndarray, np.ndarray], None]  # targets(y (n,), out (n, K))
    classification: bool


TASKS: dict[str, Task] = {
    "binary": Task("binary", sigmoid, _binary_loss, _scalar_targets, True),
    "multiclass": Task("multiclass", softmax, _multiclass_loss, _one_hot_targets, True),
    "regression": Task("regression", _identity, _regression_loss, _scalar_targets, False),
}
