"""Append-only numeric series for live curves, bounded in memory however long training runs."""

from __future__ import annotations

import numpy as np

from engine import limits

MAX_ENTRIES = limits.MAX_SERIES_ENTRIES  # beyond this the series keeps every other entry (the curve's shape stays)


class GrowingSeries:
    """Columns of floats (e.g. epoch, train loss, test loss) that grow by appending.

    Storage doubles as needed up to ``max_entries``; then the older entries are thinned to
    every other one, so a run of millions of epochs costs a few megabytes and a redraw stays
    cheap. ``generation`` counts thinnings and clears, so a reader caching statistics of
    the values knows when to start over.
    """

    def __init__(self, columns: int = 3, max_entries: int = MAX_ENTRIES) -> None:
        self._data = np.empty((columns, 1024))
        self.size = 0
        self.max_entries = max_entries
        self.generation = 0

    @property
    def columns(self) -> int:
        """How many columns each entry has."""
        return self._data.shape[0]

    def clear(self) -> None:
        """Forget every value."""
        self.size = 0
        self.generation += 1

    def _thin(self) -> None:
        keep = np.arange(0, self.size, 2)
        if keep[-1] != self.size - 1:
            keep = np.append(keep, self.size - 1)  # the newest entry always stays
        self._data[:, : len(keep)] = self._data[:, keep]
        self.size = len(keep)
        self.generation += 1

    def extend(self, *columns: np.ndarray) -> None:
        """Append one array per column (all the same length)."""
        k = len(columns[0])
        while self.size + k > self.max_entries and self.size > 1:
            self._thin()
        if self.size + k > self._data.shape[1]:
            grown = np.empty((self._data.shape[0], max(2 * self._data.shape[1], self.size + k)))
            grown[:, : self.size] = self._data[:, : self.size]
            self._data = grown
        for row, values in enumerate(columns):
            self._data[row, self.size : self.size + k] = values
        self.size += k

    def replace_last(self, *values: float) -> None:
        """Overwrite the newest entry, one value per column (a re-measurement of the same moment)."""
        if not self.size:
            raise IndexError("the series is empty: nothing to replace")
        self._data[:, self.size - 1] = values
        self.generation += 1  # a reader's cached statistics may include the old values

    def column(self, row: int) -> np.ndarray:
        """A read-only view of one column's values so far."""
        view = self._data[row, : self.size]
        view.flags.writeable = False
        return view


class PositiveRange:
    """The smallest positive and the largest finite value in some columns of a ``GrowingSeries``,
    updated from the entries added since the last call only (a redraw stays cheap however long
    training runs); starts over when the series is another one, cleared or thinned."""

    def __init__(self) -> None:
        self._state: tuple[GrowingSeries | None, int, int, float, float] = (None, -1, 0, np.inf, -np.inf)

    def update(self, series: GrowingSeries, columns: tuple[int, ...]) -> tuple[float, float] | None:
        """(low, high) over ``columns`` so far, or None while there is no positive value."""
        seen_series, generation, seen, low, high = self._state
        if seen_series is not series or generation != series.generation or seen > series.size:
            seen, low, high = 0, np.inf, -np.inf
        if series.size > seen:
            values = np.concatenate([series.column(c)[seen:] for c in columns])
            values = values[np.isfinite(values) & (values > 0)]
            if len(values):
                low, high = min(low, float(values.min())), max(high, float(values.max()))
        self._state = (series, series.generation, series.size, low, high)
        return (low, high) if low <= high else None
