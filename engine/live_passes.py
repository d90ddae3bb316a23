"""The passes a live session repeats, listed once and replayed (no Qt).

A snapshot runs the network forward over the 100 x 100 map grid and measures the
gradient norms, up to 60 times a second, and every epoch measures the test loss. Built
afresh each time (new work buffers, a new listing of calls) those passes cost several
times their arithmetic: in the deep set-up (six layers of 8) allocating the grid's
buffers alone took 0.9 ms of a 2.8 ms snapshot. Here each pass is listed once on kept
buffers, as the trainer lists an epoch (see ``engine._kernel`` for why and for the
hazard: a listed call keeps the arrays it was bound to), and listed again only when
something it binds changes: the network object, its activations, or the points.

Every pass computes exactly what ``Network.activations``, ``Network.loss`` and
``Network.gradients`` compute, on the same kernel calls.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from engine import _kernel, maps
from engine.activations import run
from engine.features import transform
from engine.network import Network
from engine.snapshot import MAP_RESOLUTION, NEURON_STRIDE, to_levels


class GridPass:
    """The forward pass over fixed points (the map grid), keeping every layer's activations.

    ``run()`` returns a^0 (the points) .. a^L, each ``(size_l, n)``: one column per point,
    views into the kept buffers, overwritten by the next run.
    """

    def __init__(self, net: Network, points: np.ndarray) -> None:
        self.key = _key(net, points)
        n = len(points)
        self._inputs = _kernel.extend(net, points)
        self._buf = _kernel.Buffers(net.layer_sizes, n, net.dtype)  # only sums and activations are touched
        self._calls = _kernel.logit_calls(net, self._inputs, self._buf)
        self._output = np.empty((n, net.layer_sizes[-1]), net.dtype)
        self._task = net.task_spec

    def run(self) -> list[np.ndarray]:
        """Every layer's activations a^0 .. a^L for the network's current weights."""
        run(self._calls)
        self._task.output(self._buf.sums[-1].T, out=self._output)
        return [self._inputs[:-1], *self._buf.acts, self._output.T]

    @property
    def output(self) -> np.ndarray:
        """a^L from the last run, one row per point: ``(n, K)``."""
        return self._output

    @property
    def hidden(self) -> np.ndarray:
        """The hidden layers' activations stacked, each layer over a row of ones: ``(sum(size_l + 1), n)``."""
        return self._buf.hidden


class PointsPass:
    """The loss (and the outputs' logits) of fixed labelled points, as ``net.loss`` measures it."""

    def __init__(self, net: Network, points: np.ndarray) -> None:
        self.key = _key(net, points)
        self._loss = _kernel.LossPass(net, _kernel.extend(net, points))
        self.measured = False  # whether ``logits`` hold the current weights' (set by the caller's bookkeeping)

    def measure(self, labels: np.ndarray) -> float:
        """The data loss J of the network's current weights on the points (``net.loss``)."""
        return self._loss.measure(labels)

    @property
    def logits(self) -> np.ndarray:
        """s^L of every point (n, K) from the last ``measure``."""
        return self._loss.logits


class GradientPass:
    """The exact gradient of the data loss on fixed labelled points (``net.gradients``), as norms."""

    def __init__(self, net: Network, points: np.ndarray, labels: np.ndarray) -> None:
        self.key = _key(net, points)
        self._labels = labels
        inputs = _kernel.extend(net, points)
        targets = np.empty((net.layer_sizes[-1], len(points)), net.dtype)
        _kernel.delta_targets(net, labels, targets.T)
        buf = _kernel.Buffers(net.layer_sizes, len(points), net.dtype)
        self._calls = _kernel.backprop_calls(net, inputs, targets, buf)
        self._grads = net.weight_grads

    def norms(self) -> tuple[float, ...]:
        """||dJ/dW^l|| for each weight layer, for the network's current weights."""
        run(self._calls)
        return tuple(float(np.sqrt(np.dot(g.ravel(), g.ravel()))) for g in self._grads)


