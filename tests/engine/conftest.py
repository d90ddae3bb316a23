"""Shared fixtures for the engine tests: the repository root and a ``main.py`` runner."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
if str(REPO_ROOT) not in sys.path:  # so `import engine` works without installing the project
    sys.path.insert(0, str(REPO_ROOT))


@pytest.fixture
def repo_root() -> Path:
    """The repository's root folder (where main.py lives)."""
    return REPO_ROOT


@pytest.fixture
def run_main() -> Callable[..., subprocess.CompletedProcess]:
    """``run_main(*args)`` runs ``python main.py ARGS`` from the repository root."""

    def run(*args: str, timeout: float = 60) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "main.py", *map(str, args)],
            cwd=REPO_ROOT, capture_output=True, text=True, timeout=timeout,
        )

    return run
