"""Loss histories stay bounded in memory and keep their shape over very long runs."""

import numpy as np

from gui.series import GrowingSeries


def test_a_long_run_is_thinned_to_a_bounded_size_keeping_the_newest_entry():
    series = GrowingSeries(3, max_entries=1000)
    for start in range(0, 100_000, 250):
        epochs = np.arange(start, start + 250) + 1
        series.extend(epochs, 1.0 / epochs, 2.0 / epochs)
    assert series.size <= 1000
    epochs = series.column(0)
    assert epochs[0] == 1 and epochs[-1] == 100_000
    assert np.all(np.diff(epochs) > 0)
    np.testing.assert_allclose(series.column(1), 1.0 / epochs)
    assert series.generation > 0


def test_clear_starts_over():
    series = GrowingSeries(2)
    series.extend(np.arange(5.0), np.arange(5.0))
    generation = series.generation
    series.clear()
    assert series.size == 0 and series.generation == generation + 1
