"""Test set-up: Qt renders offscreen on a 1366x768 screen and numpy's BLAS uses one thread."""

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

# Offscreen, on the most common laptop screen (1366x768) rather than Qt's default 800x800.
SCREEN = Path(__file__).resolve().parent / "offscreen-screen.json"
if os.environ.get("QT_QPA_PLATFORM", "offscreen") == "offscreen":
    os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={SCREEN}"
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

ROOT = Path(__file__).resolve().parent.parent


def pytest_addoption(parser):
    parser.addoption("--monkey-actions", type=int, default=None,
                     help="how many random actions the monkey test makes (default 400)")


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: takes seconds (monkey, fuzzing, subprocesses); "
                            "skip with -m 'not slow' for a quick run")
    actions = config.getoption("--monkey-actions")
    if actions is not None:
        os.environ["NEURAL_SANDBOX_MONKEY_ACTIONS"] = str(actions)



@pytest.fixture(autouse=True, scope="session")
def _private_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Keep every test (and every process it starts) away from the user's autosave and settings."""
    before = os.environ.get("NEURAL_SANDBOX_DATA_DIR")
    os.environ["NEURAL_SANDBOX_DATA_DIR"] = str(tmp_path_factory.mktemp("data-dir"))
    yield
    if before is None:
        os.environ.pop("NEURAL_SANDBOX_DATA_DIR", None)
    else:
        os.environ["NEURAL_SANDBOX_DATA_DIR"] = before


if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
