"""Mini-batch training: reshuffle, back-propagate, regularize, step."""

from __future__ import annotations

import numpy as np

from engine.errors import EngineError
from engine.network import Network
from engine.optimizers import OPTIMIZERS

REGULARIZATIONS = (None, "l1", "l2")


def _positive_number(value: float, what: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise EngineError(f"{what} must be a positive number, got {value!r}") from None
    if not np.isfinite(number) or number <= 0:
        raise EngineError(f"{what} must be a positive number, got {value!r}")
    return number


class Trainer:
    """Trains a network in reshuffled mini-batches; settings may change between epochs."""

    def __init__(
        self,
        net: Network,
        optimizer: str = "sgd",
        learning_rate: float = 0.03,
        batch_size: int = 10,
        regularization: str | None = None,
        reg_rate: float = 0.0,
        seed: int = 0,
    ) -> None:
        self.net = net
        self.rng = np.random.default_rng(seed)
        self.epochs_done = 0
        self._optimizer = None
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.regularization = regularization
        self.reg_rate = reg_rate
        self._penalty_grad = np.zeros_like(net.params)

    # ---------------------------------------------------------------- settings
    @property
    def optimizer(self) -> str:
        """The optimizer's name; setting a new one starts its state afresh."""
        return self._optimizer.name

    @optimizer.setter
    def optimizer(self, name: str) -> None:
        if name not in OPTIMIZERS:
            raise EngineError(f"unknown optimizer {name!r} (known: {', '.join(OPTIMIZERS)})")
        if self._optimizer is None or self._optimizer.name != name:
            self._optimizer = OPTIMIZERS[name](self.net.params.size, self.net.dtype)

    @property
    def learning_rate(self) -> float:
        """Step size of the optimizer (a positive number)."""
        return float(self._learning_rate)

    @learning_rate.setter
    def learning_rate(self, value: float) -> None:
        self._learning_rate = np.asarray(_positive_number(value, "learning rate"), self.net.dtype)

    @property
    def batch_size(self) -> int:
        """Points per mini-batch (a positive integer)."""
        return self._batch_size

    @batch_size.setter
    def batch_size(self, value: int) -> None:
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise EngineError(f"batch size must be a positive integer, got {value!r}")
        self._batch_size = int(value)

    @property
    def regularization(self) -> str | None:
        """None, "l1" or "l2": a penalty on the weights (never the biases)."""
        return self._regularization

    @regularization.setter
    def regularization(self, value: str | None) -> None:
        value = None if value in (None, "none", "") else value
        if value not in REGULARIZATIONS:
            raise EngineError(f"unknown regularization {value!r} (known: none, l1, l2)")
        self._regularization = value

    @property
    def reg_rate(self) -> float:
        """Strength of the regularization penalty (zero or positive)."""
        return self._reg_rate

    @reg_rate.setter
    def reg_rate(self, value: float) -> None:
        try:
            rate = float(value)
        except (TypeError, ValueError):
            raise EngineError(f"regularization rate must be a number >= 0, got {value!r}") from None
        if not np.isfinite(rate) or rate < 0:
            raise EngineError(f"regularization rate must be a number >= 0, got {value!r}")
        self._reg_rate = rate
        self._reg_mask = self.net.weight_mask * self.net.dtype.type(rate)

    # ---------------------------------------------------------------- training
    def penalty(self) -> float:
        """The regularization term added to the data loss (0 without regularization)."""
        if self._regularization is None or self._reg_rate == 0:
            return 0.0
        w = self.net.params * self.net.weight_mask
        if self._regularization == "l1":
            return float(self._reg_rate * np.abs(w).sum())
        return float(0.5 * self._reg_rate * np.dot(w, w))

    def _step(self) -> None:
        net = self.net
        grads = net.grads
        if self._regularization is not None and self._reg_rate > 0:
            penalty = self._penalty_grad
            if self._regularization == "l2":
                np.multiply(net.params, self._reg_mask, out=penalty)
            else:
                np.sign(net.params, out=penalty)
                penalty *= self._reg_mask
            penalty += grads
            grads = penalty
        self._optimizer.step(net.params, grads, self._learning_rate)

    def epoch(self, X: np.ndarray, y: np.ndarray) -> float:
        """One pass over (X, y) in reshuffled mini-batches; returns the data loss after it.

        ``X (n, n_features)``; ``y (n,)`` class ids, or values for regression.
        """
        net = self.net
        n = len(X)
        if n == 0:
            raise EngineError("there are no points to train on")
        if len(y) != n:
            raise EngineError(f"{n} points but {len(y)} labels")
        order = self.rng.permutation(n)
        inputs = net.extend(X)[order]
        targets = net.encode_targets(np.asarray(y)[order])
        size = min(self._batch_size, n)
        buf = net.buffers(size)
        backprop, step = net.backprop, self._step
        full = n - n % size
        for start in range(0, full, size):
            end = start + size
            backprop(inputs[start:end], targets[start:end], buf)
            step()
        if full < n:
            backprop(inputs[full:], targets[full:], net.buffers(n - full))
            step()
        self.epochs_done += 1
        return net.loss(X, y)

    @property
    def gradient_norms(self) -> list[float]:
        """Each layer's weight-gradient norm ||dJ/dW^l|| from the last step (data loss only)."""
        return [float(np.sqrt(np.dot(g.ravel(), g.ravel()))) for g in self.net.weight_grads]
