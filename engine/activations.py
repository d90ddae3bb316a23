"""Activation functions: each one's value and derivative live side by side.

An activation works in place on preallocated buffers, because at batch size 10 the
cost of training is the number of numpy calls, not arithmetic:

- ``forward(s, out)`` writes a = f(s) into ``out``.
- ``backward(delta, s, a, tmp)`` multiplies ``delta`` in place by f'(s); it may read the
  weighted sums ``s`` or the activations ``a`` (whichever is cheaper) and scribble on ``tmp``.

Step is the teaching case: its derivative is exactly zero everywhere, so ``backward``
zeroes ``delta`` and no gradient reaches the layers below. ``step_surrogate`` is the
straight-through heuristic (forward is step, backward pretends the slope is that of a
sigmoid of the same jump), offered by the app as an explicitly labelled escape hatch.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

Forward = Callable[[np.ndarray, np.ndarray], None]
Backward = Callable[[np.ndarray, np.ndarray, np.ndarray, np.ndarray], None]


@dataclass(frozen=True)
class Activation:
    """An activation's name, forward pass, in-place derivative and output range."""

    name: str
    forward: Forward
    backward: Backward
    low: float  # the smallest value f can take (or -inf)
    high: float  # the largest value f can take (or inf)


def sigmoid(s: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """Logistic function computed through tanh, so it never overflows (even for |s| > 700)."""
    out = np.multiply(s, 0.5, out=out)
    np.tanh(out, out=out)
    out += 1.0
    out *= 0.5
    return out


def _tanh_backward(delta, s, a, tmp):
    np.multiply(a, a, out=tmp)
    np.subtract(1.0, tmp, out=tmp)
    delta *= tmp


def _sigmoid_backward(delta, s, a, tmp):
    np.subtract(1.0, a, out=tmp)
    tmp *= a
    delta *= tmp


def _relu_forward(s, out):
    np.maximum(s, 0.0, out=out)


def _relu_backward(delta, s, a, tmp):
    np.greater(s, 0.0, out=tmp)
    delta *= tmp


def _linear_forward(s, out):
    np.copyto(out, s)


def _linear_backward(delta, s, a, tmp):
    pass


def _step_forward(s, out):
    np.greater(s, 0.0, out=out)


def _step_backward(delta, s, a, tmp):
    # The step function is flat on both sides of its jump: f'(s) = 0, so delta = 0.
    delta.fill(0.0)


def _step_surrogate_backward(delta, s, a, tmp):
    # Straight-through heuristic: use the slope of sigmoid(s) in place of step's zero.
    sigmoid(s, out=tmp)
    delta *= tmp
    np.subtract(1.0, tmp, out=tmp)
    delta *= tmp


def _tanh_forward(s, out):
    np.tanh(s, out=out)


def _sigmoid_forward(s, out):
    sigmoid(s, out=out)


ACTIVATIONS: dict[str, Activation] = {
    a.name: a
    for a in (
        Activation("tanh", _tanh_forward, _tanh_backward, -1.0, 1.0),
        Activation("sigmoid", _sigmoid_forward, _sigmoid_backward, 0.0, 1.0),
        Activation("relu", _relu_forward, _relu_backward, 0.0, np.inf),
        Activation("linear", _linear_forward, _linear_backward, -np.inf, np.inf),
        Activation("step", _step_forward, _step_backward, 0.0, 1.0),
    )
}
STEP_SURROGATE = Activation("step", _step_forward, _step_surrogate_backward, 0.0, 1.0)
