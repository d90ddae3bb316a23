"""Activation functions: each one's value and derivative live side by side.

At batch size 10 the cost of training is the number of numpy calls and the Python
around them, not arithmetic. So an activation does not compute on the spot: it returns
its numpy calls with their arrays already bound (``Calls``, zero-argument callables),
the network lists a whole training step that way once, on preallocated buffers, and
the trainer replays the list step after step.

- ``forward(s, a)``: calls that write a = f(s) into ``a``.
- ``slope(a, out)``: for tanh, sigmoid and relu, whose derivative follows from the
  activation a = f(s) alone: calls that write f'(s) into ``out``. The network computes
  every hidden layer's slope in one go when they share such an activation.
- ``backward_calls(delta, s, a, tmp)``: calls that multiply ``delta`` in place by f'(s),
  from the slope or, for the others, from their own ``backward``; they may scribble on
  ``tmp``.

Scalars are bound as 0-d arrays of the buffers' dtype: numpy takes those fastest, and
float32 stays float32.

Step is the teaching case: its derivative is exactly zero everywhere, so ``backward``
zeroes ``delta`` and no gradient reaches the layers below. ``step_surrogate`` is the
straight-through heuristic (forward is step, backward pretends the slope is that of
sigmoid(4 s), a smooth step of the same jump), offered by the app as an explicitly labelled escape hatch.
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
    """An activation's name, forward calls, output range and derivative calls."""

    name: str
    forward: Callable[[np.ndarray, np.ndarray], Calls]  # forward(s, a)
    low: float  # the smallest value f can take (or -inf)
    high: float  # the largest value f can take (or inf)
    slope: Callable[[np.ndarray, np.ndarray], Calls] | None = None  # slope(a, out)
    backward: Callable[[np.ndarray, np.ndarray, np.ndarray, np.ndarray], Calls] | None = None

    def backward_calls(self, delta: np.ndarray, s: np.ndarray, a: np.ndarray, tmp: np.ndarray) -> Calls:
        """Calls that multiply ``delta`` in place by f'(s)."""
        if self.slope is not None:
            return [*self.slope(a, tmp), partial(np.multiply, delta, tmp, delta)]
        assert self.backward is not None, f"{self.name} has neither a slope nor a backward"
        return self.backward(delta, s, a, tmp)


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


def _tanh_forward(s: np.ndarray, a: np.ndarray) -> Calls:
    return [partial(np.tanh, s, a)]


def _tanh_slope(a: np.ndarray, out: np.ndarray) -> Calls:  # f'(s) = 1 - a^2
    return [partial(np.multiply, a, a, out), partial(np.subtract, constant(1.0, out), out, out)]


def _sigmoid_slope(a: np.ndarray, out: np.ndarray) -> Calls:  # f'(s) = a (1 - a)
    return [partial(np.subtract, constant(1.0, out), a, out), partial(np.multiply, out, a, out)]


def _relu_forward(s: np.ndarray, a: np.ndarray) -> Calls:
    return [partial(np.maximum, s, constant(0.0, a), out=a)]


def _relu_slope(a: np.ndarray, out: np.ndarray) -> Calls:
    # f'(s) = 1 where s > 0, else 0: where a = max(s, 0) > 0. Writing that comparison as
    # floats is the fastest call on big arrays; on small ones sign(a) (the same, as a >= 0)
    # saves the comparison's setup.
    if a.size >= 1024:
        return [partial(np.greater, a, constant(0.0, out), out)]
    return [partial(np.sign, a, out)]


def _linear_forward(s: np.ndarray, a: np.ndarray) -> Calls:
    return [partial(np.copyto, a, s)]


def _linear_backward(delta: np.ndarray, s: np.ndarray, a: np.ndarray, tmp: np.ndarray) -> Calls:
    return []  # f'(s) = 1


def _step_forward(s: np.ndarray, a: np.ndarray) -> Calls:
    return [partial(np.greater, s, constant(0.0, a), a)]  # 1 where s > 0, else 0


def _step_backward(delta: np.ndarray, s: np.ndarray, a: np.ndarray, tmp: np.ndarray) -> Calls:
    # The step function is flat on both sides of its jump: f'(s) = 0, so delta = 0.
    return [partial(delta.fill, 0.0)]


SURROGATE_SHARPNESS = 4.0  # the surrogate is the slope of sigmoid(k s), a smooth step of the same jump


def _step_surrogate_backward(delta: np.ndarray, s: np.ndarray, a: np.ndarray, tmp: np.ndarray) -> Calls:
    # Straight-through heuristic: in place of step's zero slope, use the slope of the smooth
    # step sigmoid(k s): k sigmoid(k s) (1 - sigmoid(k s)). A steeper k than 1 keeps the
    # pretended slope close to the real step's jump (k = 1 trains circle poorly).
    k = constant(SURROGATE_SHARPNESS, tmp)
    return [
        partial(np.multiply, s, k, tmp),
        *sigmoid_calls(tmp, tmp),
        partial(np.multiply, delta, tmp, delta),
        partial(np.subtract, constant(1.0, tmp), tmp, tmp),
        partial(np.multiply, delta, tmp, delta),
        partial(np.multiply, delta, k, delta),
    ]


ACTIVATIONS: dict[str, Activation] = {
    a.name: a
    for a in (
        Activation("tanh", _tanh_forward, -1.0, 1.0, slope=_tanh_slope),
        Activation("sigmoid", sigmoid_calls, 0.0, 1.0, slope=_sigmoid_slope),
        Activation("relu", _relu_forward, 0.0, np.inf, slope=_relu_slope),
        Activation("linear", _linear_forward, -np.inf, np.inf, backward=_linear_backward),
        Activation("step", _step_forward, 0.0, 1.0, backward=_step_backward),
    )
}
STEP_SURROGATE = Activation("step", _step_forward, 0.0, 1.0, backward=_step_surrogate_backward)
