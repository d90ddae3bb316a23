"""A fully connected network with exact backpropagation, in the article's notation.

Layer l (1..L) computes s^l = a^(l-1) W^l + b^l and a^l = f(s^l); a^0 is the input.
``weights[l]`` has shape (fan_in, fan_out) and ``biases[l]`` shape (fan_out,), indexed
from 0 for the first layer of weights.

For speed every weight matrix and its bias row live in one block ``(fan_in + 1, fan_out)``
whose last row is the bias, and all blocks live in one flat ``params`` vector (and the
gradients in one flat ``grads`` vector). A layer is then a single matrix product with
the previous activations extended by a row of ones, and an optimizer step is one update
of one vector. ``weights[l]`` and ``biases[l]`` are views into ``params``: writing into
them changes the network.

Inside, activations are stored one column per point, ``(size_l, m)``: a layer's rows are
then contiguous, so the activation functions run at full speed, and the row of ones
that carries the bias sits under them. The public methods take and return one row per
point, as numpy users expect. The passes themselves run in the private training kernel
(``engine._kernel``: a step listed once as bound numpy calls and replayed, with its
reason and its hazard); ``engine.reference`` is the same mathematics written plainly.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from engine import _kernel, limits
from engine.activations import ACTIVATIONS, STEP_SURROGATE, Activation
from engine.errors import EngineError
from engine.losses import TASKS, Task

INITS = ("auto", "playground", "zeros")
DTYPES = ("float64", "float32")
MODEL_FORMAT = "neural-sandbox-model"
MODEL_VERSION = 1


def _check_sizes(layer_sizes: Sequence[int]) -> list[int]:
    sizes = list(layer_sizes)
    if len(sizes) < 2:
        raise EngineError("layer sizes need at least an input and an output size")
    for size in sizes:
        if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or size < 1:
            raise EngineError(f"layer sizes must be positive integers, got {size!r}")
    return [int(s) for s in sizes]


def _check_activations(activation: str | Sequence[str], n_hidden: int) -> list[str]:
    names = [activation] * n_hidden if isinstance(activation, str) else list(activation)
    if len(names) != n_hidden:
        raise EngineError(f"{n_hidden} hidden layers need {n_hidden} activations, got {len(names)}")
    for name in names:
        if name not in ACTIVATIONS:
            known = ", ".join(ACTIVATIONS)
            raise EngineError(f"unknown activation {name!r} (known: {known})")
    return names


class Network:
    """A fully connected network: ``Network([2, 4, 2, 1], "tanh", "binary", seed=0)``."""

    def __init__(
        self,
        layer_sizes: Sequence[int],
        activation: str | Sequence[str] = limits.DEFAULT_ACTIVATION,
        task: str = "binary",
        seed: int = 0,
        init: str = "auto",
        dtype: str = "float64",
        step_surrogate: bool = False,
    ) -> None:
        sizes = _check_sizes(layer_sizes)
        if task not in TASKS:
            raise EngineError(f"unknown task {task!r} (known: {', '.join(TASKS)})")
        if task == "multiclass" and sizes[-1] < 3:
            raise EngineError("a multiclass network needs at least 3 outputs")
        if task != "multiclass" and sizes[-1] != 1:
            raise EngineError(f"a {task} network has exactly 1 output, got {sizes[-1]}")
        if init not in INITS:
            raise EngineError(f"unknown init {init!r} (known: {', '.join(INITS)})")
        if str(dtype) not in DTYPES:
            raise EngineError(f"dtype must be float64 or float32, got {dtype!r}")
        self.layer_sizes: list[int] = sizes
        self.task: str = task
        self.dtype = np.dtype(dtype)
        self.seed = seed
        self.init = init
        shapes = [(sizes[l] + 1, sizes[l + 1]) for l in range(len(sizes) - 1)]
        total = sum(r * c for r, c in shapes)
        self.params = np.zeros(total, self.dtype)
        self.grads = np.zeros(total, self.dtype)
        # 1 where params holds a weight, 0 where it holds a bias (for regularization).
        self.weight_mask = np.ones(total, self.dtype)
        self._blocks: list[np.ndarray] = []
        self._grad_blocks: list[np.ndarray] = []
        offset = 0
        for r, c in shapes:
            self._blocks.append(self.params[offset : offset + r * c].reshape(r, c))
            self._grad_blocks.append(self.grads[offset : offset + r * c].reshape(r, c))
            self.weight_mask[offset : offset + r * c].reshape(r, c)[-1] = 0.0
            offset += r * c
        self.weights: tuple[np.ndarray, ...] = tuple(b[:-1] for b in self._blocks)
        self.biases: tuple[np.ndarray, ...] = tuple(b[-1] for b in self._blocks)
        self.weight_grads: tuple[np.ndarray, ...] = tuple(g[:-1] for g in self._grad_blocks)
        self.bias_grads: tuple[np.ndarray, ...] = tuple(g[-1] for g in self._grad_blocks)
        self._step_surrogate = bool(step_surrogate)
        self.set_activation(activation)
        self._buffers: dict[int, _kernel.Buffers] = {}  # the kernel's, by batch size, least recently used first
        self.reinitialize(seed)

    # ----------------------------------------------------------------- structure
    @property
    def n_layers(self) -> int:
        """L, the number of weight layers (hidden layers + the output layer)."""
        return len(self.layer_sizes) - 1

    @property
    def task_spec(self) -> Task:
        """This network's task: output function, loss and target encoding."""
        return TASKS[self.task]

    @property
    def step_surrogate(self) -> bool:
        """Whether step layers back-propagate a sigmoid's slope (a heuristic) instead of 0."""
        return self._step_surrogate

    @step_surrogate.setter
    def step_surrogate(self, on: bool) -> None:
        self._step_surrogate = bool(on)
        self.set_activation(self.activation_names)

    def set_activation(self, activation: str | Sequence[str]) -> None:
        """Change the hidden layers' activations, keeping every weight as it is."""
        names = _check_activations(activation, len(self.layer_sizes) - 2)
        self.activation_names: list[str] = names
        hidden: list[Activation] = []
        for name in names:
            use_surrogate = name == "step" and self._step_surrogate
            hidden.append(STEP_SURROGATE if use_surrogate else ACTIVATIONS[name])
        self._hidden = tuple(hidden)

    @property
    def hidden_activations(self) -> tuple[Activation, ...]:
        """The activation of each hidden layer (the surrogate for step, if it is on)."""
        return self._hidden

    def reinitialize(self, seed: int | None = None) -> None:
        """Draw new initial weights from ``seed`` (the same seed gives the same weights)."""
        if seed is not None:
            self.seed = seed
        rng = np.random.default_rng(self.seed)
        for l, block in enumerate(self._blocks):
            fan_in, fan_out = block.shape[0] - 1, block.shape[1]
            if self.init == "zeros":
                block[...] = 0.0
            elif self.init == "playground":
                block[:-1] = rng.uniform(-0.5, 0.5, size=(fan_in, fan_out))
                block[-1] = 0.1
            else:
                hidden_relu = l < len(self._hidden) and self.activation_names[l] == "relu"
                if hidden_relu:  # He: keeps the variance of ReLU activations steady
                    block[:-1] = rng.normal(0.0, np.sqrt(2.0 / fan_in), size=(fan_in, fan_out))
                else:  # Glorot (uniform)
                    limit = np.sqrt(6.0 / (fan_in + fan_out))
                    block[:-1] = rng.uniform(-limit, limit, size=(fan_in, fan_out))
                block[-1] = 0.0
        self.grads.fill(0.0)

    def copy(self) -> Network:
        """An independent network with the same configuration and weights."""
        twin = Network(
            self.layer_sizes, self.activation_names, self.task, self.seed,
            self.init, str(self.dtype), self._step_surrogate,
        )
        twin.params[...] = self.params
        return twin

    # ------------------------------------------------------------------ forward
    def as_input(self, X: np.ndarray) -> np.ndarray:
        """X as an array of this network's dtype; raises EngineError unless it is (n, size_0)."""
        X = np.asarray(X, dtype=self.dtype)
        if X.ndim != 2 or X.shape[1] != self.layer_sizes[0]:
            raise EngineError(
                f"input must have shape (n, {self.layer_sizes[0]}), got {np.shape(X)}"
            )
        return X

    def trace(self, X: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Forward pass keeping everything: (sums, acts), sums[l-1] = s^l (n, size_l),
        acts[l] = a^l (n, size_l) for l = 0..L (acts[0] is the input)."""
        return _kernel.forward(self, X)

    def activations(self, X: np.ndarray) -> list[np.ndarray]:
        """Every layer's activations a^0 (the input) .. a^L (the output), each (n, size_l)."""
        return self.trace(X)[1]

    def forward(self, X: np.ndarray) -> np.ndarray:
        """Outputs (n, n_outputs): class probabilities, or values for regression."""
        return self.trace(X)[1][-1]

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Class ids (n,) for classification, values (n,) for regression."""
        out = self.forward(X)
        if self.task == "binary":
            return (out[:, 0] > 0.5).astype(np.int64)
        if self.task == "multiclass":
            classes: np.ndarray = out.argmax(axis=1)
            return classes
        return out[:, 0]

    def accuracy(self, X: np.ndarray, y: np.ndarray) -> float | None:
        """Fraction of points classified correctly (None for regression or no points)."""
        if self.task == "regression" or len(y) == 0:
            return None
        return float(np.mean(self.predict(X) == np.asarray(y)))

    def loss(self, X: np.ndarray, y: np.ndarray) -> float:
        """The data loss J (no regularization penalty), a mean over the points."""
        return _kernel.loss(self, X, y)

    def as_labels(self, y: np.ndarray) -> np.ndarray:
        """y as class ids (int64) for classification, or as values of this dtype."""
        if self.task_spec.classification:
            return np.asarray(y, dtype=np.int64)
        return np.asarray(y, dtype=self.dtype)

    # ----------------------------------------------------------------- backward
    def encode_targets(self, y: np.ndarray) -> np.ndarray:
        """Labels y (n,) encoded as the output layer's targets t (n, K): the class id
        itself for binary, one-hot rows for multiclass, the value for regression."""
        y = self.as_labels(y)
        out = np.empty((len(y), self.layer_sizes[-1]), self.dtype)
        self.task_spec.targets(y, out)
        return out

    def gradients(self, X: np.ndarray, y: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Exact gradients of ``loss(X, y)``: (dW list, db list), shaped like the weights."""
        if len(self.as_input(X)) == 0:
            raise EngineError("gradients need at least one point")
        _kernel.gradients(self, X, y)
        return [g.copy() for g in self.weight_grads], [g.copy() for g in self.bias_grads]

    # ------------------------------------------------------------ serialisation
    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready description: configuration and weights (never pickle)."""
        return {
            "format": MODEL_FORMAT,
            "version": MODEL_VERSION,
            "layer_sizes": self.layer_sizes,
            "activations": self.activation_names,
            "task": self.task,
            "init": self.init,
            "seed": self.seed,
            "dtype": str(self.dtype),
            "step_surrogate": self._step_surrogate,
            "weights": [w.tolist() for w in self.weights],
            "biases": [b.tolist() for b in self.biases],
        }

    @classmethod
    def from_dict(cls, data: Any) -> Network:
        """Rebuild a network from ``to_dict``'s output; raises EngineError naming what is wrong."""
        if not isinstance(data, dict) or data.get("format") != MODEL_FORMAT:
            raise EngineError(f"not a Neural Sandbox model (expected format {MODEL_FORMAT!r})")
        if data.get("version") != MODEL_VERSION:
            raise EngineError(f"unsupported model version {data.get('version')!r}")
        try:
            net = cls(
                data["layer_sizes"], data["activations"], data["task"],
                seed=int(data.get("seed", 0)), init=data.get("init", "auto"),
                dtype=data.get("dtype", "float64"),
                step_surrogate=bool(data.get("step_surrogate", False)),
            )
            weights, biases = data["weights"], data["biases"]
        except KeyError as missing:
            raise EngineError(f"model is missing {missing}") from None
        except TypeError as bad:
            raise EngineError(f"model has a malformed field: {bad}") from None
        net.set_parameters(weights, biases)
        return net

    def set_parameters(self, weights: Sequence[Any], biases: Sequence[Any]) -> None:
        """Replace every weight and bias; shapes must match the network exactly."""
        if len(weights) != self.n_layers or len(biases) != self.n_layers:
            raise EngineError(f"expected {self.n_layers} weight and bias arrays")
        new = []
        for l, (w, b) in enumerate(zip(weights, biases)):
            try:
                w = np.asarray(w, dtype=np.float64)
                b = np.asarray(b, dtype=np.float64)
            except (TypeError, ValueError):
                raise EngineError(f"layer {l + 1}: weights must be numbers") from None
            if w.shape != self.weights[l].shape or b.shape != self.biases[l].shape:
                raise EngineError(
                    f"layer {l + 1}: weights {w.shape} and biases {b.shape} do not match "
                    f"the network's {self.weights[l].shape} and {self.biases[l].shape}"
                )
            if not (np.all(np.isfinite(w)) and np.all(np.isfinite(b))):
                raise EngineError(f"layer {l + 1}: weights must be finite numbers")
            new.append((w, b))
        for l, (w, b) in enumerate(new):
            self.weights[l][...] = w
            self.biases[l][...] = b
