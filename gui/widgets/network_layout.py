"""Where the network diagram's cells and links go, in the canvas's pixels (numpy, no Qt).

The canvas is split into equal columns: the input features, one per hidden layer, the
output. The header above the canvas uses ``column_span`` too, so each layer's controls
sit exactly over its column.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from engine.features import FEATURES

FEATURE_NAMES = tuple(FEATURES)
MAX_CELL = 52.0  # the largest neuron square, in pixels
MARGIN = 6.0  # free pixels above the first and below the last row
INPUT_INSET = 0.1  # input cells sit this fraction of a column from its right edge (labels go left)


def column_span(column: int, n_columns: int, width: float) -> tuple[float, float]:
    """Left and right pixel edges of ``column`` when ``width`` is split into equal columns."""
    return column * width / n_columns, (column + 1) * width / n_columns


def _segment_distances(segments: np.ndarray, x: float, y: float) -> np.ndarray:
    """Distance from (x, y) to every segment (n, 4) given as x0, y0, x1, y1."""
    start, delta = segments[:, :2], segments[:, 2:] - segments[:, :2]
    length2 = np.maximum((delta**2).sum(axis=1), 1e-12)
    t = np.clip(((np.array([x, y]) - start) * delta).sum(axis=1) / length2, 0.0, 1.0)
    nearest = start + t[:, None] * delta
    return np.hypot(nearest[:, 0] - x, nearest[:, 1] - y)


@dataclass(frozen=True)
class DiagramLayout:
    """Cell squares (top-left corners, side ``cell``) and link segments for one topology and size."""

    cell: float
    input_cells: np.ndarray  # (7, 2) top-left corners, in FEATURE_NAMES order
    neuron_cells: tuple[np.ndarray, ...]  # per weight layer l = 1..L: (n_l, 2) top-left corners
    segments: np.ndarray  # (n_links, 4) x0, y0, x1, y1
    link_ids: np.ndarray  # (n_links, 3) (l, i, j): link k carries weights[l-1][i, j]

    def feature_at(self, x: float, y: float) -> str | None:
        """The input feature whose cell holds (x, y), if any."""
        index = self._cell_at(self.input_cells, x, y)
        return None if index is None else FEATURE_NAMES[index]

    def neuron_at(self, x: float, y: float) -> tuple[int, int] | None:
        """(l, j) of the hidden or output neuron whose cell holds (x, y), if any."""
        for l, cells in enumerate(self.neuron_cells, start=1):
            j = self._cell_at(cells, x, y)
            if j is not None:
                return l, j
        return None

    def link_at(self, x: float, y: float, tolerance: np.ndarray | float) -> int | None:
        """Index of the link nearest to (x, y) if it lies within its ``tolerance`` (pixels)."""
        if not len(self.segments):
            return None
        distance = _segment_distances(self.segments, x, y)
        k = int(np.argmin(distance - tolerance))
        return k if distance[k] <= np.broadcast_to(tolerance, distance.shape)[k] else None

    def link_index(self, l: int, i: int, j: int) -> int:
        """Index of the link carrying weights[l-1][i, j]."""
        hits = np.flatnonzero((self.link_ids == (l, i, j)).all(axis=1))
        if not len(hits):
            raise IndexError(f"no link ({l}, {i}, {j})")
        return int(hits[0])

    def link_probe(self, k: int) -> tuple[float, float]:
        """A point on link k as far as possible from every other link (for pointing at it)."""
        x0, y0, x1, y1 = self.segments[k]
        others = np.delete(self.segments, k, axis=0)
        best, best_gap = (x0 + 0.5 * (x1 - x0), y0 + 0.5 * (y1 - y0)), -1.0
        for t in np.linspace(0.1, 0.9, 33):
            x, y = x0 + t * (x1 - x0), y0 + t * (y1 - y0)
            gap = float(_segment_distances(others, x, y).min()) if len(others) else np.inf
            if gap > best_gap:
                best, best_gap = (x, y), gap
        return best

    def _cell_at(self, corners: np.ndarray, x: float, y: float) -> int | None:
        inside = (
            (corners[:, 0] <= x) & (x <= corners[:, 0] + self.cell)
            & (corners[:, 1] <= y) & (y <= corners[:, 1] + self.cell)
        )
        hits = np.flatnonzero(inside)
        return int(hits[0]) if len(hits) else None


def build_layout(
    active_features: Sequence[str], hidden: Sequence[int], n_outputs: int, width: float, height: float
) -> DiagramLayout:
    """Place every cell and link for a network on a ``width`` x ``height`` canvas."""
    sizes = [*hidden, n_outputs]
    n_columns = len(sizes) + 1
    column_width = width / n_columns
    rows = max(len(FEATURE_NAMES), *sizes)
    pitch = max(1.0, min((height - 2 * MARGIN) / rows, MAX_CELL * 1.4))
    cell = max(3.0, min(pitch * 0.78, column_width * 0.42, MAX_CELL))

    def column(n: int, x_centre: float) -> np.ndarray:
        top = (height - n * pitch) / 2 + (pitch - cell) / 2
        return np.column_stack([np.full(n, x_centre - cell / 2), top + pitch * np.arange(n)])

    input_right = column_span(0, n_columns, width)[1] - INPUT_INSET * column_width
    input_cells = column(len(FEATURE_NAMES), input_right - cell / 2)
    neuron_cells = tuple(
        column(n, sum(column_span(c, n_columns, width)) / 2) for c, n in enumerate(sizes, start=1)
    )
    sources = [input_cells[[FEATURE_NAMES.index(f) for f in active_features]], *neuron_cells[:-1]]
    segments, link_ids = [], []
    for l, (source, target) in enumerate(zip(sources, neuron_cells, strict=True), start=1):
        i, j = (a.ravel() for a in np.meshgrid(np.arange(len(source)), np.arange(len(target)), indexing="ij"))
        segments.append(np.column_stack([
            source[i, 0] + cell, source[i, 1] + cell / 2, target[j, 0], target[j, 1] + cell / 2,
        ]))
        link_ids.append(np.column_stack([np.full(len(i), l), i, j]))
    return DiagramLayout(
        cell=cell, input_cells=input_cells, neuron_cells=neuron_cells,
        segments=np.concatenate(segments) if segments else np.zeros((0, 4)),
        link_ids=np.concatenate(link_ids).astype(np.intp) if link_ids else np.zeros((0, 3), np.intp),
    )
