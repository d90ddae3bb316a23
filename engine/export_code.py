"""Export a trained network as a standalone Python file: numpy only, or a torch ``nn.Sequential``.

The file rebuilds the network from its exact weights (written as Python's shortest repr, which reads
back bit for bit) and the same input features, and computes what the engine computes: class
probabilities for classification, values for regression. The numpy flavour uses the same formulas as
``engine.reference`` (sigmoid through tanh, softmax shifted by the row maximum), so its predictions
agree with the engine's to rounding. Run as a script, the file prints the network's shape and its
predictions on a few sample points.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

import numpy as np

from engine.csvio import write_text_atomically
from engine.errors import EngineError
from engine.features import check_features
from engine.network import Network

FLAVORS = ("numpy", "torch")

# Each feature as an expression of the columns x1 and x2 (the same formulas as engine.features).
FEATURE_CODE = {
    "x1": "x1", "x2": "x2", "x1sq": "x1 * x1", "x2sq": "x2 * x2", "x1x2": "x1 * x2",
    "sinx1": "np.sin(x1)", "sinx2": "np.sin(x2)",
}
# A hidden activation as a numpy expression of s, and as a torch module.
NUMPY_ACTIVATION = {
    "tanh": "np.tanh(s)", "sigmoid": "0.5 * np.tanh(0.5 * s) + 0.5", "relu": "np.maximum(s, 0.0)",
    "linear": "s", "step": "(s > 0).astype(s.dtype)",
}
TORCH_ACTIVATION = {"tanh": "nn.Tanh()", "sigmoid": "nn.Sigmoid()", "relu": "nn.ReLU()", "linear": "nn.Identity()",
                    "step": "Step()"}
NUMPY_OUTPUT = {
    "binary": "0.5 * np.tanh(0.5 * s) + 0.5",
    "multiclass": "np.exp(s - s.max(axis=1, keepdims=True))",  # normalised below
    "regression": "s",
}
TORCH_OUTPUT = {"binary": "nn.Sigmoid()", "multiclass": "nn.Softmax(dim=1)", "regression": "nn.Identity()"}
# The points a run of the file shows its predictions for.
SAMPLE_POINTS = ((-4.0, -4.0), (-4.0, 4.0), (0.0, 0.0), (4.0, -4.0), (4.0, 4.0), (1.5, -2.5))


def _number(value: float) -> str:
    return repr(float(value))  # shortest round-trip text: reads back bit for bit


def _matrix(array: np.ndarray, indent: str) -> str:
    """A 2-D array as a nested list literal, one row a line."""
    rows = [f"{indent}    [{', '.join(_number(v) for v in row)}]," for row in np.asarray(array)]
    return "[\n" + "\n".join(rows) + f"\n{indent}]"


def _vector(array: np.ndarray) -> str:
    return f"[{', '.join(_number(v) for v in np.asarray(array))}]"


def _weights_block(net: Network) -> str:
    lines = ["# WEIGHTS[l] has fan_in rows of fan_out numbers: layer l computes s = a @ WEIGHTS[l] + BIASES[l].",
             "WEIGHTS = ["]
    for w in net.weights:
        lines.append(f"    {_matrix(w, '    ')},")
    lines.append("]")
    lines.append("BIASES = [")
    for b in net.biases:
        lines.append(f"    {_vector(b)},")
    lines.append("]")
    return "\n".join(lines)


def _header(net: Network, features: Sequence[str], flavor: str) -> str:
    shape = " -> ".join(str(s) for s in net.layer_sizes)
    needs = "numpy" if flavor == "numpy" else "numpy and torch"
    return (f'"""A network trained in Neural Sandbox, exported with its exact weights ({flavor} flavour).\n\n'
            f"Shape {shape} ({net.task}), hidden activations {', '.join(net.activation_names) or 'none'},\n"
            f"input features {', '.join(features)}. Needs only {needs}. Run it to see its predictions.\n"
            '"""\n')


def _features_function(features: Sequence[str], dtype: str) -> str:
    columns = ", ".join(FEATURE_CODE[name] for name in features)
    return f'''

def features(points):
    """Points (n, 2) -> the network's inputs (n, {len(features)}): {", ".join(features)}."""
    points = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    x1, x2 = points[:, 0], points[:, 1]
    return np.column_stack([{columns}]).astype(np.{dtype})
'''


def _predict_function(task: str) -> str:
    body = {
        "binary": "return (forward(points)[:, 0] > 0.5).astype(np.int64)",
        "multiclass": "return forward(points).argmax(axis=1)",
        "regression": "return forward(points)[:, 0]",
    }[task]
    what = "Values (n,)" if task == "regression" else "Class ids (n,)"
    return f'''

def predict(points):
    """{what} for points (n, 2)."""
    {body}
'''


