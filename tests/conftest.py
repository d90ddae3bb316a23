"""Test set-up: Qt renders offscreen and numpy's BLAS uses one thread."""

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

ROOT = Path(__file__).resolve().parent.parent


def pytest_addoption(parser):
    parser.addoption("--monkey-seconds", type=float, default=None,
                     help="how long the monkey test clicks around (default 20)")


def pytest_configure(config):
    seconds = config.getoption("--monkey-seconds")
    if seconds is not None:
        os.environ["NEURAL_SANDBOX_MONKEY_SECONDS"] = str(seconds)

if "NEURAL_SANDBOX_DATA_DIR" not in os.environ:  # keep tests away from the user's autosave and settings
    import tempfile

    os.environ["NEURAL_SANDBOX_DATA_DIR"] = tempfile.mkdtemp(prefix="neural-sandbox-tests-")
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
