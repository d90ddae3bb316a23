"""The training kernel: a whole step listed once as bound numpy calls, then replayed (private).

Why. At TensorFlow Playground's default (2-4-2-1, batch 10) an epoch is 25 tiny matrix
products and their activations per batch: the cost is numpy's per-call overhead and the
Python around it, not arithmetic. Listing every call of a step once, with its arrays
already bound (``functools.partial`` on preallocated buffers), and replaying the list is
about 1.5x faster than calling the same functions afresh each batch (measured with
``bench/engine.py``; see the README's benchmarks for today's figures).

Hazard. A listed call keeps references to the very arrays it was bound to: ``params``,
``grads``, each layer's block, the work ``Buffers``. Rebinding any of them
(``net.params = new_array``, a new buffer) silently leaves the old array in use, and
training goes on without error on something nobody reads. Write into the arrays
(``net.params[...] = values``), never rebind them; and list again (the trainer does, keyed
on what it bound) when the network's shape, activations or the batch size change.

``engine.reference`` computes the same forward and backward passes plainly, one layer at
a time, and the tests hold this kernel against it.

Layout: layer l's weights and bias live in one block ``(fan_in + 1, fan_out)`` whose last
row is the bias; activations are stored one column per point, ``(size_l, m)``, over a row
of ones that carries the bias.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from typing import TYPE_CHECKING

import numpy as np

from engine.activations import Activation, Calls, run

if TYPE_CHECKING:
    from engine.network import Network

CACHED_BATCH_SIZES = 4  # work buffers kept for this many batch sizes (loss, gradients)
LOSS_CHUNK_BYTES = 256 * 1024  # a chunk's sums and activations in the loss pass: about L2 cache


class Buffers:
    """Work space for a batch of m points, one column per point.

    ``sums[l]`` and ``deltas[l]`` (size_(l+1), m) hold s^(l+1) and dJ/ds^(l+1) for each
    weight layer l = 0..L-1. ``hidden`` stacks every hidden layer's activations over a row
    of ones: ``extended[l]`` (size_(l+1) + 1, m) is layer l+1's part and ``acts[l]`` its
    top rows. ``slopes`` is stacked the same way, for f'(s) of every hidden layer at once;
    ``scratch[l]`` is layer l+1's part.
    """

    def __init__(self, sizes: Sequence[int], m: int, dtype: np.dtype) -> None:
        hidden = sizes[1:-1]
        self.sums = [np.empty((size, m), dtype) for size in sizes[1:]]
        self.deltas = [np.empty((size, m), dtype) for size in sizes[1:]]
        self.hidden = np.ones((sum(hidden) + len(hidden), m), dtype)
        self.slopes = np.empty_like(self.hidden)
        top = np.cumsum([0, *(size + 1 for size in hidden)])
        self.extended = [self.hidden[r : r + size + 1] for r, size in zip(top, hidden)]
        self.acts = [e[:-1] for e in self.extended]
        self.scratch = [self.slopes[r : r + size] for r, size in zip(top, hidden)]


class LossPass:
    """The forward pass that measures the data loss on n points, listed once.

    It runs in chunks of points small enough for their sums and activations to stay in
    cache (at 5000 points through 32-wide layers a third faster than one pass), but of at
    least 256 points, so that numpy's per-call cost stays small. ``net.loss`` and the
    trainer share it, so they agree bit for bit.
    """

    def __init__(self, net: Network, inputs: np.ndarray) -> None:
        """``inputs (size_0 + 1, n)`` as ``extend`` gives them (kept, not copied)."""
        n = inputs.shape[1]
        self.net = net
        self.logits = np.empty((n, net.layer_sizes[-1]), net.dtype)  # s^L, one row per point
        self.calls: Calls = []
        bytes_per_point = 2 * sum(net.layer_sizes[1:]) * net.dtype.itemsize  # sums, activations
        chunk = max(256, LOSS_CHUNK_BYTES // bytes_per_point)
        for start in range(0, n, chunk):
            end = min(start + chunk, n)
            buf = buffers(net, end - start)
            self.calls += logit_calls(net, inputs[:, start:end], buf)
            self.calls.append(partial(np.copyto, self.logits[start:end].T, buf.sums[-1]))

    def measure(self, y: np.ndarray) -> float:
        """The data loss J of the network's current weights against labels y (n,)."""
        run(self.calls)
        net = self.net
        return net.task_spec.loss(self.logits, net.as_labels(y))


def buffers(net: Network, m: int) -> Buffers:
    """Work buffers for batches of m points, kept on the network for its last few batch sizes."""
    cache = net._buffers
    found = cache.pop(m, None)
    if found is None:
        found = Buffers(net.layer_sizes, m, net.dtype)
        if len(cache) >= CACHED_BATCH_SIZES:
            del cache[next(iter(cache))]  # the least recently used
    cache[m] = found
    return found


