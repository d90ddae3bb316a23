"""Code export: the exported file computes what the engine computes, for every activation, task and
feature; numpy to 1e-9, torch (float32) to 1e-5 where torch is installed; the CLI writes it safely."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

from engine import cli
from engine.activations import ACTIVATIONS
from engine.export_code import export_code
from engine.features import FEATURES, transform
from engine.network import Network
from engine.trainer import Trainer

ALL_FEATURES = list(FEATURES)
TASKS = ("binary", "multiclass", "regression")


def trained(activation: str, task: str, features: list[str], dtype: str = "float64") -> Network:
    """A network with two hidden layers of ``activation``, trained a few epochs on random data."""
    rng = np.random.default_rng(3)
    points = rng.uniform(-5, 5, (80, 2))
    labels: np.ndarray = {
        "binary": (points[:, 0] * points[:, 1] > 0).astype(np.int64),
        "multiclass": (np.floor(points[:, 0] + 5) // 3.4).astype(np.int64),
        "regression": np.sin(points[:, 0]) + 0.1 * points[:, 1],
    }[task]
    outputs = int(labels.max()) + 1 if task == "multiclass" else 1
    net = Network([len(features), 5, 3, outputs], activation, task, seed=1, dtype=dtype)
    trainer = Trainer(net, "adam", 0.05, 10, None, 0.0, 0)
    X = transform(points, features, net.dtype)
    for _ in range(5):
        trainer.epoch(X, labels)
    return net


def load_exported(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"exported_{path.stem}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def probe_points() -> np.ndarray:
    rng = np.random.default_rng(7)
    return np.concatenate([rng.uniform(-6, 6, (200, 2)), [[0.0, 0.0], [1e-3, -1e-3], [5.9, -5.9]]])


@pytest.mark.parametrize("task", TASKS)
@pytest.mark.parametrize("activation", list(ACTIVATIONS))
def test_numpy_export_agrees_with_the_engine(tmp_path: Path, activation: str, task: str) -> None:
    net = trained(activation, task, ALL_FEATURES)
    path = tmp_path / f"net_{activation}_{task}.py"
    path.write_text(export_code(net, ALL_FEATURES, "numpy"), encoding="utf-8")
    module = load_exported(path)
    points = probe_points()
    X = transform(points, ALL_FEATURES)
    np.testing.assert_allclose(module.features(points), X, rtol=0, atol=1e-12)
    expected = net.forward(X)
    got = module.forward(points)
    assert got.shape == expected.shape == (len(points), net.layer_sizes[-1])
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-9)
    if task == "regression":
        np.testing.assert_allclose(module.predict(points), net.predict(X), rtol=0, atol=1e-9)
    else:
        np.testing.assert_array_equal(module.predict(points), net.predict(X))
    if task == "multiclass":  # probabilities, not logits
        np.testing.assert_allclose(got.sum(axis=1), 1.0, atol=1e-12)
    if task == "binary":
        assert np.all((got >= 0) & (got <= 1))


@pytest.mark.parametrize("feature", ALL_FEATURES)
def test_each_feature_alone_is_exported(tmp_path: Path, feature: str) -> None:
    net = trained("tanh", "binary", [feature])
    path = tmp_path / f"only_{feature}.py"
    path.write_text(export_code(net, [feature]), encoding="utf-8")
    points = probe_points()
    np.testing.assert_allclose(load_exported(path).forward(points), net.forward(transform(points, [feature])),
                               rtol=0, atol=1e-9)


def test_weights_are_written_exactly(tmp_path: Path) -> None:
    net = trained("relu", "multiclass", ["x1", "x2"])
    path = tmp_path / "exact.py"
    path.write_text(export_code(net, ["x1", "x2"]), encoding="utf-8")
    module = load_exported(path)
    for l in range(net.n_layers):  # shortest repr reads back bit for bit
        np.testing.assert_array_equal(np.array(module.WEIGHTS[l]), net.weights[l])
        np.testing.assert_array_equal(np.array(module.BIASES[l]), net.biases[l])


def test_a_float32_network_exports_in_float32(tmp_path: Path) -> None:
    net = trained("sigmoid", "binary", ["x1", "x2", "x1x2"], dtype="float32")
    path = tmp_path / "f32.py"
    path.write_text(export_code(net, ["x1", "x2", "x1x2"]), encoding="utf-8")
    points = probe_points()
    got = load_exported(path).forward(points)
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, net.forward(transform(points, ["x1", "x2", "x1x2"], np.float32)), atol=1e-5)


def test_the_numpy_file_imports_only_numpy_and_runs_as_a_script(tmp_path: Path) -> None:
    net = trained("tanh", "multiclass", ["x1", "x2"])
    path = tmp_path / "script.py"
    source = export_code(net, ["x1", "x2"])
    imports = [line for line in source.splitlines() if line.startswith(("import ", "from "))]
    assert imports == ["import numpy as np"]
    path.write_text(source, encoding="utf-8")
    done = subprocess.run([sys.executable, str(path)], capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "network: 2 -> 5 -> 3 -> 3 (multiclass), hidden activations: tanh, tanh"
    assert len(lines) == 7 and all("->" in line for line in lines[1:])


def _python_with_torch() -> str | None:
    """An interpreter that has torch: NEURAL_SANDBOX_TORCH_PYTHON if set, else this one if it has torch."""
    chosen = os.environ.get("NEURAL_SANDBOX_TORCH_PYTHON")
    if chosen:
        return chosen
    return sys.executable if importlib.util.find_spec("torch") is not None else None


@pytest.mark.parametrize("task", TASKS)
def test_torch_export_agrees_with_the_engine(tmp_path: Path, task: str) -> None:
    python = _python_with_torch()
    if python is None:
        pytest.skip("torch is not installed (Neural Sandbox never needs it; set NEURAL_SANDBOX_TORCH_PYTHON to "
                    "a Python that has torch to run this test)")
    points = probe_points()
    np.save(tmp_path / "points.npy", points)
    expected = {}
    for activation in ACTIVATIONS:
        net = trained(activation, task, ALL_FEATURES)
        (tmp_path / f"t_{activation}.py").write_text(export_code(net, ALL_FEATURES, "torch"), encoding="utf-8")
        expected[activation] = net.forward(transform(points, ALL_FEATURES))
    probe = (
        "import importlib.util, json, sys\nimport numpy as np\nimport torch\n"
        "points = np.load('points.npy')\nout = {}\n"
        "for name in sys.argv[1:]:\n"
        "    spec = importlib.util.spec_from_file_location(name, f't_{name}.py')\n"
        "    m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)\n"
        "    assert isinstance(m.model, torch.nn.Sequential)\n"
        "    out[name] = m.forward(points).tolist()\n"
        "print(json.dumps(out))\n"
    )
    done = subprocess.run([python, "-c", probe, *ACTIVATIONS], capture_output=True, text=True, timeout=300,
                          cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    got = json.loads(done.stdout)
    for activation in ACTIVATIONS:
        np.testing.assert_allclose(np.array(got[activation]), expected[activation], rtol=0, atol=1e-5,
                                   err_msg=activation)


def test_the_torch_file_needs_torch_only_to_run(repo_root: Path) -> None:
    source = export_code(trained("step", "binary", ["x1", "x2"]), ["x1", "x2"], "torch")
    compile(source, "t.py", "exec")  # valid Python wherever torch is absent
    assert "nn.Sequential(" in source and "class Step(nn.Module)" in source
    probe = ("import sys\nfrom engine.network import Network\nfrom engine.export_code import export_code\n"
             "export_code(Network([2, 3, 1], 'step'), ['x1', 'x2'], 'torch')\n"
             "print(sorted(m for m in sys.modules if m.split('.')[0] == 'torch'))\n")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, cwd=repo_root)
    assert done.returncode == 0 and done.stdout.strip() == "[]"  # exporting never imports torch


# ---------------------------------------------------------------------- the CLI
def test_cli_exports_the_trained_network(capsys, tmp_path: Path) -> None:
    out = tmp_path / "net.py"
    model = tmp_path / "net.json"
    status = cli.main(["--preset", "multigauss", "--points", "120", "--epochs", "20", "--features", "x1,x2,sinx1",
                       "--activation", "relu", "--export-code", str(out), "--save-model", str(model), "--quiet"])
    assert status == 0
    module = load_exported(out)
    from engine.session_file import load_model

    net, features = load_model(str(model))
    points = probe_points()
    np.testing.assert_allclose(module.forward(points), net.forward(transform(points, features)), rtol=0, atol=1e-9)


def test_cli_torch_flavor_and_a_bad_flavor(capsys, tmp_path: Path) -> None:
    out = tmp_path / "t.py"
    assert cli.main(["--preset", "xor", "--epochs", "2", "--export-code", str(out), "--code-flavor", "torch",
                     "--quiet"]) == 0
    assert "import torch" in out.read_text()
    capsys.readouterr()
    assert cli.main(["--preset", "xor", "--epochs", "2", "--export-code", str(out), "--code-flavor", "jax"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--code-flavor" in err


def test_cli_refuses_a_code_target_that_is_not_a_regular_file(capsys, tmp_path: Path) -> None:
    folder = tmp_path / "folder.py"
    folder.mkdir()
    status = cli.main(["--preset", "xor", "--epochs", "3", "--export-code", str(folder)])
    err = capsys.readouterr().err
    assert status == 2 and err.count("\n") == 1
    assert f"--export-code {folder}: " in err and "not a regular file" in err and "epoch" not in err
    assert folder.is_dir() and not any(folder.iterdir())
    status = cli.main(["--preset", "xor", "--epochs", "3", "--export-code", str(tmp_path / "no" / "x.py")])
    assert status == 2 and "does not exist" in capsys.readouterr().err
