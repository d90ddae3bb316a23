"""Activation functions: each one's value and derivative live side by side.

At batch size 10 the cost of training is the number of numpy calls and the Python
around them, not arithmetic. So an activation does not compute on the spot: it returns
its numpy calls with their arrays already bound (``Calls``, zero-argument callables),
the network lists a whole training step that way once, on preallocated buffers, and
the trainer replays the list step after step.

- ``forward(s, a)``: calls that write a = f(s) into ``a``.
- ``backward(delta, s, a, tmp)``: calls that multiply ``delta`` in place by f'(s); they
  read the weighted sums ``s`` or the activations ``a`` (whichever is cheaper) and may
  scribble on ``tmp``.

Scalars are bound as 0-d arrays of the buffers' dtype: numpy takes those fastest, and
float32 stays float32.

Step is the teaching case: its derivative is exactly zero everywhere, so ``backward``
zeroes ``delta`` and no gradient reaches the layers below. ``step_surrogate`` is the
straight-through heuristic (forward is step, backward pretends the slope is that of a
sigmoid of the same jump), offered by the app as an explicitly labelled escape hatch.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

import numpy as np

Calls = list[Callable[[], object]]


def run(calls: Calls) -> None:
    """Make the listed numpy calls, in order."""
    for call in calls:
        call()


def constant(value: float, like: np.ndarray) -> np.ndarray:
    """``value`` as a 0-d array of ``like``'s dtype, the cheapest scalar operand for numpy."""
    return np.asarray(value, like.dtype)


@dataclass(frozen=True)
class Activation:
    """An activation's name, forward calls, in-place derivative calls and output range."""

    name: str
    forward: Callable[[np.ndarray, np.ndarray], Calls]
    backward: Callable[[np.ndarray, np.ndarray, np.ndarray, np.ndarray], Calls]
    low: float  # the smallest value f can take (or -inf)
    high: float  # the largest value f can take (or inf)


def sigmoid_calls(s: np.ndarray, out: np.ndarray) -> Calls:
    """out = 1 / (1 + e^-s), as 0.5 tanh(s / 2) + 0.5 so that it never overflows."""
    half = constant(0.5, out)
    return [
        partial(np.multiply, s, half, out),
        partial(np.tanh, out, out),
        partial(np.multiply, out, half, out),
        partial(np.add, out, half, out),
    ]


def sigmoid(s: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """Logistic function computed through tanh, so it never overflows (even for |s| > 700)."""
    if out is None:
        out = np.empty_like(s, dtype=np.result_type(s, np.float32))
    run(sigmoid_calls(s, out))
    return out


def _tanh_forward(s, a):
    return [partial(np.tanh, s, a)]


def _tanh_backward(delta, s, a, tmp):  # f'(s) = 1 - a^2
    return [
        partial(np.multiply, a, a, tmp),
        partial(np.subtract, constant(1.0, tmp), tmp, tmp),
        partial(np.multiply, delta, tmp, delta),
    ]


def _sigmoid_backward(delta, s, a, tmp):  # f'(s) = a (1 - a)
    return [
        partial(np.subtract, constant(1.0, tmp), a, tmp),
        partial(np.multiply, tmp, a, tmp),
        partial(np.multiply, delta, tmp, delta),
    ]


def _relu_forward(s, a):
    return [partial(np.maximum, s, constant(0.0, a), out=a)]


def _relu_backward(delta, s, a, tmp):
    # f'(s) = 1 where s > 0, else 0; as a = max(s, 0) >= 0 that is sign(a), one fast call.
    return [partial(np.sign, a, tmp), partial(np.multiply, delta, tmp, delta)]


def _linear_forward(s, a):
    return [partial(np.copyto, a, s)]


def _linear_backward(delta, s, a, tmp):
    return []  # f'(s) = 1


def _step_forward(s, a):
    # heaviside(s, 0) is 1 where s > 0, else 0 (also at 0 itself).
    return [partial(np.heaviside, s, constant(0.0, a), a)]


def _step_backward(delta, s, a, tmp):
    # The step function is flat on both sides of its jump: f'(s) = 0, so delta = 0.
    return [partial(delta.fill, 0.0)]


def _step_surrogate_backward(delta, s, a, tmp):
    # Straight-through heuristic: use the slope of sigmoid(s) in place of step's zero.
    return [
        *sigmoid_calls(s, tmp),
        partial(np.multiply, delta, tmp, delta),
        partial(np.subtract, constant(1.0, tmp), tmp, tmp),
        partial(np.multiply, delta, tmp, delta),
    ]


ACTIVATIONS: dict[str, Activation] = {
    a.name: a
    for a in (
        Activation("tanh", _tanh_forward, _tanh_backward, -1.0, 1.0),
        Activation("sigmoid", sigmoid_calls, _sigmoid_backward, 0.0, 1.0),
        Activation("relu", _relu_forward, _relu_backward, 0.0, np.inf),
        Activation("linear", _linear_forward, _linear_backward, -np.inf, np.inf),
        Activation("step", _step_forward, _step_backward, 0.0, 1.0),
    )
}
STEP_SURROGATE = Activation("step", _step_forward, _step_surrogate_backward, 0.0, 1.0)