def extend(net: Network, X: np.ndarray) -> np.ndarray:
    """X (n, size_0) as one column per point over a row of ones: (size_0 + 1, n)."""
    X = net.as_input(X)
    out = np.ones((X.shape[1] + 1, len(X)), net.dtype)
    out[:-1] = X.T
    return out


def delta_targets(net: Network, y: np.ndarray, out: np.ndarray) -> None:
    """Write labels y (n,) into ``out (n, K)`` as ``backprop_calls`` reads them (binary
    labels become -1 and +1, see engine.losses; otherwise as ``net.encode_targets``)."""
    net.task_spec.delta_targets(net.as_labels(y), out)


def logit_calls(net: Network, inputs: np.ndarray, buf: Buffers) -> Calls:
    """Calls for the forward pass of ``inputs (size_0 + 1, m)`` (from ``extend``) into
    ``buf``, up to the output layer's sums s^L (its logits), without its output function."""
    calls: Calls = []
    a = inputs
    hidden = net.hidden_activations
    for l, block in enumerate(net._blocks):
        calls.append(partial(block.T.dot, a, buf.sums[l]))  # s = [W; b]^T [a; 1]
        if l < len(hidden):
            calls += hidden[l].forward(buf.sums[l], buf.acts[l])
            a = buf.extended[l]
    return calls


def _shared_slope(net: Network) -> Activation | None:
    """The one activation of all hidden layers, if they share one whose slope follows
    from the activations alone (so it can be computed for all layers at once)."""
    hidden = net.hidden_activations
    if hidden and hidden.count(hidden[0]) == len(hidden) and hidden[0].slope is not None:
        return hidden[0]
    return None


def backprop_calls(net: Network, inputs: np.ndarray, targets: np.ndarray, buf: Buffers) -> Calls:
    """Calls that write the exact gradient of the data loss on one batch into ``net.grads``.

    ``inputs (size_0 + 1, m)`` is the batch as ``extend`` gives it, ``targets (K, m)``
    its labels written by ``delta_targets`` (transposed), ``buf`` is ``buffers(net, m)`` or
    any ``Buffers`` for m points. The calls allocate nothing, so a trainer lists them once
    and replays them every epoch.
    """
    sums, acts, ext, deltas, hidden = buf.sums, buf.acts, buf.extended, buf.deltas, net.hidden_activations
    calls = logit_calls(net, inputs, buf)
    shared = _shared_slope(net)
    if shared is not None and shared.slope is not None:  # every hidden layer's f'(s) in one go
        calls += shared.slope(buf.hidden, buf.slopes)  # (and of the rows of ones)
    # Output layer: delta^L = dJ/ds^L = (a^L - t) / m for every task's loss.
    calls += net.task_spec.delta(sums[-1], targets, deltas[-1])
    for l in range(net.n_layers - 1, -1, -1):
        below = ext[l - 1] if l > 0 else inputs
        # dJ/dW = a delta^T and dJ/db = delta summed over the points: one product with [a; 1].
        calls.append(partial(below.dot, deltas[l].T, net._grad_blocks[l]))
        if l > 0:  # delta^(l-1) = (W delta^l) * f'(s^(l-1))
            delta = deltas[l - 1]
            calls.append(partial(net.weights[l].dot, deltas[l], delta))
            if shared is not None:
                calls.append(partial(np.multiply, delta, buf.scratch[l - 1], delta))
            else:
                calls += hidden[l - 1].backward_calls(delta, sums[l - 1], acts[l - 1], buf.scratch[l - 1])
    return calls


def forward(net: Network, X: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """(sums, acts) of ``net.trace``: the kernel's forward pass on fresh buffers, one row per point."""
    X = net.as_input(X)
    buf = Buffers(net.layer_sizes, len(X), net.dtype)  # fresh: the caller keeps them
    run(logit_calls(net, extend(net, X), buf))
    sums = [s.T for s in buf.sums]
    acts = [X, *(a.T for a in buf.acts), net.task_spec.output(sums[-1])]
    return sums, acts


def loss(net: Network, X: np.ndarray, y: np.ndarray) -> float:
    """``net.loss``: the data loss J, a mean over the points (NaN for none)."""
    X = net.as_input(X)
    if len(X) == 0:
        return float("nan")
    return LossPass(net, extend(net, X)).measure(y)


def gradients(net: Network, X: np.ndarray, y: np.ndarray) -> None:
    """Write the exact gradient of ``loss(net, X, y)`` into ``net.grads`` (at least one point)."""
    inputs = extend(net, X)
    targets = np.empty((net.layer_sizes[-1], inputs.shape[1]), net.dtype)
    delta_targets(net, y, targets.T)
    run(backprop_calls(net, inputs, targets, buffers(net, inputs.shape[1])))
