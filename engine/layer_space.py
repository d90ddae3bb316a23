"""The layer-space view: the input plane carried into one hidden layer's space (no Qt).

Each hidden layer l moves every point x of the plane to its activations a^l(x). This
module maps the input plane's grid lines and the data points into that space and
chooses two axes to show it by:

- a layer of one neuron is a 1-D strip (its activation);
- a layer of two neurons shows both activations;
- a layer of three or more shows two chosen neurons (by default the two whose
  activations vary most over the data), or the two principal directions of its
  activations over the data (centred, from the SVD).

For the last hidden layer the output layer is an affine map of these activations, so
its decision is straight there: the ``regions`` raster colours the view by the output
the network gives there, and ``decision`` is the binary output's line s^L = 0. Both are
exact when the two axes span the whole layer (1 or 2 neurons). With 3+ neurons a point
of the 2-D view stands for many points of the layer, so they are a *slice*: the other
neurons (or the other principal directions) held at their mean over the data, and
``note`` says so.

If any layer up to l is a step layer, a^l takes only a few values over the whole plane
(the corners of a cube, for a step layer itself): the grid lines collapse, so they are
not drawn (each line is cut at every jump) and ``corners`` lists the positions the
plane lands on with the share of the plane at each.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from engine import palette
from engine.errors import EngineError
from engine.features import transform
from engine.maps import Bounds
from engine.network import Network

GRID_LINES = 21  # horizontal and vertical lines over the visible square
LINE_SAMPLES = 81  # samples along each line: smooth curves, and the square's centre is a sample
REGION_RESOLUTION = 64  # cells per side of the output's raster over the view
MAX_SPACE_POINTS = 2000  # data points carried into the view (an even subset of larger sets)
MARGIN = 0.06  # of the span, around the view's extent

RANGES = {  # the activation's range, as the axes label it
    "sigmoid": "(0, 1)", "tanh": "(−1, 1)", "relu": "[0, ∞)", "step": "{0, 1}", "linear": "(−∞, ∞)",
}
ACTIVATION_BOUNDS: dict[str, tuple[float, float]] = {  # the view shows these ranges whole
    "sigmoid": (0.0, 1.0), "tanh": (-1.0, 1.0), "step": (0.0, 1.0),
}
_SUB = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
_SUP = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def neuron_name(layer: int, neuron: int) -> str:
    """Neuron ``neuron`` (1-based) of layer ``layer`` (1-based) as the view names it: a₁¹."""
    return f"a{str(neuron).translate(_SUB)}{str(layer).translate(_SUP)}"


@dataclass(frozen=True)
class SpaceChoice:
    """Which layer (1-based hidden layer) and which axes the view shows."""

    layer: int = 1
    pca: bool = False  # the two principal directions instead of two neurons (3+ neurons)
    neurons: tuple[int, int] | None = None  # 0-based, for a layer of 3+; None: the most varied


@dataclass(frozen=True)
class LayerSpace:
    """One hidden layer's space as the view draws it. d is 1 (a strip) or 2 (a plane)."""

    layer: int  # 1-based
    size: int  # neurons in the layer
    activation: str
    pca: bool  # whether the axes are principal directions
    neurons: tuple[int, ...]  # 0-based neurons on the axes (empty for principal directions)
    title: str  # "neurons 1 and 3", "principal directions 1 and 2 (80% of the variance)"
    axis_labels: tuple[str, ...]  # one per axis, with the activation's range
    extent: tuple[float, float, float, float]  # x low, x high, y low, y high (y is 0..1 for a strip)
    grid: np.ndarray  # (2 * lines, samples, d) float32; NaN cuts a line where it jumps
    points: np.ndarray  # (n, d) float32, the data points' positions
    labels: np.ndarray  # (n,) their class ids, or values in regression
    test: np.ndarray  # (n,) bool, test points
    regions: np.ndarray | None  # (R, R, 3) uint8 over ``extent``, row 0 at y low (last hidden layer)
    decision: tuple[float, float, float] | None  # (u, v, c): the line u x + v y + c = 0 (binary)
    exact: bool  # whether regions and decision are the output's decision itself, not a slice
    note: str  # one sentence on what the regions are
    corners: np.ndarray | None  # (k, d + 1): positions the whole plane lands on, and their share