class Passes:
    """A live session's passes, each listed again only when what it binds has changed."""

    def __init__(self) -> None:
        self._cells: tuple[Any, np.ndarray] | None = None  # (bounds, features) and the grid's features
        self._grid: GridPass | None = None
        self._test: PointsPass | None = None
        self._gradient: GradientPass | None = None

    def grid(self, eval_net: Network, bounds: maps.Bounds, features: tuple[str, ...]) -> GridPass:
        """The forward pass of ``eval_net`` (the float32 twin of the network drawn) over the map grid."""
        if self._cells is None or self._cells[0] != (bounds, features):
            cells = maps.grid(bounds, MAP_RESOLUTION)
            self._cells = ((bounds, features), transform(cells, list(features), np.float32))
        points = self._cells[1]
        if self._grid is None or not fresh(self._grid, eval_net, points):
            self._grid = GridPass(eval_net, points)
        return self._grid

    def test_loss(self, net: Network, points: np.ndarray, labels: np.ndarray) -> float:
        """``net.loss`` on the test points (the pass keeps their logits for ``test_logits``)."""
        if self._test is None or not fresh(self._test, net, points):
            self._test = PointsPass(net, points)
        return self._test.measure(labels)

    def test_logits(self, net: Network, points: np.ndarray) -> np.ndarray | None:
        """The logits of the last ``test_loss``, if it measured this network on these points."""
        return self._test.logits if self._test is not None and fresh(self._test, net, points) else None

    def gradient_norms(self, net: Network, points: np.ndarray, labels: np.ndarray) -> tuple[float, ...]:
        """||dJ/dW^l|| of ``net``'s data loss on the points (``net.gradients``), per weight layer."""
        if self._gradient is None or not fresh(self._gradient, net, points):
            self._gradient = GradientPass(net, points, labels)
        return self._gradient.norms()


def neuron_levels(grid: GridPass, output: np.ndarray, layer_sizes: list[int]) -> tuple[np.ndarray, ...]:
    """Every neuron's map (size_l, r, r) as levels, taken every NEURON_STRIDE-th grid cell."""
    r, k = MAP_RESOLUTION, NEURON_STRIDE
    # All hidden layers in one go: their activations lie stacked in the pass's buffer (with rows of ones).
    stacked = to_levels(grid.hidden.reshape(-1, r, r)[:, ::k, ::k])
    stacked.flags.writeable = False  # a new array each time: its slices can be handed out as they are
    levels, top = [], 0
    for size in layer_sizes[1:-1]:
        levels.append(stacked[top : top + size])
        top += size + 1
    last = to_levels(output.reshape(-1, r, r)[:, ::k, ::k])
    last.flags.writeable = False
    return (*levels, last)


def _key(net: Network, points: np.ndarray) -> tuple[Any, ...]:
    """What a pass binds: the network (its blocks and buffers), its activations, the very points."""
    return net, net.hidden_activations, points


def fresh(cached: Any, net: Network, points: np.ndarray) -> bool:
    """Whether ``cached`` (a pass or None) was listed for this network, activations and points."""
    if cached is None:
        return False
    key = cached.key
    return key[0] is net and key[1] == net.hidden_activations and key[2] is points


def predictions(task: str, outputs: np.ndarray) -> np.ndarray:
    """Class ids (n,) from the output layer's values (n, K), as ``Network.predict`` decides."""
    chosen: np.ndarray = outputs[:, 0] > 0.5 if task == "binary" else outputs.argmax(axis=1)
    return chosen


def accuracy(net: Network, logits: np.ndarray, labels: np.ndarray) -> float | None:
    """Fraction of points classified correctly from their logits s^L (None for regression or no points)."""
    if net.task == "regression" or len(labels) == 0:
        return None
    outputs = net.task_spec.output(logits)
    return float(np.mean(predictions(net.task, outputs) == np.asarray(labels)))
