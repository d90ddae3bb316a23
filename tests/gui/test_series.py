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


def test_appending_points_shares_memory_and_never_changes_a_saved_state(qtbot):
    from gui.data_model import DataModel

    model = DataModel(seed=1)
    model.add([[0.0, 0.0]], [0.0])
    states = [model.state()]
    for i in range(1, 50):
        model.add([[float(i), float(-i)]], [float(i % 2)])
        states.append(model.state())
    assert np.shares_memory(states[10].points, states[40].points)  # no copy per added point
    model.restore(states[20])  # an undo, then a different edit: the later states must stay intact
    model.add([[99.0, 99.0]], [1.0])
    for i, state in enumerate(states):
        assert len(state.points) == i + 1
        np.testing.assert_array_equal(state.points[:, 0], np.arange(i + 1))
    np.testing.assert_array_equal(model.points[-1], [99.0, 99.0])
    assert len(model.points) == 22
