"""Data set generators (shapes, labels, range, seeding, noise semantics), the split,
and the input features."""

from __future__ import annotations

import numpy as np
import pytest

from engine import (
    CLASSIFICATION_PRESETS,
    PRESETS,
    REGRESSION_PRESETS,
    EngineError,
    generate,
    split,
    transform,
)
from engine.features import FEATURES

ALL = ["circle", "xor", "gauss", "spiral", "moons", "plane", "multigauss"]


def test_every_preset_is_registered() -> None:
    assert set(PRESETS) == set(ALL)
    assert set(CLASSIFICATION_PRESETS) == {"circle", "xor", "gauss", "spiral", "moons"}
    assert set(REGRESSION_PRESETS) == {"plane", "multigauss"}


@pytest.mark.parametrize("noise", [0.0, 0.25, 0.5])
@pytest.mark.parametrize("n", [1, 7, 500])
@pytest.mark.parametrize("name", ALL)
def test_shapes_and_label_values(name: str, n: int, noise: float) -> None:
    points, labels = generate(name, n, noise, seed=3)
    assert points.shape == (n, 2) and points.dtype == np.float64
    assert labels.shape == (n,)
    assert np.all(np.isfinite(points))
    if name in CLASSIFICATION_PRESETS:
        assert np.issubdtype(labels.dtype, np.integer)
        assert set(np.unique(labels)) <= {0, 1}
        if n == 500:
            assert set(np.unique(labels)) == {0, 1}
    else:
        assert labels.dtype == np.float64
        assert np.all((labels >= -1.0) & (labels <= 1.0))
        if n == 500:
            assert labels.min() < -0.5 and labels.max() > 0.5


@pytest.mark.parametrize("name", ALL)
def test_same_seed_same_data_different_seed_different_data(name: str) -> None:
    a_points, a_labels = generate(name, 200, 0.2, seed=11)
    b_points, b_labels = generate(name, 200, 0.2, seed=11)
    assert np.array_equal(a_points, b_points) and np.array_equal(a_labels, b_labels)
    c_points, _ = generate(name, 200, 0.2, seed=12)
    assert not np.array_equal(a_points, c_points)


@pytest.mark.parametrize("noise", [0.0, 0.5])
@pytest.mark.parametrize("name", ["circle", "xor", "spiral", "plane", "multigauss"])
def test_points_stay_in_the_playground_square(name: str, noise: float) -> None:
    points, _ = generate(name, 500, noise, seed=0)
    assert np.abs(points).max() <= 6.0
    assert np.abs(points).max() > 4.0  # and they fill it, not a corner of it


@pytest.mark.parametrize("name", ["gauss", "moons"])
def test_gaussian_presets_stay_in_the_square_without_noise_and_mostly_with_it(name: str) -> None:
    quiet, _ = generate(name, 500, 0.0, seed=0)
    assert np.abs(quiet).max() <= 6.0
    loud, _ = generate(name, 500, 0.5, seed=0)
    assert np.mean(np.all(np.abs(loud) <= 6.0, axis=1)) >= 0.95
    assert np.abs(loud).max() < 15.0


def test_circle_without_noise_is_a_disc_inside_a_ring() -> None:
    points, labels = generate("circle", 500, 0.0, seed=4)
    radius = np.hypot(points[:, 0], points[:, 1])
    np.testing.assert_array_equal(labels, (radius < 2.5).astype(int))
    assert radius[labels == 1].max() <= 2.5
    assert radius[labels == 0].min() >= 3.5 and radius[labels == 0].max() <= 5.0
    assert np.sum(labels == 1) == 250


def test_xor_without_noise_labels_by_the_sign_of_the_product() -> None:
    points, labels = generate("xor", 500, 0.0, seed=4)
    np.testing.assert_array_equal(labels, (points[:, 0] * points[:, 1] > 0).astype(int))
    assert np.abs(points).min() >= 0.3  # the gap along the axes


@pytest.mark.parametrize("name", ["circle", "xor"])
def test_circle_and_xor_noise_flips_labels_and_never_moves_points(name: str) -> None:
    quiet_points, quiet_labels = generate(name, 500, 0.0, seed=6)
    flipped = []
    for noise in (0.1, 0.5):
        points, labels = generate(name, 500, noise, seed=6)
        np.testing.assert_array_equal(points, quiet_points)
        flipped.append(np.mean(labels != quiet_labels))
    assert 0 < flipped[0] < flipped[1] < 0.5


def test_gauss_noise_widens_the_clouds_around_fixed_centres() -> None:
    spreads = []
    for noise in (0.0, 0.25, 0.5):
        points, labels = generate("gauss", 2000, noise, seed=0)
        np.testing.assert_allclose(points[labels == 1].mean(axis=0), [2.0, 2.0], atol=0.25)
        np.testing.assert_allclose(points[labels == 0].mean(axis=0), [-2.0, -2.0], atol=0.25)
        spreads.append(points[labels == 1].std())
    # Playground's variance runs linearly from 0.5 (noise 0) to 4 (noise 0.5).
    np.testing.assert_allclose(spreads, np.sqrt([0.5, 2.25, 4.0]), rtol=0.06)


