"""The standalone bundle (``packaging/build``): built with PyInstaller, it runs with no Python around it."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the bundle is built and checked on Linux"),
]


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundle's executable, built once for this module from the checkout."""
    pytest.importorskip("PyInstaller", reason="PyInstaller is not installed; `pip install -e '.[bundle]'` "
                                              "to build and test the standalone bundle")
    if shutil.which("readelf") is None:
        pytest.skip("binutils is not installed (readelf, objdump, strip): the bundle cannot be built")
    out = tmp_path_factory.mktemp("bundle")
    built = subprocess.run([sys.executable, str(ROOT / "packaging" / "build"), "--dist", str(out / "dist"),
                            "--work", str(out / "work")], capture_output=True, text=True, timeout=1800)
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    exe = out / "dist" / "neural-sandbox" / "neural-sandbox"
    assert exe.is_file()
    return exe


def bare_env(home: Path) -> dict[str, str]:
    """A machine without Python: no PATH, no PYTHONPATH, nothing but a home and Qt's offscreen platform."""
    return {"HOME": str(home), "QT_QPA_PLATFORM": "offscreen", "NEURAL_SANDBOX_DATA_DIR": str(home / "data")}


def run(exe: Path, args: list[str], home: Path) -> subprocess.CompletedProcess[str]:
    """Run the bundle from an empty folder (nothing of the checkout to import) in a bare environment."""
    return subprocess.run([str(exe), *args], env=bare_env(home), cwd=home, capture_output=True, text=True,
                          timeout=300)


def test_the_bundle_trains_headless_with_path_and_pythonpath_cleared(bundle, tmp_path):
    result = run(bundle, ["train", "--preset", "xor", "--epochs", "3", "--json"], tmp_path)
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["epochs"] == 3
    assert [row["epoch"] for row in summary["history"]] == [1, 2, 3]
    assert 0 <= summary["final"]["train_accuracy"] <= 1


def test_the_bundle_draws_the_window_trained_by_its_spawned_trainer(bundle, tmp_path, qapp):
    from PySide6.QtGui import QImage

    shot = tmp_path / "window.png"
    # --epochs makes the window's trainer (a child process: the bundle's executable again, via freeze_support)
    # train 40 epochs; the screenshot is only saved once its snapshots say they are done.
    result = run(bundle, ["--screenshot", str(shot), "--preset", "xor", "--epochs", "40"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    image = QImage(str(shot))
    assert not image.isNull() and image.width() >= 800 and image.height() >= 500
    step = 7
    colours = {image.pixel(x, y) for x in range(0, image.width(), step) for y in range(0, image.height(), step)}
    assert len(colours) > 50  # the decision map, the neuron maps and the text: not a blank window
    # An untrained window (no trainer child needed for the data) looks different: the 40 epochs were drawn.
    untrained = tmp_path / "untrained.png"
    assert run(bundle, ["--screenshot", str(untrained), "--preset", "xor"], tmp_path).returncode == 0
    assert QImage(str(untrained)) != image


def test_the_bundle_carries_the_lessons_the_desktop_entry_and_the_icon(bundle, tmp_path):
    # The lessons are read from files at run time: asking for one that does not exist lists those it found.
    result = run(bundle, ["--screenshot", str(tmp_path / "x.png"), "--lesson", "99"], tmp_path)
    assert result.returncode == 2
    assert "no lesson 99; the lessons are:" in result.stderr and "One neuron" in result.stderr
    folder = bundle.parent
    assert (folder / "share" / "applications" / "neural-sandbox.desktop").is_file()
    assert (folder / "share" / "icons" / "hicolor" / "scalable" / "apps" / "neural-sandbox.svg").is_file()
    assert (folder / "share" / "icons" / "hicolor" / "256x256" / "apps" / "neural-sandbox.png").is_file()
    assert (folder / "_internal" / "gui" / "icons" / "neural-sandbox.svg").is_file()


def test_the_bundle_leaves_out_test_tools_and_unused_qt(bundle):
    internal = bundle.parent / "_internal"
    names = {path.name for path in internal.rglob("*")}
    assert not {"pytest", "_pytest", "hypothesis", "pytestqt", "mypy"} & names
    assert not [name for name in names if name.startswith(("libQt6Qml", "libQt6Quick", "libQt6WebEngine",
                                                           "libQt6Pdf", "libqgtk3", "libqvnc", "libqeglfs"))]
    assert not (internal / "PySide6" / "Qt" / "translations").exists()
