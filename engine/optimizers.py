"""Optimizers: each updates one flat parameter vector in place from one flat gradient.

All share one small interface, ``step(params, grads, learning_rate)``, and keep their
state (velocity, moments) in buffers allocated once, so a step is a handful of numpy
calls whatever the network's shape.
"""

from __future__ import annotations

import numpy as np


class SGD:
    """Plain gradient descent: w <- w - lr * g."""

    name = "sgd"

    def __init__(self, size: int, dtype: np.dtype) -> None:
        self._scaled = np.zeros(size, dtype)

    def step(self, params: np.ndarray, grads: np.ndarray, learning_rate: np.ndarray) -> None:
        """Move ``params`` one step against ``grads``."""
        np.multiply(grads, learning_rate, out=self._scaled)
        params -= self._scaled


class Momentum:
    """Gradient descent with momentum 0.9: v <- 0.9 v + g; w <- w - lr * v."""

    name = "momentum"

    def __init__(self, size: int, dtype: np.dtype, beta: float = 0.9) -> None:
        self._velocity = np.zeros(size, dtype)
        self._scaled = np.zeros(size, dtype)
        self._beta = np.asarray(beta, dtype)

    def step(self, params: np.ndarray, grads: np.ndarray, learning_rate: np.ndarray) -> None:
        """Move ``params`` one step along the running velocity."""
        self._velocity *= self._beta
        self._velocity += grads
        np.multiply(self._velocity, learning_rate, out=self._scaled)
        params -= self._scaled


class Adam:
    """Adam (Kingma and Ba, 2015) with bias-corrected moment estimates."""

    name = "adam"

    def __init__(
        self, size: int, dtype: np.dtype, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8
    ) -> None:
        self._m = np.zeros(size, dtype)
        self._v = np.zeros(size, dtype)
        self._tmp = np.zeros(size, dtype)
        self._beta1, self._beta2, self._eps = beta1, beta2, eps
        self._dtype = dtype
        self._t = 0

    def step(self, params: np.ndarray, grads: np.ndarray, learning_rate: np.ndarray) -> None:
        """Move ``params`` by the bias-corrected first moment over the root second moment."""
        self._t += 1
        b1, b2, tmp = self._beta1, self._beta2, self._tmp
        self._m *= b1
        np.multiply(grads, 1.0 - b1, out=tmp)
        self._m += tmp
        self._v *= b2
        np.multiply(grads, grads, out=tmp)
        tmp *= 1.0 - b2
        self._v += tmp
        # lr_t folds both bias corrections into one scalar.
        lr_t = float(learning_rate) * np.sqrt(1.0 - b2**self._t) / (1.0 - b1**self._t)
        np.sqrt(self._v, out=tmp)
        tmp += self._eps
        np.divide(self._m, tmp, out=tmp)
        tmp *= self._dtype.type(lr_t)
        params -= tmp


OPTIMIZERS = {cls.name: cls for cls in (SGD, Momentum, Adam)}
