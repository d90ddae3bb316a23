"""What the live trainer publishes: read-only snapshots of everything the window draws (no Qt).

A snapshot is built in the trainer's process, pickled across the pipe and frozen again on
arrival (``freeze``), so the window can keep and share it without copying.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from engine.config import Settings
from engine.explain import GradientCheck
from engine.keyframes import Keyframe
from engine.layer_space import LayerSpace

MAP_RESOLUTION = 100  # decision map cells per side
NEURON_STRIDE = 2  # neuron maps are the decision grid taken every 2nd cell: 50 x 50
LEVEL_MAX = 254  # neuron map levels run 0..254 for activations -1..1; 255 is "no neuron"


def to_levels(values: np.ndarray) -> np.ndarray:
    """Activations -> uint8 levels: -1 -> 0, 0 -> 127, 1 -> 254 (clipped outside [-1, 1]; NaN -> 127)."""
    # np.nan_to_num would be the plain way; it costs more than the rest together (60 maps a second).
    levels = np.clip(values, -1.0, 1.0)  # a new array; NaN stays NaN, infinities become the ends
    levels += 1.0
    levels *= LEVEL_MAX / 2.0
    np.copyto(levels, LEVEL_MAX / 2.0, where=np.isnan(levels))  # NaN counts as activation 0
    out: np.ndarray = np.rint(levels).astype(np.uint8)
    return out


@dataclass(frozen=True)
class Snapshot:
    """What the window draws, as new read-only arrays. Maps have row 0 at the bottom (y = low)."""

    seq: int
    run: int  # increases whenever the weights start over (reset, new shape, new task)
    epoch: int
    playing: bool
    diverged: bool
    task: str
    layer_sizes: tuple[int, ...]
    activations: tuple[str, ...]
    features: tuple[str, ...]
    step_surrogate: bool
    bounds: tuple[float, float]
    train_loss: float | None
    test_loss: float | None
    train_accuracy: float | None
    test_accuracy: float | None
    history_epochs: np.ndarray  # (k,) epochs finished since the previous snapshot
    history_train: np.ndarray  # (k,)
    history_test: np.ndarray  # (k,) NaN where there is no test set
    gradient_norms: tuple[float, ...]  # per layer, ||dJ/dW^l|| over all training points, now
    weights: tuple[np.ndarray, ...]
    biases: tuple[np.ndarray, ...]
    decision_rgb: np.ndarray  # (R, R, 3) uint8
    focus: tuple[int, int] | None  # (layer, neuron) shown on the canvas instead of the output
    neuron_levels: tuple[np.ndarray, ...]  # per layer 1..L: (size_l, r, r) uint8 levels
    epochs_per_second: float
    n_train: int
    n_test: int
    settings: Settings  # the training settings in force
    message: str = ""  # the last command's error, if it was refused
    gradient_check: GradientCheck | None = None  # the answer to a "gradient_check" command
    layer_space: LayerSpace | None = None  # the chosen hidden layer's space, while the view is open
    held: bool = False  # playing but waiting at its HoldAt epoch (compare mode)
    replay: bool = False  # epoch, weights and every map are those of a recorded keyframe, not the live network
    keyframes: tuple[Keyframe, ...] = ()  # keyframes recorded since the previous snapshot
    publish_share: float = 0.0  # share of the trainer's time spent building and sending snapshots, lately
    serial: int = 0  # 1, 2, ...: this snapshot's number among those the session made (for backpressure)


def freeze(snapshot: Snapshot) -> Snapshot:
    """Make every array in ``snapshot`` read-only again (unpickling makes copies writeable)."""
    for value in snapshot.__dict__.values():
        for item in value if isinstance(value, tuple) else (value,):
            array = item.params if isinstance(item, Keyframe) else item
            if isinstance(array, np.ndarray):
                array.flags.writeable = False
    return snapshot


def frozen(array: np.ndarray) -> np.ndarray:
    """A read-only copy of ``array``."""
    array = np.array(array, copy=True)
    array.flags.writeable = False
    return array


@dataclass
class History:
    """Epochs and losses trained since the last snapshot took them."""

    epochs: list[int] = field(default_factory=list)
    train: list[float] = field(default_factory=list)
    test: list[float] = field(default_factory=list)

    def take(self) -> tuple[np.ndarray, ...]:
        """(epochs, train losses, test losses) as read-only arrays; starts over empty."""
        out = (
            frozen(np.array(self.epochs, dtype=np.int64)),
            frozen(np.array(self.train, dtype=np.float64)),
            frozen(np.array(self.test, dtype=np.float64)),
        )
        self.epochs.clear()
        self.train.clear()
        self.test.clear()
        return out


