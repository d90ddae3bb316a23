"""Keyframes: the network's weights at chosen epochs, so a run can be replayed (no Qt).

The live trainer records them (``KeyframeRecorder``) at log-spaced epochs -- 0, 1, 2, ...,
then each at least ``limits.KEYFRAME_LOG_STEP`` times the previous, where the network
changes fastest -- and besides those at most ``limits.KEYFRAMES_PER_SECOND`` a second while
it trains, so a long slow run is covered too. Each snapshot carries the new ones.

The window keeps them in a ``KeyframeStore`` bounded in count and bytes. When it is full,
the keyframe whose neighbours lie closest together on a log scale of epochs goes
(``thin``): what stays is spread evenly in log(1 + epoch), the first and the last always
kept. A keyframe holds only weights (no optimizer state): everything a view draws is
recomputed from them, exactly as it was computed live.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from engine import limits
from engine.network import Network

KEYFRAME_OVERHEAD = 200  # bytes a keyframe costs besides its weights (the object, its tuples)


@dataclass(frozen=True, eq=False)
class Keyframe:
    """The network's weights at ``epoch``: ``params`` in ``Network.params``' layout (read-only float64)."""

    epoch: int
    params: np.ndarray
    layer_sizes: tuple[int, ...]
    activations: tuple[str, ...]  # the hidden layers' activations at that epoch

    @classmethod
    def of(cls, net: Network, epoch: int) -> Keyframe:
        """A keyframe of ``net``'s weights as they are now."""
        params = np.array(net.params, dtype=np.float64, copy=True)
        params.flags.writeable = False
        return cls(int(epoch), params, tuple(net.layer_sizes), tuple(net.activation_names))

    @classmethod
    def from_arrays(cls, epoch: int, weights: Sequence[np.ndarray], biases: Sequence[np.ndarray],
                    activations: Sequence[str]) -> Keyframe:
        """A keyframe from per-layer weights (fan_in, fan_out) and biases (fan_out,)."""
        sizes = [np.shape(weights[0])[0], *(np.shape(b)[0] for b in biases)]
        blocks = [np.vstack([np.asarray(w, dtype=np.float64), np.asarray(b, dtype=np.float64)[None, :]]).ravel()
                  for w, b in zip(weights, biases)]
        params = np.concatenate(blocks) if blocks else np.zeros(0)
        params.flags.writeable = False
        return cls(int(epoch), params, tuple(int(s) for s in sizes), tuple(activations))

    @property
    def nbytes(self) -> int:
        """What the keyframe costs in memory, roughly."""
        return int(self.params.nbytes) + KEYFRAME_OVERHEAD

    def arrays(self) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """(weights, biases): per layer (fan_in, fan_out) and (fan_out,), views of ``params``."""
        weights, biases, offset = [], [], 0
        sizes = self.layer_sizes
        for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
            block = self.params[offset: offset + (fan_in + 1) * fan_out].reshape(fan_in + 1, fan_out)
            weights.append(block[:-1])
            biases.append(block[-1])
            offset += (fan_in + 1) * fan_out
        return weights, biases

    def network(self, task: str, dtype: str = "float64", step_surrogate: bool = False) -> Network:
        """A network holding this keyframe's weights and activations."""
        net = Network(self.layer_sizes, list(self.activations), task, dtype=dtype, init="zeros",
                      step_surrogate=step_surrogate)
        net.params[...] = self.params
        return net


def _crowding(epochs: np.ndarray) -> np.ndarray:
    """For each interior keyframe, the log-epoch distance between its two neighbours."""
    logs = np.log1p(epochs.astype(np.float64))
    return logs[2:] - logs[:-2]


def thin(keyframes: Sequence[Keyframe], count: int) -> list[Keyframe]:
    """At most ``count`` (>= 2) of ``keyframes``: drop the most crowded on a log scale until they fit.

    The first and the last always stay; among equally crowded ones the older goes first.
    """
    kept = list(keyframes)
    if len(kept) <= count:
        return kept
    count = max(2, count)
    epochs = np.array([k.epoch for k in kept], dtype=np.int64)
    while len(kept) > count:
        i = int(np.argmin(_crowding(epochs))) + 1
        del kept[i]
        epochs = np.delete(epochs, i)
    return kept


