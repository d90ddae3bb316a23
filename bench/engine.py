"""Milliseconds per training epoch: our engine, a plain numpy MLP and PyTorch eager.

Run ``python bench/engine.py`` (under a minute) or ``--quick`` (a few seconds, rougher).
PyTorch is not a dependency: without it, its columns are skipped.

Three cases from the engine issue, all binary classification of the circle data set with
SGD at learning rate 0.03:

- (a) 2-4-2-1 tanh, 250 points, batch 10 (TensorFlow Playground's default);
- (b) 2-8-8-8-1 tanh, 1000 points, full batch;
- (c) 2-32-32-32-1 ReLU, 5000 points, batch 64.

Every engine does the same work per epoch: reshuffle, one pass in mini-batches with an
SGD step after each, then the data loss on all points (what ``Trainer.epoch`` returns).
Engines are timed in turns, in blocks of several epochs, so that the machine's noise
falls on all of them alike; the figure is the median block, divided by its epochs.
The ratios compare engines of the same precision measured in this one run. Warm-up
epochs come first (our trainer lists an epoch's numpy calls on its first epoch).
"""

# ruff: noqa: E402 (the environment must be set before numpy is imported)
from __future__ import annotations

import os

# One BLAS thread, as the app trains: set before numpy is imported, or it is ignored.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

# ``python bench/engine.py`` puts bench/ first on sys.path, where this very file would
# shadow the ``engine`` package: look in the project root instead.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
sys.path.insert(0, str(_HERE.parent))

import numpy as np

from engine.datasets import generate
from engine.network import Network
from engine.trainer import Trainer

LEARNING_RATE = 0.03
DTYPES = ("float64", "float32")

Epoch = Callable[[], float]


@dataclass(frozen=True)
class Case:
    """One benchmark network, its data and the issue's speed targets."""

    label: str
    sizes: tuple[int, ...]
    activation: str
    points: int
    batch_size: int
    torch_target: float  # at least this many times faster than PyTorch eager
    numpy_target: float  # at least this many times faster than a plain numpy MLP

    @property
    def title(self) -> str:
        """``(a) 2-4-2-1 tanh, 250 points, batch 10``."""
        batch = "full batch" if self.batch_size >= self.points else f"batch {self.batch_size}"
        shape = "-".join(map(str, self.sizes))
        return f"({self.label}) {shape} {self.activation}, {self.points} points, {batch}"


CASES = (
    Case("a", (2, 4, 2, 1), "tanh", 250, 10, torch_target=20.0, numpy_target=2.0),
    Case("b", (2, 8, 8, 8, 1), "tanh", 1000, 1000, torch_target=5.0, numpy_target=1.5),
    Case("c", (2, 32, 32, 32, 1), "relu", 5000, 64, torch_target=10.0, numpy_target=1.8),
)


def circle_data(case: Case) -> tuple[np.ndarray, np.ndarray]:
    """The case's training points (n, 2) and class ids (n,)."""
    return generate("circle", case.points, noise=0.1, seed=0)


# --------------------------------------------------------------------------- engines
def ours(case: Case, dtype: str) -> Epoch:
    """Our engine, through its public API: ``Trainer.epoch``."""
    points, labels = circle_data(case)
    points = points.astype(dtype)
    net = Network(case.sizes, case.activation, "binary", seed=0, dtype=dtype)
    trainer = Trainer(net, "sgd", LEARNING_RATE, case.batch_size, seed=0)
    return lambda: trainer.epoch(points, labels)


