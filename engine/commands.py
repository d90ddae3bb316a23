"""The commands the window sends the live trainer, one frozen dataclass each (no Qt).

They cross a pipe to the child process (pickled), so they hold only plain values and
numpy arrays. ``engine.live.LiveSession`` dispatches them through an explicit table of
handlers, one per class in ``Command``; a class without a handler is a programming error
(``UnknownCommand``, a ``TypeError``), never a message the user sees as a refusal.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.config import Architecture, Settings
from engine.keyframes import Keyframe
from engine.layer_space import SpaceChoice

# A refused command's message starts with its name; an unexpected failure with this.
UNEXPECTED = "The trainer met an unexpected error"


class UnknownCommand(TypeError):
    """An object sent as a command that no handler obeys: a programming error in the sender."""


@dataclass(frozen=True)
class Play:
    """Train continuously (only when there are training points)."""


@dataclass(frozen=True)
class Pause:
    """Stop training after the current epoch."""


@dataclass(frozen=True)
class Step:
    """Train exactly ``epochs`` epochs, then pause."""

    epochs: int = 1


@dataclass(frozen=True)
class Reset:
    """New initial weights for the same network and data (from ``seed`` when given).

    Compare mode resets both of its runs with one shared seed, so two networks of the same
    shape start from the same weights and see the points in the same order.
    """

    seed: int | None = None


@dataclass(frozen=True)
class HoldAt:
    """While playing, train no further than epoch ``epoch`` (None: no limit); Step is not held.

    Compare mode keeps its two runs epoch-aligned with it: run B is held at the epoch run A
    last reported, so B never runs ahead of A.
    """

    epoch: int | None


@dataclass(frozen=True)
class RecordAt:
    """Record keyframes at exactly these epochs as training reaches them, and none of its own choosing.

    Compare mode sends run B run A's keyframe epochs (B never runs ahead of A, so it has not
    passed them): the replay then finds B's network at the very epochs A shows.
    """

    epochs: tuple[int, ...]


@dataclass(frozen=True)
class ApplySettings:
    """Train with these settings from the next batch on; the weights stay."""

    settings: Settings


@dataclass(frozen=True)
class ApplyArchitecture:
    """Use this shape: a new shape builds fresh weights, new activations alone keep them."""

    architecture: Architecture


@dataclass(frozen=True)
class SetSurrogate:
    """Let step layers pass a smooth step's slope backwards (a heuristic), or not."""

    on: bool


@dataclass(frozen=True, eq=False)
class SetData:
    """The points, their labels (class ids or values), which are test points, and the view's bounds."""

    points: np.ndarray
    labels: np.ndarray
    test_mask: np.ndarray
    bounds: tuple[float, float]


@dataclass(frozen=True)
class CheckGradients:
    """Compare backprop with finite differences; the answer comes in the next snapshot."""


@dataclass(frozen=True)
class ShowSpace:
    """Compute this hidden layer's space in every snapshot (the view is open), or stop (None)."""

    choice: SpaceChoice | None


@dataclass(frozen=True)
class SetFocus:
    """Show neuron ``(layer, neuron)``'s map on the canvas (layer 0 = the inputs), or the output (None)."""

    focus: tuple[int, int] | None


@dataclass(frozen=True)
class LoadWeights:
    """Continue from saved weights (an opened session or model) at epoch ``epoch``."""

    weights: tuple[list[list[float]], ...]
    biases: tuple[list[float], ...]
    epoch: int


@dataclass(frozen=True)
class SetWeight:
    """Set the weight from neuron ``i`` of layer ``layer - 1`` to neuron ``j`` of layer ``layer``.

    Layers count as everywhere else: 0 is the inputs, 1 the first hidden layer.
    """

    layer: int
    i: int
    j: int
    value: float


@dataclass(frozen=True)
class SetBias:
    """Set the bias of neuron ``j`` of layer ``layer`` (1 = the first hidden layer)."""

    layer: int
    j: int
    value: float


@dataclass(frozen=True, eq=False)
class ShowKeyframe:
    """Publish snapshots of this keyframe of run ``run`` (training pauses; its state stays), or live again (None).

    A keyframe of another run (one that ended before this arrived) is ignored.
    """

    keyframe: Keyframe | None
    run: int = 0


@dataclass(frozen=True)
class Stop:
    """End the trainer's loop (the child process then exits)."""


Command = (Play | Pause | Step | Reset | HoldAt | RecordAt | ApplySettings | ApplyArchitecture | SetSurrogate | SetData
           | CheckGradients | SetFocus | ShowSpace | LoadWeights | SetWeight | SetBias | ShowKeyframe | Stop)


def name_of(command: object) -> str:
    """A command's name for messages: its class name."""
    return type(command).__name__
