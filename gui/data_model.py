"""The user's points: positions, labels and which ones are held out for testing.

Each point carries a fixed random key in [0, 1); it is a test point when its key is at
least the train ratio. So adding or deleting one point never moves another between the
training and test sets, and a ratio change splits the same points the same way each time.
Every change goes through ``_replace``, which reports the state before it (``edited``) so
the window can offer undo; a brush stroke is grouped into one edit.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from PySide6.QtCore import QObject, Signal

from engine import datasets


@dataclass(frozen=True)
class DataState:
    """Everything the data model holds, for undo and for saving."""

    points: np.ndarray
    labels: np.ndarray
    keys: np.ndarray
    regression: bool
    train_ratio: float


class DataModel(QObject):
    """Points (n, 2), labels (n,) (class ids, or values for regression) and split keys (n,)."""

    # Emitted after any change of the points, labels or train ratio.
    changed = Signal()
    # Emitted after a user edit (or a whole grouped stroke) with the DataState before it.
    edited = Signal(object)

    def __init__(self, seed: int = 0, parent: QObject | None = None) -> None:
        super().__init__(parent)
        # Its own stream: keys drawn like a preset's first numbers would split by position.
        self._rng = np.random.default_rng((seed, 2))
        self.points = np.zeros((0, 2))
        self.labels = np.zeros(0)
        self.keys = np.zeros(0)
        self.train_ratio = 0.5
        self.regression = False
        self._grouping = 0
        self._group_before: DataState | None = None
        self._buffer: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None  # see _appended
        self._handed_out = 0

    # ------------------------------------------------------------------ reading
    def __len__(self) -> int:
        return len(self.points)

    @property
    def test_mask(self) -> np.ndarray:
        """(n,) True where a point is held out for testing."""
        return self.keys >= self.train_ratio

    def class_count(self) -> int:
        """The number of class ids in use (largest id + 1; at least 2)."""
        if self.regression or not len(self.labels):
            return 2
        return max(2, int(self.labels.max()) + 1)

    def nearest(self, x: float, y: float) -> int | None:
        """Index of the point nearest to (x, y), or None when there are no points."""
        if not len(self.points):
            return None
        return int(np.argmin(np.hypot(self.points[:, 0] - x, self.points[:, 1] - y)))

    # ------------------------------------------------------------------ editing
    def state(self) -> DataState:
        """The points as they are now (arrays are never changed in place, so this is a snapshot)."""
        return DataState(self.points, self.labels, self.keys, self.regression, self.train_ratio)

    def restore(self, state: DataState) -> None:
        """Put back a saved state (undo, redo, opening a session); not itself an edit."""
        self.points, self.labels, self.keys = state.points, state.labels, state.keys
        self.regression, self.train_ratio = state.regression, state.train_ratio
        self.changed.emit()

    def _replace(self, points: np.ndarray, labels: np.ndarray, keys: np.ndarray,
                 regression: bool | None = None) -> None:
        before = self.state()
        self.points, self.labels, self.keys = points, labels, keys
        if regression is not None:
            self.regression = regression
        self.changed.emit()
        if self._grouping:
            if self._group_before is None:
                self._group_before = before
        else:
            self.edited.emit(before)

    def begin_group(self) -> None:
        """Start an edit (such as one brush stroke) that undo treats as a single step."""
        if self._grouping == 0:
            self._group_before = None
        self._grouping += 1

    def end_group(self) -> None:
        """Finish the edit started by ``begin_group``."""
        self._grouping = max(0, self._grouping - 1)
        if self._grouping == 0 and self._group_before is not None:
            before, self._group_before = self._group_before, None
            self.edited.emit(before)

    def add(self, points: ArrayLike, labels: ArrayLike) -> None:
        """Append points (k, 2) with labels (k,)."""
        points = np.asarray(points, dtype=np.float64).reshape(-1, 2)
        labels = np.asarray(labels, dtype=np.float64).reshape(-1)
        keys = self._rng.random(len(points))
        self._replace(*self._appended(points, labels, keys))

    def _appended(self, points: np.ndarray, labels: np.ndarray,
                  keys: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The arrays with rows appended, as views of one growing buffer when possible.

        Every state the model ever handed out (and undo keeps) is a prefix view of the
        buffer, and rows are only ever written past the longest prefix handed out, so no
        state changes under its holder. A brush stroke on 100,000 points then costs memory
        for the new points only, not a copy of all of them per undo step.
        """
        n, k = len(self.points), len(points)
        buffer = self._buffer
        reusable = (buffer is not None and self.points.base is buffer[0] and n == self._handed_out
                    and n + k <= len(buffer[0]))
        if buffer is None or not reusable:
            capacity = max(64, 2 * (n + k))
            buffer = (np.empty((capacity, 2)), np.empty(capacity), np.empty(capacity))
            for target, source in zip(buffer, (self.points, self.labels, self.keys), strict=True):
                target[:n] = source
            self._buffer = buffer
        for target, source in zip(buffer, (points, labels, keys), strict=True):
            target[n : n + k] = source
        self._handed_out = n + k
        return buffer[0][: n + k], buffer[1][: n + k], buffer[2][: n + k]

    def delete(self, indices: ArrayLike) -> None:
        """Remove the points at ``indices``."""
        indices = np.asarray(indices, dtype=np.intp)
        if not len(indices):
            return
        keep = np.ones(len(self.points), dtype=bool)
        keep[indices] = False
        self._replace(self.points[keep], self.labels[keep], self.keys[keep])

    def delete_within(self, x: float, y: float, radius: float) -> None:
        """Remove every point within ``radius`` of (x, y)."""
        if len(self.points):
            near = np.hypot(self.points[:, 0] - x, self.points[:, 1] - y) <= radius
            self.delete(np.flatnonzero(near))

    def clear(self) -> None:
        """Remove every point."""
        if len(self.points):
            self._replace(np.zeros((0, 2)), np.zeros(0), np.zeros(0))

    def set_points(self, points: np.ndarray, labels: np.ndarray, regression: bool) -> None:
        """Replace all points (a preset or an opened file)."""
        points = np.asarray(points, dtype=np.float64).reshape(-1, 2)
        self._replace(points, np.asarray(labels, dtype=np.float64), self._rng.random(len(points)), regression)

    def relabel(self, labels: np.ndarray, regression: bool) -> None:
        """New labels for the same points (a task switch): positions and the train/test split stay."""
        self._replace(self.points, np.asarray(labels, dtype=np.float64), self.keys, regression)

    def generate(self, preset: str, n: int, noise: float, seed: int) -> None:
        """Replace all points with a generated data set."""
        points, labels = datasets.generate(preset, n, noise, seed)
        self.set_points(points, labels, preset in datasets.REGRESSION_PRESETS)

    def set_train_ratio(self, ratio: float) -> None:
        """Fraction of points used for training (the rest are test points)."""
        before = self.state()
        self.train_ratio = float(ratio)
        self.changed.emit()
        self.edited.emit(before)
