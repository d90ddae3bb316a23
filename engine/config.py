"""The one description of a network's shape and its training settings (no Qt).

The window's model holds one ``Architecture`` and one ``Settings``; the trainer gets them
as they are, and undo puts back the ones it recorded. Both are frozen, so a value once
sent or recorded can never change under anyone's feet.
"""

from __future__ import annotations

from dataclasses import dataclass

from engine import limits
from engine.errors import EngineError
from engine.features import DEFAULT_FEATURES, check_features


@dataclass(frozen=True)
class Settings:
    """Training settings that change without resetting the weights."""

    learning_rate: float = limits.DEFAULT_LEARNING_RATE
    optimizer: str = limits.DEFAULT_OPTIMIZER
    batch_size: int = limits.DEFAULT_BATCH_SIZE
    regularization: str | None = None
    reg_rate: float = 0.0
    speed: float | None = None  # epochs per second; None = as fast as it goes
    discretize: bool = False  # the canvas shows only the predicted class

    def training(self) -> dict[str, float | int | str | None]:
        """The settings a session file keeps: how the network trains, not how it is watched."""
        return {"learning_rate": self.learning_rate, "optimizer": self.optimizer, "batch_size": self.batch_size,
                "regularization": self.regularization, "reg_rate": self.reg_rate}


@dataclass(frozen=True)
class Architecture:
    """The network's shape: changing it builds a new network with fresh weights.

    Changing only ``activations`` keeps the weights (so a trained tanh network switched to
    step visibly stops learning).
    """

    hidden: tuple[int, ...] = limits.DEFAULT_HIDDEN
    activations: tuple[str, ...] = (limits.DEFAULT_ACTIVATION,) * len(limits.DEFAULT_HIDDEN)
    features: tuple[str, ...] = DEFAULT_FEATURES
    regression: bool = False

    def shape(self) -> tuple[tuple[int, ...], tuple[str, ...], bool]:
        """What needs new weights when it changes (everything but the activations)."""
        return self.hidden, self.features, self.regression

    def check(self) -> None:
        """Raise ``EngineError`` naming the problem unless the engine and the window can use this shape."""
        check_features(self.features)
        if len(self.hidden) != len(self.activations):
            raise EngineError("one activation per hidden layer is needed")
        problem = limits.check_hidden(self.hidden)
        if problem is not None:
            raise EngineError(problem)
