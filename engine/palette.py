"""Colours shared by the window and the headless plot: plain numpy lookup tables.

Class colours come from the Okabe–Ito palette, chosen to stay distinguishable for
colour-blind readers; two classes use its orange and blue, as TensorFlow Playground does.
"""

from __future__ import annotations

import numpy as np

CLASS_COLORS = np.array(
    [
        (230, 159, 0),  # orange
        (0, 114, 178),  # blue
        (0, 158, 115),  # bluish green
        (204, 121, 167),  # reddish purple
        (213, 94, 0),  # vermillion
        (86, 180, 233),  # sky blue
    ],
    dtype=np.uint8,
)
WHITE = np.array([255, 255, 255], dtype=np.float64)
BACKGROUND_STRENGTH = 0.55  # how far the map leans from white toward a class colour


def diverging_lut(n: int = 256, strength: float = BACKGROUND_STRENGTH) -> np.ndarray:
    """(n, 3) uint8 table from orange (0) through white (middle) to blue (n - 1)."""
    t = np.linspace(-1.0, 1.0, n)[:, None]
    orange, blue = CLASS_COLORS[0].astype(float), CLASS_COLORS[1].astype(float)
    toward = np.where(t < 0, orange, blue)
    weight = np.abs(t) * strength
    lut: np.ndarray = np.round(WHITE * (1 - weight) + toward * weight).astype(np.uint8)
    return lut


def blend_classes(probs: np.ndarray, strength: float = BACKGROUND_STRENGTH) -> np.ndarray:
    """Probabilities (h, w, K) -> RGB (h, w, 3) uint8: class colours blended, then lightened."""
    # More classes than colours: reuse them in turn, as the points on the map do.
    colors = CLASS_COLORS[np.arange(probs.shape[-1]) % len(CLASS_COLORS)].astype(np.float64)
    mixed = probs @ colors
    # The most confident regions get the strongest colour; 1/K (undecided) stays white.
    k = probs.shape[-1]
    confidence = (probs.max(axis=-1, keepdims=True) - 1.0 / k) / (1.0 - 1.0 / k)
    weight = np.clip(confidence, 0.0, 1.0) * strength
    rgb: np.ndarray = np.round(WHITE * (1 - weight) + mixed * weight).astype(np.uint8)
    return rgb


def map_rgb(task: str, outputs: np.ndarray, discretize: bool = False) -> np.ndarray:
    """The decision map's colours: outputs (h, w, K) from the network -> (h, w, 3) uint8.

    Non-finite outputs (a network whose weights have blown up) are drawn as undecided.
    """
    undecided = {"binary": 0.5, "multiclass": 1.0 / outputs.shape[-1]}.get(task, 0.0)
    outputs = np.clip(np.nan_to_num(outputs, nan=undecided), -2.0, 2.0)
    if task == "multiclass":
        probs = outputs
        if discretize:
            probs = np.eye(outputs.shape[-1])[outputs.argmax(axis=-1)]
        return blend_classes(probs)
    value = outputs[..., 0]
    if task == "binary":
        value = value * 2.0 - 1.0  # probability of class 1 -> [-1, 1]
    if discretize:
        value = np.sign(value)
    lut = diverging_lut()
    index = np.clip(np.round((value + 1.0) * 0.5 * 255), 0, 255).astype(np.intp)
    return lut[index]


def point_color(task: str, label: float) -> np.ndarray:
    """RGB (3,) uint8 of one drawn point: its class colour, or its value's colour in regression."""
    if task == "regression":
        return np.asarray(diverging_lut(strength=1.0)[int(np.clip((label + 1) * 127.5, 0, 255))])
    return np.asarray(CLASS_COLORS[int(label) % len(CLASS_COLORS)])
