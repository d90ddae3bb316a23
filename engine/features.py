"""Input features computed from a point (x1, x2): TensorFlow Playground's seven."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from numpy.typing import DTypeLike

from engine.errors import EngineError

FEATURES: dict[str, Callable[[np.ndarray, np.ndarray], np.ndarray]] = {
    "x1": lambda x1, x2: x1,
    "x2": lambda x1, x2: x2,
    "x1sq": lambda x1, x2: x1 * x1,
    "x2sq": lambda x1, x2: x2 * x2,
    "x1x2": lambda x1, x2: x1 * x2,
    "sinx1": lambda x1, x2: np.sin(x1),
    "sinx2": lambda x1, x2: np.sin(x2),
}
LABELS = {
    "x1": "x₁", "x2": "x₂", "x1sq": "x₁²", "x2sq": "x₂²",
    "x1x2": "x₁x₂", "sinx1": "sin x₁", "sinx2": "sin x₂",
}
DEFAULT_FEATURES = ("x1", "x2")


def check_features(names: Sequence[str]) -> list[str]:
    """Validate a feature list: known names, at least one, no repeats."""
    names = list(names)
    if not names:
        raise EngineError("at least one input feature is needed")
    for name in names:
        if name not in FEATURES:
            raise EngineError(f"unknown feature {name!r} (known: {','.join(FEATURES)})")
    if len(set(names)) != len(names):
        raise EngineError("each feature may be used once")
    return names


def transform(points: np.ndarray, names: Sequence[str] = DEFAULT_FEATURES,
              dtype: DTypeLike = np.float64) -> np.ndarray:
    """Points (n, 2) -> features (n, len(names)), in the order given."""
    names = check_features(names)
    points = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    x1, x2 = points[:, 0], points[:, 1]
    out = np.empty((len(points), len(names)), dtype)
    for j, name in enumerate(names):
        out[:, j] = FEATURES[name](x1, x2)
    return out
