"""Append-only numeric series for live curves."""

from __future__ import annotations

import numpy as np


class GrowingSeries:
    """Append-only float arrays with amortised doubling (epochs, train, test)."""

    def __init__(self, columns: int = 3) -> None:
        self._data = np.empty((columns, 1024))
        self.size = 0

    @property
    def columns(self) -> int:
        """How many columns each entry has."""
        return self._data.shape[0]

    def clear(self) -> None:
        """Forget every value."""
        self.size = 0

    def extend(self, *columns: np.ndarray) -> None:
        """Append one array per column (all the same length)."""
        k = len(columns[0])
        if self.size + k > self._data.shape[1]:
            grown = np.empty((self._data.shape[0], max(2 * self._data.shape[1], self.size + k)))
            grown[:, : self.size] = self._data[:, : self.size]
            self._data = grown
        for row, values in enumerate(columns):
            self._data[row, self.size : self.size + k] = values
        self.size += k

    def column(self, row: int) -> np.ndarray:
        """A read-only view of one column's values so far."""
        view = self._data[row, : self.size]
        view.flags.writeable = False
        return view