def capacity(per_keyframe: int, max_count: int, max_bytes: int) -> int:
    """How many keyframes of ``per_keyframe`` bytes (or values) fit both bounds (never fewer than 2)."""
    return max(2, min(max_count, max_bytes // max(1, per_keyframe)))


def for_session(keyframes: Sequence[Keyframe]) -> list[Keyframe]:
    """The keyframes a session file keeps: thinned to the session's bounds in count and values."""
    if not keyframes:
        return []
    values = len(keyframes[0].params)
    return thin(keyframes, capacity(values, limits.MAX_SESSION_KEYFRAMES, limits.MAX_SESSION_KEYFRAME_VALUES))


class KeyframeRecorder:
    """Decides when the live trainer records a keyframe; keeps the new ones until a snapshot takes them."""

    def __init__(self, clock: Callable[[], float] = time.perf_counter) -> None:
        self._clock = clock
        self._pending: list[Keyframe] = []
        self.wanted: set[int] | None = None  # set by ``follow``: record at exactly these epochs, no others
        self.restart()

    def restart(self, net: Network | None = None, epoch: int = 0) -> None:
        """A new run (fresh or loaded weights): forget what was not sent, and record where it starts."""
        self._pending.clear()
        if self.wanted is not None:
            self.wanted = set()  # the epochs asked for were another run's
        self.next_epoch = 0
        self.last_epoch = -1
        self.last_time = -math.inf
        if net is not None:
            self.record(net, epoch)

    def amend(self, net: Network, epoch: int) -> None:
        """The network changed without training (a weight or an activation set): re-record its last keyframe
        if it was taken at this very epoch, so replaying it shows what the user then trained from."""
        if epoch == self.last_epoch:
            self.record(net, epoch)

    def record(self, net: Network, epoch: int) -> None:
        """Record ``net`` at ``epoch`` now and schedule the next log-spaced keyframe."""
        self._pending.append(Keyframe.of(net, epoch))
        if self.wanted is not None:
            self.wanted.discard(epoch)
        self.last_epoch = epoch
        self.last_time = self._clock()
        self.next_epoch = max(epoch + 1, math.ceil(epoch * limits.KEYFRAME_LOG_STEP))

    def follow(self, epochs: Iterable[int], net: Network, epoch: int) -> None:
        """From now on record at ``epochs`` (now, for the current ``epoch``) and choose no epochs of its own
        but a new run's first (compare mode's run B keeps run A's epochs; see ``engine.commands.RecordAt``)."""
        if self.wanted is None:
            self.wanted = set()
        for wanted in epochs:
            if wanted == epoch and wanted != self.last_epoch:
                self.record(net, epoch)
            elif wanted > epoch:
                self.wanted.add(int(wanted))

    def after_epoch(self, net: Network, epoch: int) -> None:
        """Called after every epoch: record when ``epoch`` reached the next log-spaced one (cheap otherwise)."""
        wanted = self.wanted
        if (epoch in wanted) if wanted is not None else epoch >= self.next_epoch:
            self.record(net, epoch)

    def on_publish(self, net: Network, epoch: int, playing: bool) -> None:
        """Called before each snapshot: record a new epoch if the rate allows, or whenever training stopped.

        Paused, epochs move only by Step (the user's pace), so every epoch a user stops at is kept.
        """
        if self.wanted is not None:
            return  # another run chooses the epochs
        if epoch > self.last_epoch and (
                epoch >= self.next_epoch or not playing
                or self._clock() - self.last_time >= 1.0 / limits.KEYFRAMES_PER_SECOND):
            self.record(net, epoch)

    def take(self) -> tuple[Keyframe, ...]:
        """The keyframes recorded since the last call."""
        taken = tuple(self._pending)
        self._pending.clear()
        return taken


class KeyframeStore:
    """The keyframes of the current run, in order of epoch, bounded in count and bytes."""

    def __init__(self, max_count: int = limits.MAX_KEYFRAMES, max_bytes: int = limits.MAX_KEYFRAME_BYTES) -> None:
        self.max_count = max_count
        self.max_bytes = max_bytes
        self.keyframes: list[Keyframe] = []
        self.generation = 0  # counts every change, so a view knows when to look again

    def __len__(self) -> int:
        return len(self.keyframes)

    @property
    def nbytes(self) -> int:
        """What the kept keyframes cost in memory, roughly."""
        return sum(k.nbytes for k in self.keyframes)

    def capacity(self) -> int:
        """How many keyframes of this run's size fit the bounds."""
        if not self.keyframes:
            return self.max_count
        return capacity(self.keyframes[0].nbytes, self.max_count, self.max_bytes)

    def clear(self) -> None:
        """Forget every keyframe (a new run starts)."""
        self.keyframes = []
        self.generation += 1

    def replace(self, keyframes: Iterable[Keyframe]) -> None:
        """Hold exactly these keyframes (thinned to fit), e.g. those of an opened session."""
        self.keyframes = []
        self.add(keyframes)

    def add(self, keyframes: Iterable[Keyframe]) -> None:
        """Append newer keyframes; one at an epoch already held replaces it (and any later ones)."""
        for keyframe in keyframes:
            while self.keyframes and self.keyframes[-1].epoch >= keyframe.epoch:
                self.keyframes.pop()
            self.keyframes.append(keyframe)
        self.keyframes = thin(self.keyframes, self.capacity())
        self.generation += 1

    def epochs(self) -> np.ndarray:
        """The kept keyframes' epochs, increasing."""
        return np.array([k.epoch for k in self.keyframes], dtype=np.int64)

    def index_at(self, epoch: int) -> int:
        """The index of the last keyframe at or before ``epoch`` (0 when there is none before)."""
        return max(0, int(np.searchsorted(self.epochs(), epoch, side="right")) - 1)

    def up_to(self, epoch: int) -> list[Keyframe]:
        """The keyframes at or before ``epoch``."""
        return [k for k in self.keyframes if k.epoch <= epoch]
