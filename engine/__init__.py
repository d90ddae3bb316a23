"""Neural Sandbox's engine: small fully connected networks in pure numpy (no Qt)."""

from engine.activations import ACTIVATIONS
from engine.csvio import read_csv, write_csv
from engine.datasets import CLASSIFICATION_PRESETS, PRESETS, REGRESSION_PRESETS, generate, split
from engine.errors import DataError, EngineError
from engine.features import FEATURES, transform
from engine.losses import TASKS
from engine.network import Network
from engine.optimizers import OPTIMIZERS
from engine.trainer import REGULARIZATIONS, Trainer

__all__ = [
    "ACTIVATIONS",
    "read_csv",
    "write_csv",
    "CLASSIFICATION_PRESETS",
    "DataError",
    "EngineError",
    "FEATURES",
    "Network",
    "OPTIMIZERS",
    "PRESETS",
    "REGRESSION_PRESETS",
    "REGULARIZATIONS",
    "TASKS",
    "Trainer",
    "generate",
    "split",
    "transform",
]
