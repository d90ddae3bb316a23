"""The engine is numpy and the standard library only: importing it, or running the whole
headless CLI, loads no Qt module (checked in a fresh interpreter)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

QT_PREFIXES = ("PySide6", "PySide2", "PyQt5", "PyQt6", "shiboken6", "shiboken2", "pyqtgraph", "qtpy")

PROBE = """
import json, sys
{body}
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in {prefixes!r})))
"""


def qt_modules_after(body: str, repo_root: Path) -> list[str]:
    """Run ``body`` in a fresh interpreter and return the Qt modules it left in sys.modules."""
    code = PROBE.format(body=body, prefixes=QT_PREFIXES)
    done = subprocess.run([sys.executable, "-c", code], cwd=repo_root, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])


def test_importing_the_engine_loads_no_qt(repo_root: Path) -> None:
    modules = sorted(p.stem for p in (repo_root / "engine").glob("*.py") if p.stem != "__init__")
    body = "\n".join(["import engine", *(f"import engine.{name}" for name in modules)])
    assert qt_modules_after(body, repo_root) == []


def test_a_headless_training_run_with_a_plot_loads_no_qt(repo_root: Path, tmp_path: Path) -> None:
    plot = str(tmp_path / "map.png")
    body = f"from engine.cli import main\nassert main(['--epochs', '2', '--quiet', '--plot', {plot!r}]) == 0"
    assert qt_modules_after(body, repo_root) == []


def test_the_probe_does_see_qt_when_it_is_loaded(repo_root: Path) -> None:
    # Without this, a probe that never finds anything would pass the two tests above.
    pytest.importorskip("PySide6.QtCore")
    assert "PySide6.QtCore" in qt_modules_after("import PySide6.QtCore", repo_root)
