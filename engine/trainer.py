"""Mini-batch training: reshuffle, back-propagate, regularize, step.

An epoch's numpy calls are listed once (see ``engine._kernel``) and replayed until
the data size or a setting that changes them does; the learning rate and the
regularization rate live in arrays that the calls read, so changing them costs nothing.
"""

from __future__ import annotations

from functools import partial

import numpy as np

from engine import _kernel, limits
from engine._kernel import Buffers, LossPass
from engine.activations import Calls
from engine.errors import EngineError
from engine.network import Network
from engine.optimizers import OPTIMIZERS, Optimizer

REGULARIZATIONS = (None, "l1", "l2")


MAX_LISTED_BATCHES = 512  # batches listed at most; larger data is trained in chunks of this many


class _EpochPlan:
    """One epoch of training listed once and replayed each epoch: buffers for the data,
    every mini-batch's calls (its backprop, then an optimizer step), and the calls of the
    forward pass that measures the loss afterwards.

    Batch i reads columns [i * batch_size, (i + 1) * batch_size) of ``inputs`` and
    ``targets``, which the trainer refills in a new order before each epoch. Listing
    costs about 6 KB and 20 microseconds per mini-batch, so at most ``MAX_LISTED_BATCHES``
    are listed: larger data (100,000 points at batch 1, say) is refilled and replayed in
    ``chunk``-column pieces, the same batches in the same order, and memory stays bounded.
    """

    def __init__(self, net: Network, n: int, batch_size: int, step_calls: Calls) -> None:
        inputs, outputs = net.layer_sizes[0], net.layer_sizes[-1]
        self.data = np.ones((inputs + 1, n), net.dtype)  # X^T over a row of ones, as given
        self.encoded = np.empty((outputs, n), net.dtype)  # the targets, as given
        self.chunk = n if n <= MAX_LISTED_BATCHES * batch_size else MAX_LISTED_BATCHES * batch_size
        self.tail = n % self.chunk  # columns left after the whole chunks (0 when one chunk holds all)
        self.inputs = np.empty((inputs + 1, self.chunk), net.dtype)  # a chunk, reshuffled
        self.targets = np.empty((outputs, self.chunk), net.dtype)
        work: dict[int, Buffers] = {}  # one set for full batches, one for a shorter last batch

        def listing(columns: int) -> Calls:
            calls: Calls = []
            for start in range(0, columns, batch_size):
                m = min(batch_size, columns - start)
                if m not in work:
                    work[m] = Buffers(net.layer_sizes, m, net.dtype)
                batch = slice(start, start + m)
                calls += _kernel.backprop_calls(net, self.inputs[:, batch], self.targets[:, batch], work[m])
                calls += step_calls
            return calls

        self.calls = listing(self.chunk)
        self.tail_calls = listing(self.tail) if self.tail else []
        self.loss = LossPass(net, self.data)

    def run(self, order: np.ndarray) -> None:
        """Train one epoch: every chunk of ``order``'s columns, then the tail."""
        data, encoded, inputs, targets, chunk = self.data, self.encoded, self.inputs, self.targets, self.chunk
        whole = len(order) - self.tail
        for start in range(0, whole, chunk):
            part = order[start : start + chunk]
            np.take(data, part, axis=1, out=inputs, mode="wrap")  # wrap: no bounds check
            np.take(encoded, part, axis=1, out=targets, mode="wrap")
            for call in self.calls:
                call()
        if self.tail:
            part = order[whole:]
            inputs[:, : self.tail] = data[:, part]
            targets[:, : self.tail] = encoded[:, part]
            for call in self.tail_calls:
                call()


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
        optimizer: str = limits.DEFAULT_OPTIMIZER,
        learning_rate: float = limits.DEFAULT_LEARNING_RATE,
        batch_size: int = limits.DEFAULT_BATCH_SIZE,
        regularization: str | None = None,
        reg_rate: float = 0.0,
        seed: int = 0,
    ) -> None:
        self.net = net
        self.rng = np.random.default_rng(seed)
        self.epochs_done = 0
        # Listed calls bind these arrays, so the setters change them in place.
        self._learning_rate = np.zeros((), net.dtype)
        self._reg_mask = np.zeros_like(net.params)  # reg_rate where params holds a weight
        self._penalty_grad = np.zeros_like(net.params)
        self._optimizer: Optimizer | None = None
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.regularization = regularization
        self.reg_rate = reg_rate
        self._plan_key: tuple[object, ...] | None = None
        self._plan_cache: _EpochPlan | None = None

    # ---------------------------------------------------------------- settings
    @property
    def optimizer(self) -> str:
        """The optimizer's name; setting a new one starts its state afresh."""
        assert self._optimizer is not None  # set in __init__
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
        self._learning_rate[...] = _positive_number(value, "learning rate")

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
        np.multiply(self.net.weight_mask, self.net.dtype.type(rate), out=self._reg_mask)

    # ---------------------------------------------------------------- training
    def penalty(self) -> float:
        """The regularization term added to the data loss (0 without regularization)."""
        if self._regularization is None or self._reg_rate == 0:
            return 0.0
        w = self.net.params * self.net.weight_mask
        if self._regularization == "l1":
            return float(self._reg_rate * np.abs(w).sum())
        return float(0.5 * self._reg_rate * np.dot(w, w))

    def _step_calls(self) -> Calls:
        """The calls of one optimizer step, after a mini-batch's gradient is in ``grads``."""
        net = self.net
        grads, calls = net.grads, []
        if self._regularization is not None and self._reg_rate > 0:
            penalty = self._penalty_grad  # dJ/dw of the penalty (rate in _reg_mask), plus grads
            if self._regularization == "l2":
                calls.append(partial(np.multiply, net.params, self._reg_mask, penalty))
            else:
                calls += [
                    partial(np.sign, net.params, penalty),
                    partial(np.multiply, penalty, self._reg_mask, penalty),
                ]
            calls.append(partial(np.add, penalty, grads, penalty))
            grads = penalty
        assert self._optimizer is not None  # set in __init__
        return calls + self._optimizer.calls(net.params, grads, self._learning_rate)

    def _plan(self, n: int) -> _EpochPlan:
        """The epoch plan for n points under the current settings (listed again only when
        something it binds has changed)."""
        net = self.net
        key = (net, net.hidden_activations, n, self._batch_size, self._optimizer,
               self._regularization, self._reg_rate > 0)
        if self._plan_key != key or self._plan_cache is None:
            self._plan_cache = _EpochPlan(net, n, self._batch_size, self._step_calls())
            self._plan_key = key
        return self._plan_cache

    def epoch(self, X: np.ndarray, y: np.ndarray) -> float:
        """One pass over (X, y) in reshuffled mini-batches; returns the data loss after it.

        ``X (n, n_features)``; ``y (n,)`` class ids, or values for regression.
        """
        net = self.net
        X = net.as_input(X)
        n = len(X)
        if n == 0:
            raise EngineError("there are no points to train on")
        if len(y) != n:
            raise EngineError(f"{n} points but {len(y)} labels")
        plan = self._plan(n)
        np.copyto(plan.data[:-1], X.T)
        _kernel.delta_targets(net, y, plan.encoded.T)
        plan.run(self.rng.permutation(n))
        self.epochs_done += 1
        return plan.loss.measure(y)  # net.loss(X, y), listed once

    @property
    def last_logits(self) -> np.ndarray:
        """s^L of every point (n, K), in the order given, from the loss measured after the last epoch."""
        if self._plan_cache is None:
            raise EngineError("no epoch has been trained yet")
        return self._plan_cache.loss.logits

    @property
    def gradient_norms(self) -> list[float]:
        """Each layer's weight-gradient norm ||dJ/dW^l|| from the last step (data loss only)."""
        return [float(np.sqrt(np.dot(g.ravel(), g.ravel()))) for g in self.net.weight_grads]
