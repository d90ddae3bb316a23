"""Maps over the input plane: the decision map and every neuron's activation map."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from engine.features import transform
from engine.network import Network

DEFAULT_HALF_WIDTH = 6.0


@dataclass(frozen=True)
class Bounds:
    """A square region of the plane: x and y both run from ``low`` to ``high``."""

    low: float = -DEFAULT_HALF_WIDTH
    high: float = DEFAULT_HALF_WIDTH


def view_bounds(points: np.ndarray) -> Bounds:
    """The default [-6, 6] square, grown (symmetrically, with a margin) to hold every point."""
    if len(points) == 0:
        return Bounds()
    reach = float(np.max(np.abs(points)))
    half = max(DEFAULT_HALF_WIDTH, np.ceil(reach * 1.05))
    return Bounds(-half, half)


def grid(bounds: Bounds, resolution: int) -> np.ndarray:
    """Cell centres of a resolution x resolution grid, row-major from the bottom-left: (r*r, 2)."""
    step = (bounds.high - bounds.low) / resolution
    centres = bounds.low + step * (np.arange(resolution) + 0.5)
    xx, yy = np.meshgrid(centres, centres)
    return np.column_stack([xx.ravel(), yy.ravel()])


def layer_maps(
    net: Network, features: Sequence[str], bounds: Bounds, resolution: int
) -> list[np.ndarray]:
    """Every layer's activations over the grid: list of (resolution, resolution, size_l), l = 0..L."""
    inputs = transform(grid(bounds, resolution), features, net.dtype)
    return [a.reshape(resolution, resolution, -1) for a in net.activations(inputs)]
