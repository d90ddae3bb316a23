"""A clean package: the wheel that ``pip install .`` installs holds the app's code and licence, nothing else."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_the_wheel_installs_only_the_apps_packages_with_an_spdx_licence(tmp_path):
    # Build from a copy, so the build's own folders (build/, *.egg-info) stay out of the checkout.
    source = tmp_path / "source"
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info", "build", ".*")
    for name in ("engine", "gui", "resources", "tests"):
        shutil.copytree(ROOT / name, source / name, ignore=ignore)
    for name in ("main.py", "pyproject.toml", "README.md", "LICENSE"):
        shutil.copy(ROOT / name, source / name)
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path / "out"),
                            str(source)], capture_output=True, text=True, timeout=600)
    assert built.returncode == 0, built.stdout + built.stderr
    (wheel,) = (tmp_path / "out").glob("neural_sandbox-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    info = next(n.split("/")[0] for n in names if n.endswith(".dist-info/METADATA"))
    assert {n.split("/")[0] for n in names} == {"engine", "gui", "main.py", info}
    # no screenshots, no test data; the only pictures are the icon the window loads at run time
    assert not [n for n in names if n.endswith((".png", ".csv")) and not n.startswith("gui/icons/")]
    assert "gui/icons/neural-sandbox.svg" in names
    assert f"{info}/licenses/LICENSE" in names
    metadata = zipfile.ZipFile(wheel).read(f"{info}/METADATA").decode()
    assert "License-Expression: MIT" in metadata.splitlines()
    assert any(line.startswith("Requires-Dist: numpy") and "<" in line for line in metadata.splitlines())
