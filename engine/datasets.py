"""Data set generators, all with one signature: ``(n, noise, rng) -> (points, labels)``.

The classification sets follow TensorFlow Playground's formulas and noise semantics
(noise from 0 to 0.5; its slider shows 0 to 50): points lie in about [-6, 6]^2; for
circle and xor noise jitters the point used to decide the label, so labels flip near the
border; gauss noise widens the two clouds; spiral noise moves the points. Labels are class
ids 0 and 1 (Playground's -1 and +1). Regression sets give a value in [-1, 1].
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from engine.errors import EngineError

Generator = Callable[[int, float, np.random.Generator], tuple[np.ndarray, np.ndarray]]


def circle(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Class 1 inside a disc of radius 2.5, class 0 in a ring from 3.5 to 5."""
    radius = 5.0
    inner = n // 2
    r = np.concatenate([
        rng.uniform(0.0, radius * 0.5, inner), rng.uniform(radius * 0.7, radius, n - inner)
    ])
    angle = rng.uniform(0.0, 2 * np.pi, n)
    points = np.column_stack([r * np.sin(angle), r * np.cos(angle)])
    jitter = rng.uniform(-radius, radius, (n, 2)) * noise
    labels = (np.hypot(*(points + jitter).T) < radius * 0.5).astype(np.int64)
    return points, labels


def xor(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Four quadrants, class 1 where x1 and x2 share a sign, with a gap along the axes."""
    points = rng.uniform(-5.0, 5.0, (n, 2))
    points += np.where(points > 0, 0.3, -0.3)
    jitter = rng.uniform(-5.0, 5.0, (n, 2)) * noise
    moved = points + jitter
    labels = (moved[:, 0] * moved[:, 1] >= 0).astype(np.int64)
    return points, labels


def gauss(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Two Gaussian clouds around (2, 2) and (-2, -2); noise widens them."""
    variance = 0.5 + np.clip(noise, 0.0, 0.5) / 0.5 * 3.5
    half = n // 2
    centers = np.repeat([[2.0, 2.0], [-2.0, -2.0]], [half, n - half], axis=0)
    points = centers + rng.normal(0.0, np.sqrt(variance), (n, 2))
    labels = np.repeat([1, 0], [half, n - half]).astype(np.int64)
    return points, labels


def spiral(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaved spirals; noise moves each point by up to ``noise`` in x and y."""
    half = n // 2
    parts = []
    for count, turn in ((half, 0.0), (n - half, np.pi)):
        i = np.arange(count) / max(count, 1)
        r = i * 5.0
        t = 1.75 * i * 2 * np.pi + turn
        xy = np.column_stack([r * np.sin(t), r * np.cos(t)])
        parts.append(xy + rng.uniform(-1.0, 1.0, (count, 2)) * noise)
    labels = np.repeat([1, 0], [half, n - half]).astype(np.int64)
    return np.concatenate(parts), labels


def moons(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles, scaled to fill the plane; noise is Gaussian jitter."""
    half = n // 2
    t_upper = rng.uniform(0.0, np.pi, half)
    t_lower = rng.uniform(0.0, np.pi, n - half)
    upper = np.column_stack([np.cos(t_upper), np.sin(t_upper)])
    lower = np.column_stack([1.0 - np.cos(t_lower), 0.5 - np.sin(t_lower)])
    points = (np.concatenate([upper, lower]) - [0.5, 0.25]) * 3.0
    points += rng.normal(0.0, 1.0, (n, 2)) * noise * 2.0
    labels = np.repeat([1, 0], [half, n - half]).astype(np.int64)
    return points, labels


def plane(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Regression: value (x1 + x2) / 10 over the plane; noise jitters the point measured."""
    points = rng.uniform(-6.0, 6.0, (n, 2))
    moved = points + rng.uniform(-6.0, 6.0, (n, 2)) * noise
    return points, np.clip((moved[:, 0] + moved[:, 1]) / 10.0, -1.0, 1.0)


_BUMPS = np.array([[-4, 2.5, 1], [0, 2.5, -1], [4, 2.5, 1], [-4, -2.5, -1], [0, -2.5, 1], [4, -2.5, -1]])


def multigauss(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Regression: six bumps of value +1 or -1, each falling to 0 at distance 2."""
    points = rng.uniform(-6.0, 6.0, (n, 2))
    moved = points + rng.uniform(-6.0, 6.0, (n, 2)) * noise
    dist = np.hypot(moved[:, None, 0] - _BUMPS[:, 0], moved[:, None, 1] - _BUMPS[:, 1])
    values = _BUMPS[:, 2] * np.clip(1.0 - dist / 2.0, 0.0, 1.0)
    strongest = np.abs(values).argmax(axis=1)
    return points, values[np.arange(n), strongest]


CLASSIFICATION_PRESETS: dict[str, Generator] = {
    "circle": circle, "xor": xor, "gauss": gauss, "spiral": spiral, "moons": moons,
}
REGRESSION_PRESETS: dict[str, Generator] = {"plane": plane, "multigauss": multigauss}
PRESETS: dict[str, Generator] = {**CLASSIFICATION_PRESETS, **REGRESSION_PRESETS}


def generate(name: str, n: int = 500, noise: float = 0.0, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Points (n, 2) and labels (n,) from preset ``name``, reproducible from ``seed``."""
    if name not in PRESETS:
        raise EngineError(f"unknown preset {name!r} (known: {', '.join(PRESETS)})")
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise EngineError(f"point count must be a positive integer, got {n!r}")
    if not 0.0 <= float(noise) <= 0.5:
        raise EngineError(f"noise must be between 0 and 0.5, got {noise!r}")
    return PRESETS[name](int(n), float(noise), np.random.default_rng(seed))


def split(
    points: np.ndarray, labels: np.ndarray, train_ratio: float = 0.5, seed: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Seeded shuffle, then (train_points, train_labels, test_points, test_labels)."""
    if not 0.0 < float(train_ratio) <= 1.0:
        raise EngineError(f"train ratio must be in (0, 1], got {train_ratio!r}")
    n = len(points)
    # A stream of its own: seeded like the generator, the split would follow the data's own draws.
    order = np.random.default_rng((seed, 1)).permutation(n)
    n_train = max(1, int(round(n * train_ratio))) if n else 0
    train, test = order[:n_train], order[n_train:]
    return points[train], labels[train], points[test], labels[test]