def grid_lines(bounds: Bounds, lines: int = GRID_LINES, samples: int = LINE_SAMPLES) -> np.ndarray:
    """The input square's grid: (2 * lines, samples, 2), horizontal lines first (bottom up)."""
    levels = np.linspace(bounds.low, bounds.high, lines)
    along = np.linspace(bounds.low, bounds.high, samples)
    out = np.empty((2 * lines, samples, 2))
    out[:lines, :, 0] = along
    out[:lines, :, 1] = levels[:, None]
    out[lines:, :, 0] = levels[:, None]
    out[lines:, :, 1] = along
    return out


def most_varied(acts: np.ndarray) -> tuple[int, int]:
    """The two neurons (0-based, ascending) whose activations vary most over ``acts (n, size)``."""
    variance = np.nan_to_num(np.var(acts, axis=0)) if len(acts) else np.zeros(acts.shape[1])
    order = np.argsort(-variance, kind="stable")
    first, second = sorted(int(j) for j in order[:2])
    return first, second


def principal_directions(acts: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(mean (size,), basis (size, 2), share of the variance of each direction (2,)) of
    ``acts (n, size)``, from the SVD of the centred activations. Each direction's largest
    component is positive, so the picture does not flip from one frame to the next."""
    acts = np.asarray(acts, dtype=np.float64)
    mean = acts.mean(axis=0) if len(acts) else np.zeros(acts.shape[1])
    _, singular, vt = np.linalg.svd(acts - mean, full_matrices=False)
    basis = np.zeros((acts.shape[1], 2))
    k = min(2, vt.shape[0])
    basis[:, :k] = vt[:k].T
    for j in range(k):
        if basis[np.argmax(np.abs(basis[:, j])), j] < 0:
            basis[:, j] *= -1
    total = float(np.sum(singular**2))
    share = np.zeros(2)
    if total > 0:
        share[:k] = singular[:k] ** 2 / total
    return mean, basis, share


def _even_subset(n: int, limit: int) -> np.ndarray:
    return np.arange(n) if n <= limit else np.linspace(0, n - 1, limit).round().astype(np.intp)


def _extent(coords: np.ndarray, bounded: tuple[float, float] | None, d: int) -> tuple[float, float, float, float]:
    """The view's extent: the activation's range when it is bounded and the axes are
    neurons (so saturation shows), else the data's span; with a margin."""
    spans = []
    for axis in range(d):
        if bounded is not None:
            low, high = bounded
        else:
            values = coords[:, axis][np.isfinite(coords[:, axis])]
            low, high = (float(values.min()), float(values.max())) if len(values) else (-1.0, 1.0)
            if high - low < 1e-6:
                low, high = low - 0.5, high + 0.5
        pad = (high - low) * MARGIN
        spans += [low - pad, high + pad]
    if d == 1:
        spans += [0.0, 1.0]
    elif bounded is None:  # a square view: the axes share one scale, so shapes are not stretched
        half = max(spans[1] - spans[0], spans[3] - spans[2]) / 2
        cx, cy = (spans[0] + spans[1]) / 2, (spans[2] + spans[3]) / 2
        spans = [cx - half, cx + half, cy - half, cy + half]
    return spans[0], spans[1], spans[2], spans[3]


def _cut_jumps(lines: np.ndarray) -> np.ndarray:
    """Lines of a piecewise-constant map: NaN wherever a sample differs from the one before,
    so only the flat pieces remain (and they have no length: nothing false is drawn)."""
    out = lines.copy()
    jump = np.any(np.diff(lines, axis=1) != 0, axis=2)
    out[:, 1:][jump] = np.nan
    return out


def layer_space(
    net: Network, features: Sequence[str], bounds: Bounds, choice: SpaceChoice,
    points: np.ndarray, labels: np.ndarray, test_mask: np.ndarray,
    lines: int = GRID_LINES, samples: int = LINE_SAMPLES, resolution: int = REGION_RESOLUTION,
) -> LayerSpace:
    """The hidden layer ``choice.layer`` of ``net`` (inputs ``features`` of the plane's points)
    with the grid over ``bounds`` and the points (n, 2) carried into it."""
    n_hidden = net.n_layers - 1
    layer = choice.layer
    if not 1 <= layer <= n_hidden:
        raise EngineError(f"hidden layer {layer} does not exist (the network has {n_hidden})")
    size = net.layer_sizes[layer]
    activation = net.activation_names[layer - 1]
    keep = _even_subset(len(points), MAX_SPACE_POINTS)
    points = np.asarray(points, dtype=np.float64).reshape(-1, 2)[keep]
    labels, test_mask = np.asarray(labels)[keep], np.asarray(test_mask, dtype=bool)[keep]
    plane = grid_lines(bounds, lines, samples)
    with np.errstate(all="ignore"):
        inputs = transform(np.concatenate([points, plane.reshape(-1, 2)]), features, net.dtype)
        acts = net.activations(inputs)[layer].astype(np.float64)
    data, grid_acts = acts[: len(points)], acts[len(points):]
    spread = data if len(data) else grid_acts  # what "over the data" means with no points yet

    # The axes: a 2-D map q -> a (size,) back into the layer, ``embed`` and ``held``, such that
    # a = held + embed q; the view's coordinates of a are (a - held) embed for orthonormal embed.
    held = np.nanmean(spread, axis=0) if len(spread) else np.zeros(size)
    held = np.nan_to_num(held)
    neurons: tuple[int, ...]
    if size == 1:
        neurons, pca, d = (0,), False, 1
    elif choice.pca:
        neurons, pca, d = (), True, 2
    elif size == 2:
        neurons, pca, d = (0, 1), False, 2
    else:
        neurons = choice.neurons if choice.neurons is not None else most_varied(spread)
        if len(set(neurons)) != 2 or not all(0 <= j < size for j in neurons):
            raise EngineError(f"choose two different neurons of the {size} in layer {layer}")
        neurons, pca, d = tuple(sorted(int(j) for j in neurons)), False, 2
    names = [neuron_name(layer, j + 1) for j in range(size)]
    if pca:
        held, embed, share = principal_directions(np.nan_to_num(spread))
        exact = size == 2
        title = (f"principal directions 1 and 2 of layer {layer} "
                 f"({100 * share.sum():.0f}% of the variance)")
        axis_labels = tuple(f"principal direction {k} ({activation} activations)" for k in (1, 2))
        bounded = None
    else:
        embed = np.zeros((size, d))
        embed[list(neurons), range(d)] = 1.0
        exact = size == d
        title = f"neuron {neurons[0] + 1}" if d == 1 else f"neurons {neurons[0] + 1} and {neurons[1] + 1}"
        axis_labels = tuple(f"{names[j]} {RANGES.get(activation, '')}" for j in neurons)
        bounded = ACTIVATION_BOUNDS.get(activation)
    held = held - embed @ (embed.T @ held) if not pca else held  # the shown axes are free
    to_view = (acts - held) @ embed
    extent = _extent(to_view, bounded, d)

    grid = to_view[len(points):].reshape(2 * lines, samples, d)
    discrete = "step" in net.activation_names[:layer]
    corners = None
    if discrete:
        positions, counts = np.unique(np.round(grid.reshape(-1, d), 6), axis=0, return_counts=True)
        corners = np.column_stack([positions, counts / counts.sum()]).astype(np.float32)
        grid = _cut_jumps(grid)

    regions, decision, note = None, None, ""
    if layer == n_hidden:
        regions, decision = _output_over_view(net, extent, held, embed, d, resolution)
        if exact:
            note = "The output's decision in this layer: a straight line."
        elif pca:
            note = ("A slice: the output over the plane of the two principal directions "
                    "through the data's mean.")
        else:
            note = "A slice: the output with the other neurons held at their mean over the data."
    return LayerSpace(
        layer=layer, size=size, activation=activation, pca=pca, neurons=neurons, title=title,
        axis_labels=axis_labels, extent=extent, grid=grid.astype(np.float32),
        points=to_view[: len(points)].astype(np.float32), labels=labels, test=test_mask,
        regions=regions, decision=decision, exact=exact, note=note, corners=corners,
    )


def _output_over_view(
    net: Network, extent: tuple[float, float, float, float], held: np.ndarray,
    embed: np.ndarray, d: int, resolution: int,
) -> tuple[np.ndarray, tuple[float, float, float] | None]:
    """The output layer over the view (a = held + embed q): its colours, and for a binary
    network the line where its logit is 0."""
    W = net.weights[-1].astype(np.float64)
    b = net.biases[-1].astype(np.float64)
    x0, x1, y0, y1 = extent
    xs = x0 + (x1 - x0) * (np.arange(resolution) + 0.5) / resolution
    rows = 1 if d == 1 else resolution
    ys = y0 + (y1 - y0) * (np.arange(rows) + 0.5) / rows
    q = np.column_stack([np.tile(xs, rows), np.repeat(ys, resolution)])[:, :d]
    with np.errstate(all="ignore"):
        logits = (held + q @ embed.T) @ W + b
        outputs = net.task_spec.output(logits)
    rgb = palette.map_rgb(net.task, outputs.reshape(rows, resolution, -1))
    decision = None
    if net.task == "binary":
        slope = embed.T @ W[:, 0]  # the logit is held.W + b + slope . q
        offset = float(held @ W[:, 0] + b[0])
        if np.all(np.isfinite(slope)) and np.isfinite(offset) and np.any(slope != 0):
            decision = (float(slope[0]), float(slope[1]) if d == 2 else 0.0, offset)
    return rgb, decision


class LiveSpace:
    """The live trainer's layer-space state: the window's choice, with the default axes of a
    3+ neuron layer pinned once per run, so they do not hop while the weights train."""

    def __init__(self) -> None:
        self.choice: SpaceChoice | None = None  # None: the view is closed, nothing is computed
        self._pinned: tuple[int, SpaceChoice] | None = None  # (run, choice with neurons)

    def choose(self, choice: SpaceChoice | None) -> None:
        """Show ``choice`` from the next snapshot on (None: stop computing the space)."""
        if choice is not None and (isinstance(choice.layer, bool) or int(choice.layer) < 1):
            raise EngineError(f"hidden layers count from 1, got {choice.layer!r}")
        self.choice = choice
        self._pinned = None

    def compute(self, net: Network, features: Sequence[str], bounds: Bounds, points: np.ndarray,
                labels: np.ndarray, test_mask: np.ndarray, run: int) -> LayerSpace | None:
        """The chosen layer's space, or None when nothing is chosen or the layer is gone."""
        choice = self.choice
        if choice is None or choice.layer > net.n_layers - 1:
            return None
        if self._pinned is not None and self._pinned[0] == run:
            choice = self._pinned[1]
        size = net.layer_sizes[choice.layer]
        if choice.neurons is not None and max(choice.neurons) >= size:  # the layer shrank
            choice = SpaceChoice(choice.layer, choice.pca)
        space = layer_space(net, features, bounds, choice, points, labels, test_mask)
        if choice.neurons is None and not space.pca and len(space.neurons) == 2 and size >= 3:
            self._pinned = (run, SpaceChoice(choice.layer, False, (space.neurons[0], space.neurons[1])))
        return space
