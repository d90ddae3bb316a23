"""The layer-space view's engine: positions against net.activations, principal directions
against numpy's SVD, the activation ranges, the step layer's corners and the output's
decision line in the last hidden layer."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

from engine import EngineError, Network
from engine.features import transform
from engine.layer_space import (
    MAX_SPACE_POINTS,
    LiveSpace,
    SpaceChoice,
    grid_lines,
    layer_space,
    most_varied,
    neuron_name,
    principal_directions,
)
from engine.maps import Bounds

FEATURES = ["x1", "x2", "x1sq"]


def _points(n: int = 60, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    points = rng.uniform(-5, 5, (n, 2))
    return points, (points[:, 0] > 0).astype(np.int64), np.arange(n) % 3 == 0


def _space(net: Network, choice: SpaceChoice, features=FEATURES, n: int = 60):
    points, labels, test = _points(n)
    return layer_space(net, features, Bounds(), choice, points, labels, test), points


def test_positions_are_the_layer_activations_for_points_and_grid():
    net = Network([3, 5, 2, 1], "tanh", seed=1)
    space, points = _space(net, SpaceChoice(layer=2))
    acts = net.activations(transform(points, FEATURES))[2]
    np.testing.assert_allclose(space.points, acts, rtol=1e-5, atol=1e-6)
    lines = grid_lines(Bounds())
    grid_acts = net.activations(transform(lines.reshape(-1, 2), FEATURES))[2]
    np.testing.assert_allclose(space.grid.reshape(-1, 2), grid_acts, rtol=1e-5, atol=1e-6)
    assert space.grid.shape == (42, lines.shape[1], 2) and lines.shape[1] >= 60
    assert space.neurons == (0, 1) and space.exact and space.title == "neurons 1 and 2"
    assert space.axis_labels == ("a₁² (−1, 1)", "a₂² (−1, 1)")


def test_grid_lines_cover_the_visible_square():
    lines = grid_lines(Bounds(-6, 6), lines=21, samples=81)
    horizontal, vertical = lines[:21], lines[21:]
    assert np.all(horizontal[:, :, 1] == horizontal[:, :1, 1])  # constant y along a line
    assert np.all(vertical[:, :, 0] == vertical[:, :1, 0])
    assert lines.min() == -6 and lines.max() == 6
    np.testing.assert_allclose(horizontal[:, 0, 1], np.linspace(-6, 6, 21))


def test_three_neurons_default_to_the_two_most_varied_and_obey_a_choice():
    net = Network([3, 4, 1], "sigmoid", seed=2)
    space, points = _space(net, SpaceChoice(layer=1))
    acts = net.activations(transform(points, FEATURES))[1]
    expected = tuple(sorted(np.argsort(-acts.var(axis=0), kind="stable")[:2]))
    assert space.neurons == expected == most_varied(acts)
    np.testing.assert_allclose(space.points, acts[:, list(expected)], rtol=1e-5, atol=1e-6)
    assert space.title == f"neurons {expected[0] + 1} and {expected[1] + 1}"
    chosen, _ = _space(net, SpaceChoice(layer=1, neurons=(3, 1)))
    assert chosen.neurons == (1, 3) and chosen.title == "neurons 2 and 4"
    np.testing.assert_allclose(chosen.points, acts[:, [1, 3]], rtol=1e-5, atol=1e-6)
    assert chosen.axis_labels[1] == "a₄¹ (0, 1)"
    assert not chosen.exact and "slice" in chosen.note


def test_principal_directions_match_numpys_svd():
    net = Network([3, 6, 1], "relu", seed=3)
    space, points = _space(net, SpaceChoice(layer=1, pca=True), n=200)
    acts = net.activations(transform(points, FEATURES))[1]
    centred = acts - acts.mean(axis=0)
    _, singular, vt = np.linalg.svd(centred, full_matrices=False)
    expected = centred @ vt[:2].T
    signs = np.sign(np.sum(space.points * expected, axis=0))  # SVD's signs are arbitrary
    np.testing.assert_allclose(space.points, expected * signs, rtol=1e-4, atol=1e-5)
    share = singular[:2] ** 2 / np.sum(singular**2)
    assert f"{100 * share.sum():.0f}% of the variance" in space.title
    assert space.title.startswith("principal directions 1 and 2") and space.pca and space.neurons == ()
    assert all("principal direction" in label for label in space.axis_labels)
    mean, basis, got_share = principal_directions(acts)
    np.testing.assert_allclose(basis.T @ basis, np.eye(2), atol=1e-10)
    np.testing.assert_allclose(got_share, share)
    np.testing.assert_allclose(mean, acts.mean(axis=0))


def test_principal_directions_keep_their_sign():
    acts = np.random.default_rng(0).normal(size=(50, 4))
    _, basis, _ = principal_directions(acts)
    _, flipped, _ = principal_directions(-acts)  # the same directions; the SVD may flip them
    np.testing.assert_allclose(basis, flipped, atol=1e-10)
    assert all(basis[np.argmax(np.abs(basis[:, j])), j] > 0 for j in range(2))


def test_a_one_neuron_layer_is_a_strip():
    net = Network([3, 1, 1], "tanh", seed=4)
    space, points = _space(net, SpaceChoice(layer=1, pca=True))  # PCA of one neuron is the neuron
    assert space.points.shape == (60, 1) and space.grid.shape[2] == 1 and not space.pca
    np.testing.assert_allclose(space.points[:, 0], net.activations(transform(points, FEATURES))[1][:, 0],
                               rtol=1e-5, atol=1e-6)
    assert space.title == "neuron 1" and space.extent[2:] == (0.0, 1.0)
    assert space.regions.shape[0] == 1 and space.exact
    u, v, c = space.decision  # a threshold on the strip
    assert v == 0.0
    predicted = net.predict(transform(points, FEATURES))
    np.testing.assert_array_equal(u * space.points[:, 0] + c > 0, predicted == 1)


@pytest.mark.parametrize(
    "activation, low, high",
    [("sigmoid", 0.0, 1.0), ("tanh", -1.0, 1.0), ("relu", 0.0, np.inf), ("linear", -np.inf, np.inf)],
)
def test_positions_lie_in_the_activations_range(activation, low, high):
    net = Network([3, 3, 1], activation, seed=5)
    space, _ = _space(net, SpaceChoice(layer=1))
    for coords in (space.points, space.grid.reshape(-1, 2)):
        assert np.all(coords >= low) and np.all(coords <= high)
    if np.isfinite(low) and np.isfinite(high):  # the view shows the whole range
        x0, x1, y0, y1 = space.extent
        assert x0 < low < high < x1 and y0 < low < high < y1
    else:  # the view holds every position
        x0, x1, y0, y1 = space.extent
        grid = space.grid.reshape(-1, 2)
        assert x0 <= grid[:, 0].min() and grid[:, 0].max() <= x1
    assert space.corners is None and not np.any(np.isnan(space.grid))


def test_a_step_layer_collapses_the_plane_onto_corners():
    net = Network([3, 3, 2, 1], ["step", "tanh"], seed=6)
    space, _ = _space(net, SpaceChoice(layer=1, neurons=(0, 2)))
    assert set(np.unique(space.points)) <= {0.0, 1.0}
    corners = space.corners
    assert corners is not None and set(np.unique(corners[:, :2])) <= {0.0, 1.0}
    assert len(corners) <= 4 and np.isclose(corners[:, 2].sum(), 1.0)
    finite = space.grid[np.all(np.isfinite(space.grid), axis=2)]
    assert set(np.unique(finite)) <= {0.0, 1.0}
    # Each line is cut where it jumps: no drawn segment joins two different corners.
    segments = np.stack([space.grid[:, :-1], space.grid[:, 1:]], axis=2)
    drawn = np.all(np.isfinite(segments), axis=(2, 3))
    assert np.all(segments[drawn][:, 0] == segments[drawn][:, 1])
    assert np.any(np.isnan(space.grid))
    above = layer_space(net, FEATURES, Bounds(), SpaceChoice(layer=2), *_points())
    assert above.corners is not None  # a layer above a step layer takes a few values too
    assert space.axis_labels[0] == "a₁¹ {0, 1}"


def test_the_decision_line_is_straight_and_exact_in_a_two_neuron_last_layer():
    net = Network([3, 4, 2, 1], "tanh", seed=7)
    points, labels, test = _points(300)
    space = layer_space(net, FEATURES, Bounds(), SpaceChoice(layer=2), points, labels, test)
    u, v, c = space.decision
    predicted = net.predict(transform(points, FEATURES))
    side = u * space.points[:, 0] + v * space.points[:, 1] + c > 0
    np.testing.assert_array_equal(side, predicted == 1)
    assert space.exact and space.regions.shape == (64, 64, 3) and "straight" in space.note
    lower = layer_space(net, FEATURES, Bounds(), SpaceChoice(layer=1), points, labels, test)
    assert lower.regions is None and lower.decision is None  # only the last hidden layer


def test_multiclass_and_regression_get_regions_but_no_line():
    net = Network([3, 2, 4], "tanh", task="multiclass", seed=8)
    space, _ = _space(net, SpaceChoice(layer=1))
    assert space.regions is not None and space.decision is None
    assert len(np.unique(space.regions.reshape(-1, 3), axis=0)) > 1
    net = Network([3, 2, 1], "tanh", task="regression", seed=8)
    space, _ = _space(net, SpaceChoice(layer=1))
    assert space.regions is not None and space.decision is None


def test_large_data_is_thinned_evenly_with_its_labels():
    net = Network([3, 2, 1], "tanh", seed=9)
    points, labels, test = _points(MAX_SPACE_POINTS * 3)
    space = layer_space(net, FEATURES, Bounds(), SpaceChoice(layer=1), points, labels, test)
    assert len(space.points) == len(space.labels) == len(space.test) == MAX_SPACE_POINTS
    assert space.labels[0] == labels[0] and space.labels[-1] == labels[-1]


def test_no_points_still_shows_the_grid():
    net = Network([3, 4, 1], "tanh", seed=10)
    empty = np.zeros((0, 2))
    space = layer_space(net, FEATURES, Bounds(), SpaceChoice(layer=1, pca=True), empty,
                        np.zeros(0, np.int64), np.zeros(0, bool))
    assert space.points.shape == (0, 2) and np.all(np.isfinite(space.grid))


def test_bad_choices_are_refused_by_name():
    net = Network([3, 4, 1], "tanh")
    with pytest.raises(EngineError, match="hidden layer 2 does not exist"):
        _space(net, SpaceChoice(layer=2))
    with pytest.raises(EngineError, match="two different neurons"):
        _space(net, SpaceChoice(layer=1, neurons=(1, 1)))
    with pytest.raises(EngineError, match="two different neurons"):
        _space(net, SpaceChoice(layer=1, neurons=(0, 4)))


def test_neuron_names_use_sub_and_superscripts():
    assert neuron_name(1, 1) == "a₁¹" and neuron_name(12, 10) == "a₁₀¹²"


def test_the_live_state_pins_the_default_axes_for_a_run():
    live = LiveSpace()
    net = Network([3, 5, 1], "tanh", seed=11)
    points, labels, test = _points()
    assert live.compute(net, FEATURES, Bounds(), points, labels, test, run=1) is None  # nothing chosen
    live.choose(SpaceChoice(layer=1))
    first = live.compute(net, FEATURES, Bounds(), points, labels, test, run=1)
    chosen = first.neurons
    others = [j for j in range(5) if j not in chosen]
    net.weights[0][:, others[0]] *= 50  # now another neuron varies most
    net.biases[0][others[0]] = 0.0
    assert most_varied(net.activations(transform(points, FEATURES))[1]) != chosen
    assert live.compute(net, FEATURES, Bounds(), points, labels, test, run=1).neurons == chosen
    again = live.compute(net, FEATURES, Bounds(), points, labels, test, run=2)  # new weights: new default
    assert again.neurons == most_varied(net.activations(transform(points, FEATURES))[1])
    live.choose(SpaceChoice(layer=2))
    assert live.compute(net, FEATURES, Bounds(), points, labels, test, run=2) is None  # no such layer
    live.choose(SpaceChoice(layer=1, neurons=(3, 4)))
    small = Network([3, 3, 1], "tanh", seed=11)  # the layer shrank: the default axes instead
    assert live.compute(small, FEATURES, Bounds(), points, labels, test, run=3).neurons == most_varied(
        small.activations(transform(points, FEATURES))[1])
    with pytest.raises(EngineError, match="count from 1"):
        live.choose(SpaceChoice(layer=0))


def test_the_live_session_computes_the_space_only_while_asked():
    from engine.commands import ApplyArchitecture, SetData, ShowSpace, Step
    from engine.config import Architecture
    from engine.datasets import generate
    from engine.live import LiveSession

    session = LiveSession(seed=0)
    session.handle(1, ApplyArchitecture(Architecture(hidden=(3, 2), activations=("tanh", "tanh"))))
    points, labels = generate("circle", 200, 0.0, 0)
    session.handle(2, SetData(points, labels, np.arange(200) % 2 == 0, (-6.0, 6.0)))
    assert session.snapshot().layer_space is None  # the view is closed: nothing is computed
    session.handle(3, ShowSpace(SpaceChoice(layer=2)))
    snap = pickle.loads(pickle.dumps(session.snapshot()))  # it crosses the pipe to the window
    space = snap.layer_space
    assert space.layer == 2 and len(space.points) == 200 and space.decision is not None
    expected = session.net.activations(transform(points, ["x1", "x2"]))[2]
    np.testing.assert_allclose(space.points, expected, atol=1e-4)
    np.testing.assert_array_equal(space.labels, labels)
    session.handle(4, Step(5))
    assert not np.allclose(session.snapshot().layer_space.points, space.points)  # it follows training
    session.handle(5, ShowSpace(SpaceChoice(layer=0)))
    assert session.message.startswith("ShowSpace: hidden layers count from 1")
    assert session.snapshot().layer_space.layer == 2  # the refused choice changed nothing
    session.handle(6, ApplyArchitecture(Architecture(hidden=(4,), activations=("tanh",))))
    assert session.snapshot().layer_space is None and session.message == ""  # layer 2 is gone
    session.handle(7, ShowSpace(SpaceChoice(layer=1)))
    assert session.snapshot().layer_space.size == 4
    session.handle(8, ShowSpace(None))
    assert session.snapshot().layer_space is None