def test_spiral_noise_moves_points_by_at_most_the_noise_and_keeps_labels() -> None:
    quiet_points, quiet_labels = generate("spiral", 500, 0.0, seed=0)
    points, labels = generate("spiral", 500, 0.3, seed=0)
    np.testing.assert_array_equal(labels, quiet_labels)
    moved = np.abs(points - quiet_points)
    assert moved.max() <= 0.3 and moved.max() > 0.2
    # Without noise each arm's radius grows evenly from 0 to 5.
    radius = np.hypot(quiet_points[:250, 0], quiet_points[:250, 1])
    np.testing.assert_allclose(radius, np.arange(250) / 250 * 5.0, atol=1e-12)


def test_moons_are_two_equal_interleaved_halves() -> None:
    points, labels = generate("moons", 400, 0.0, seed=0)
    assert np.sum(labels == 1) == np.sum(labels == 0) == 200
    upper, lower = points[labels == 1], points[labels == 0]
    assert upper[:, 1].mean() > lower[:, 1].mean()
    assert upper[:, 0].mean() < lower[:, 0].mean()


def test_plane_without_noise_is_the_scaled_sum_of_the_coordinates() -> None:
    points, values = generate("plane", 500, 0.0, seed=0)
    np.testing.assert_allclose(values, np.clip((points[:, 0] + points[:, 1]) / 10.0, -1, 1), atol=1e-15)


def test_multigauss_peaks_at_its_bumps_and_is_zero_between() -> None:
    points, values = generate("multigauss", 4000, 0.0, seed=0)
    near = lambda x, y: np.hypot(points[:, 0] - x, points[:, 1] - y) < 0.3  # noqa: E731
    assert np.all(values[near(-4, 2.5)] > 0.8) and np.all(values[near(0, 2.5)] < -0.8)
    assert np.all(values[near(0, -2.5)] > 0.8) and np.all(values[near(4, -2.5)] < -0.8)
    assert np.all(values[np.abs(points[:, 1]) < 0.4] == 0.0)


@pytest.mark.parametrize(
    "args", [("torus", 10, 0.0), ("circle", 0, 0.0), ("circle", -5, 0.0), ("circle", 2.5, 0.0),
             ("circle", True, 0.0), ("circle", 10, -0.1), ("circle", 10, 0.6)]
)
def test_bad_generator_arguments_raise_engine_error(args) -> None:
    with pytest.raises(EngineError):
        generate(*args)


# -------------------------------------------------------------------------- split
def test_split_partitions_the_data_and_keeps_pairs_together() -> None:
    points = np.arange(40, dtype=float).reshape(20, 2)
    labels = np.arange(20)
    train_p, train_l, test_p, test_l = split(points, labels, 0.7, seed=1)
    assert len(train_p) == 14 and len(test_p) == 6
    np.testing.assert_array_equal(train_p[:, 0], 2 * train_l)
    np.testing.assert_array_equal(test_p[:, 0], 2 * test_l)
    assert sorted(np.concatenate([train_l, test_l]).tolist()) == list(range(20))
    assert not np.array_equal(train_l, np.arange(14))  # shuffled


def test_split_is_seeded() -> None:
    points, labels = generate("circle", 100, 0.0, seed=0)
    first = split(points, labels, 0.5, seed=3)
    assert all(np.array_equal(a, b) for a, b in zip(first, split(points, labels, 0.5, seed=3), strict=True))
    assert not np.array_equal(first[1], split(points, labels, 0.5, seed=4)[1])


def test_split_with_ratio_one_trains_on_everything() -> None:
    points, labels = generate("xor", 30, 0.0, seed=0)
    train_p, _, test_p, test_l = split(points, labels, 1.0)
    assert len(train_p) == 30 and len(test_p) == 0 and len(test_l) == 0


@pytest.mark.parametrize("ratio", [0.0, -0.5, 1.5])
def test_split_rejects_ratios_outside_zero_to_one(ratio: float) -> None:
    with pytest.raises(EngineError):
        split(np.zeros((4, 2)), np.zeros(4), ratio)


# ----------------------------------------------------------------------- features
def test_transform_computes_the_seven_playground_features_in_the_order_given() -> None:
    points = np.array([[1.5, -2.0], [0.0, 3.0]])
    x1, x2 = points.T
    expected = {
        "x1": x1, "x2": x2, "x1sq": x1**2, "x2sq": x2**2, "x1x2": x1 * x2,
        "sinx1": np.sin(x1), "sinx2": np.sin(x2),
    }
    assert set(FEATURES) == set(expected)
    names = ["sinx2", "x1x2", "x1", "x2sq", "sinx1", "x2", "x1sq"]
    np.testing.assert_array_equal(transform(points, names), np.column_stack([expected[n] for n in names]))
    np.testing.assert_array_equal(transform(points), points)
    assert transform(points, ["x1"], np.float32).dtype == np.float32


@pytest.mark.parametrize("names", [[], ["x3"], ["x1", "x1"], ["X1"]])
def test_transform_rejects_unknown_missing_or_repeated_features(names) -> None:
    with pytest.raises(EngineError):
        transform(np.zeros((3, 2)), names)