class PlainMLP:
    """The textbook vectorised MLP: ``z = a @ W + b``, fresh arrays, one update per parameter."""

    def __init__(self, case: Case, dtype: str) -> None:
        rng = np.random.default_rng(0)
        self.rng = rng
        self.relu = case.activation == "relu"
        self.batch_size = case.batch_size
        self.lr = np.dtype(dtype).type(LEARNING_RATE)
        self.W: list[np.ndarray] = []
        self.b: list[np.ndarray] = []
        for fan_in, fan_out in zip(case.sizes[:-1], case.sizes[1:]):
            limit = np.sqrt(6.0 / (fan_in + fan_out))
            self.W.append(rng.uniform(-limit, limit, (fan_in, fan_out)).astype(dtype))
            self.b.append(np.zeros(fan_out, dtype))
        points, labels = circle_data(case)
        self.X = points.astype(dtype)
        self.y = labels.astype(dtype)[:, None]

    def forward(self, a: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Weighted sums and activations of every layer (the last sum is the logit)."""
        zs, acts = [], [a]
        for l, (W, b) in enumerate(zip(self.W, self.b)):
            z = a @ W + b
            zs.append(z)
            if l < len(self.W) - 1:
                a = np.maximum(z, 0) if self.relu else np.tanh(z)
            else:
                a = 1 / (1 + np.exp(-z))
            acts.append(a)
        return zs, acts

    def step(self, xb: np.ndarray, yb: np.ndarray) -> None:
        """One SGD step on a mini-batch."""
        zs, acts = self.forward(xb)
        d = (acts[-1] - yb) / len(xb)
        grads = []
        for l in range(len(self.W) - 1, -1, -1):
            grads.append((l, acts[l].T @ d, d.sum(0)))
            if l > 0:
                d = d @ self.W[l].T
                d = d * (zs[l - 1] > 0) if self.relu else d * (1 - acts[l] ** 2)
        for l, dW, db in grads:
            self.W[l] -= self.lr * dW
            self.b[l] -= self.lr * db

    def epoch(self) -> float:
        """Reshuffle, one pass of mini-batch steps, then the loss on all points."""
        n = len(self.X)
        order = self.rng.permutation(n)
        X, y = self.X[order], self.y[order]
        for start in range(0, n, self.batch_size):
            self.step(X[start : start + self.batch_size], y[start : start + self.batch_size])
        z = self.forward(self.X)[0][-1]
        return float(np.mean(np.logaddexp(0, z) - self.y * z))


def plain_numpy(case: Case, dtype: str) -> Epoch:
    """The reference: a straightforward numpy MLP of the same precision."""
    return PlainMLP(case, dtype).epoch


def pytorch(case: Case, dtype: str) -> Epoch:
    """PyTorch eager: ``nn.Sequential`` and ``torch.optim.SGD`` on one thread."""
    import torch
    from torch import nn

    torch.manual_seed(0)
    torch_dtype = getattr(torch, dtype)
    layers: list[nn.Module] = []
    for fan_in, fan_out in zip(case.sizes[:-1], case.sizes[1:]):
        layers += [nn.Linear(fan_in, fan_out, dtype=torch_dtype), nn.ReLU() if case.activation == "relu" else nn.Tanh()]
    model = nn.Sequential(*layers[:-1])  # the output layer's logit goes into the loss
    optimizer = torch.optim.SGD(model.parameters(), lr=LEARNING_RATE)
    loss_fn = nn.BCEWithLogitsLoss()
    points, labels = circle_data(case)
    X = torch.tensor(points, dtype=torch_dtype)
    y = torch.tensor(labels, dtype=torch_dtype)[:, None]
    n, batch = len(X), case.batch_size
    generator = torch.Generator().manual_seed(0)

    def epoch() -> float:
        order = torch.randperm(n, generator=generator)
        Xs, ys = X[order], y[order]
        for start in range(0, n, batch):
            optimizer.zero_grad()
            loss_fn(model(Xs[start : start + batch]), ys[start : start + batch]).backward()
            optimizer.step()
        with torch.no_grad():
            return loss_fn(model(X), y).item()

    return epoch


def torch_available() -> bool:
    """Import torch (not a dependency) and make it single-threaded, if it is installed."""
    try:
        import torch
    except ImportError:
        return False
    torch.set_num_threads(1)
    torch.set_num_interop_threads(1)
    return True


# --------------------------------------------------------------------------- timing
def measure(epochs: dict[str, Epoch], repeats: int, block_seconds: float) -> dict[str, list[float]]:
    """Seconds per epoch of each engine, one figure per block, engines taking turns."""
    sizes = {}
    for name, epoch in epochs.items():  # warm up, then size blocks to ~block_seconds
        epoch()
        start = time.perf_counter()
        count = 0
        while count < 3 or time.perf_counter() - start < block_seconds / 2:
            epoch()
            count += 1
        per_epoch = (time.perf_counter() - start) / count
        sizes[name] = max(1, round(block_seconds / per_epoch))
    results: dict[str, list[float]] = {name: [] for name in epochs}
    for _ in range(repeats):
        for name, epoch in epochs.items():
            count = sizes[name]
            start = time.perf_counter()
            for _ in range(count):
                epoch()
            results[name].append((time.perf_counter() - start) / count)
    return results


def verdict(ratio: float, target: float) -> str:
    """``24.13x (target 20x) met``."""
    return f"{ratio:6.2f}x (target {target:g}x) {'met' if ratio >= target else 'NOT met'}"


def main() -> None:
    """Time every case and engine, then print ms per epoch and the ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer, shorter repetitions")
    args = parser.parse_args()
    repeats, block_seconds = (3, 0.05) if args.quick else (15, 0.15)
    np.seterr(over="ignore")  # the plain MLP's 1 / (1 + exp(-z)) may overflow harmlessly

    have_torch = torch_available()
    engines: dict[str, Callable[[Case, str], Epoch]] = {"ours": ours, "numpy": plain_numpy}
    if have_torch:
        engines["torch"] = pytorch
    print(f"numpy {np.__version__}", end="")
    if have_torch:
        import torch

        print(f", torch {torch.__version__} (1 thread)", end="")
    print(f"; median of {repeats} blocks of ~{block_seconds * 1000:.0f} ms\n")
    if not have_torch:
        print("torch not installed\n")

    summary = []
    for case in CASES:
        print(case.title)
        epochs = {
            f"{engine} {dtype}": make(case, dtype) for dtype in DTYPES for engine, make in engines.items()
        }
        results = measure(epochs, repeats, block_seconds)
        median = {name: statistics.median(times) * 1000 for name, times in results.items()}
        for name, times in results.items():
            print(f"  {name:14s} {median[name]:9.3f} ms/epoch   (best {min(times) * 1000:.3f})")
        for dtype in DTYPES:
            mine = median[f"ours {dtype}"]
            line = f"  {dtype}: numpy/ours {verdict(median[f'numpy {dtype}'] / mine, case.numpy_target)}"
            if have_torch:
                line += f";  torch/ours {verdict(median[f'torch {dtype}'] / mine, case.torch_target)}"
            print(line)
            summary.append(line.replace(f"  {dtype}:", f"  ({case.label}) {dtype}:"))
        print()
    print("Summary (ratios of medians in this run):")
    print("\n".join(summary))


if __name__ == "__main__":
    main()
