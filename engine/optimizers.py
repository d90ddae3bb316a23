"""Optimizers: each updates one flat parameter vector in place from one flat gradient.

All share one small interface: ``calls(params, grads, learning_rate)`` lists the numpy
calls of one step (see ``engine.activations``), which the trainer replays after every
mini-batch, and ``step(params, grads, learning_rate)`` makes them once. State (velocity,
moments) lives in buffers allocated once, and ``learning_rate`` is a 0-d array that the
trainer changes in place, so a listed step stays valid when the rate changes.
"""

from __future__ import annotations

from functools import partial

import numpy as np

from engine.activations import Calls, constant, run


class Optimizer:
    """The shared interface: a name, the listed calls of one step, and ``step``."""

    name = ""

    def __init__(self, size: int, dtype: np.dtype) -> None:
        """State for a parameter vector of ``size`` numbers of ``dtype`` (none here)."""

    def calls(self, params: np.ndarray, grads: np.ndarray, learning_rate: np.ndarray) -> Calls:
        """The calls that move ``params`` one step against ``grads``."""
        raise NotImplementedError

    def step(self, params: np.ndarray, grads: np.ndarray, learning_rate: np.ndarray) -> None:
        """Move ``params`` one step against ``grads`` now."""
        run(self.calls(params, grads, learning_rate))


class SGD(Optimizer):
    """Plain gradient descent: w <- w - lr * g."""

    name = "sgd"

    def __init__(self, size: int, dtype: np.dtype) -> None:
        self._scaled = np.zeros(size, dtype)

    def calls(self, params: np.ndarray, grads: np.ndarray, learning_rate: np.ndarray) -> Calls:
        """Two calls over the whole parameter vector."""
        return [
            partial(np.multiply, grads, learning_rate, self._scaled),
            partial(np.subtract, params, self._scaled, params),
        ]


class Momentum(Optimizer):
    """Gradient descent with momentum 0.9: v <- 0.9 v + g; w <- w - lr * v."""

    name = "momentum"

    def __init__(self, size: int, dtype: np.dtype, beta: float = 0.9) -> None:
        self._velocity = np.zeros(size, dtype)
        self._scaled = np.zeros(size, dtype)
        self._beta = np.asarray(beta, dtype)

    def calls(self, params: np.ndarray, grads: np.ndarray, learning_rate: np.ndarray) -> Calls:
        """Move ``params`` along the running velocity."""
        v = self._velocity
        return [
            partial(np.multiply, v, self._beta, v),
            partial(np.add, v, grads, v),
            partial(np.multiply, v, learning_rate, self._scaled),
            partial(np.subtract, params, self._scaled, params),
        ]


class Adam(Optimizer):
    """Adam (Kingma and Ba, 2015) with bias-corrected moment estimates."""

    name = "adam"

    def __init__(
        self, size: int, dtype: np.dtype, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8
    ) -> None:
        self._m = np.zeros(size, dtype)
        self._v = np.zeros(size, dtype)
        self._tmp = np.zeros(size, dtype)
        self._beta1, self._beta2, self._eps = beta1, beta2, eps
        self._lr_t = np.zeros((), dtype)
        self._t = 0

    def _advance(self, learning_rate: np.ndarray) -> None:
        # lr_t folds both bias corrections into one scalar.
        self._t += 1
        b1, b2 = self._beta1, self._beta2
        self._lr_t[...] = float(learning_rate) * np.sqrt(1.0 - b2**self._t) / (1.0 - b1**self._t)

    def calls(self, params: np.ndarray, grads: np.ndarray, learning_rate: np.ndarray) -> Calls:
        """Move ``params`` by the bias-corrected first moment over the root second moment."""
        m, v, tmp = self._m, self._v, self._tmp
        b1, b2 = constant(self._beta1, m), constant(self._beta2, m)
        return [
            partial(self._advance, learning_rate),
            partial(np.multiply, m, b1, m),  # m <- b1 m + (1 - b1) g
            partial(np.multiply, grads, constant(1.0 - self._beta1, m), tmp),
            partial(np.add, m, tmp, m),
            partial(np.multiply, v, b2, v),  # v <- b2 v + (1 - b2) g^2
            partial(np.multiply, grads, grads, tmp),
            partial(np.multiply, tmp, constant(1.0 - self._beta2, m), tmp),
            partial(np.add, v, tmp, v),
            partial(np.sqrt, v, tmp),  # w <- w - lr_t m / (sqrt(v) + eps)
            partial(np.add, tmp, constant(self._eps, m), tmp),
            partial(np.divide, m, tmp, tmp),
            partial(np.multiply, tmp, self._lr_t, tmp),
            partial(np.subtract, params, tmp, params),
        ]


OPTIMIZERS: dict[str, type[Optimizer]] = {cls.name: cls for cls in (SGD, Momentum, Adam)}