def _main_block(net: Network) -> str:
    samples = ", ".join(f"({x!r}, {y!r})" for x, y in SAMPLE_POINTS)
    shape = " -> ".join(str(s) for s in net.layer_sizes)
    return f'''

if __name__ == "__main__":
    samples = np.array([{samples}])
    print("network: {shape} ({net.task}), hidden activations: {", ".join(net.activation_names) or "none"}")
    outputs, predictions = forward(samples), predict(samples)
    for point, output, prediction in zip(samples, outputs, predictions):
        shown = ", ".join(f"{{v:.6f}}" for v in output)
        print(f"({{point[0]:+.2f}}, {{point[1]:+.2f}}) -> [{{shown}}] -> {{prediction}}")
'''


def numpy_code(net: Network, features: Sequence[str]) -> str:
    """The numpy flavour: ``features``, ``forward`` and ``predict``, importing only numpy."""
    dtype = str(net.dtype)
    used = sorted(set(net.activation_names))
    hidden = "\n".join(f'    "{name}": lambda s: {NUMPY_ACTIVATION[name]},' for name in used)
    normalise = "    out /= out.sum(axis=1, keepdims=True)\n" if net.task == "multiclass" else ""
    what = "class probabilities" if net.task != "regression" else "values"
    forward = f'''

_ACTIVATIONS = {{
{hidden}
}}


def forward(points):
    """The network's outputs (n, {net.layer_sizes[-1]}) for points (n, 2): {what}."""
    a = features(points)
    for l, (w, b) in enumerate(zip(WEIGHTS, BIASES)):
        s = a @ np.asarray(w, dtype=np.{dtype}) + np.asarray(b, dtype=np.{dtype})
        a = _ACTIVATIONS[ACTIVATIONS[l]](s) if l < len(ACTIVATIONS) else _output(s)
    return a


def _output(s):
    out = {NUMPY_OUTPUT[net.task]}
{normalise}    return out
'''
    return (_header(net, features, "numpy") + "\nimport numpy as np\n\n"
            f"TASK = {net.task!r}\nFEATURES = {list(features)!r}\nACTIVATIONS = {net.activation_names!r}\n"
            + _weights_block(net) + "\n" + _features_function(features, dtype) + forward
            + _predict_function(net.task) + _main_block(net))


def torch_code(net: Network, features: Sequence[str]) -> str:
    """The torch flavour: ``features``, ``model`` (an ``nn.Sequential``), ``forward`` and ``predict``."""
    modules = []
    for l in range(net.n_layers):
        modules.append(f"    _linear({l}),")
        last = l == net.n_layers - 1
        modules.append(f"    {TORCH_OUTPUT[net.task] if last else TORCH_ACTIVATION[net.activation_names[l]]},")
    layers = "\n".join(modules)
    what = "class probabilities" if net.task != "regression" else "values"
    body = f'''

class Step(nn.Module):
    """The step activation: 1 where s > 0, else 0 (its derivative is 0 everywhere)."""

    def forward(self, s):
        return (s > 0).to(s.dtype)


def _linear(l):
    fan_in, fan_out = len(WEIGHTS[l]), len(BIASES[l])
    layer = nn.Linear(fan_in, fan_out)
    with torch.no_grad():
        layer.weight.copy_(torch.tensor(WEIGHTS[l], dtype=torch.float64).T)
        layer.bias.copy_(torch.tensor(BIASES[l], dtype=torch.float64))
    return layer


model = nn.Sequential(
{layers}
).float()
model.eval()


def forward(points):
    """The network's outputs (n, {net.layer_sizes[-1]}) for points (n, 2): {what}, as a numpy array."""
    with torch.no_grad():
        inputs = torch.as_tensor(features(points), dtype=torch.float32)
        return model(inputs).numpy().astype(np.float64)
'''
    return (_header(net, features, "torch") + "\nimport numpy as np\nimport torch\nfrom torch import nn\n\n"
            f"TASK = {net.task!r}\nFEATURES = {list(features)!r}\n"
            + _weights_block(net) + "\n" + _features_function(features, "float64") + body
            + _predict_function(net.task) + _main_block(net))


def export_code(net: Network, features: Sequence[str], flavor: str = "numpy") -> str:
    """The source of a standalone Python file that rebuilds ``net`` (with its input ``features``)."""
    features = check_features(features)
    if len(features) != net.layer_sizes[0]:
        raise EngineError(f"{len(features)} features for a network with {net.layer_sizes[0]} inputs")
    if flavor == "numpy":
        return numpy_code(net, features)
    if flavor == "torch":
        return torch_code(net, features)
    raise EngineError(f"unknown code flavour {flavor!r} (known: {', '.join(FLAVORS)})")


def write_code(path: str | os.PathLike[str], net: Network, features: Sequence[str], flavor: str = "numpy") -> None:
    """Write the exported file atomically (OSError naming ``path`` when it cannot be written)."""
    write_text_atomically(path, export_code(net, features, flavor))
