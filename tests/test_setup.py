"""Set-up on a fresh machine: the README's apt line, its two commands and .ci/run agree, and the window
says in one line why it cannot start (exit status 2) instead of letting Qt abort the process."""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import main

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
CI = (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def readme_block_after(heading: str) -> str:
    """The first line of the first ```sh block after the text ``heading`` in the README."""
    rest = README[README.index(heading):]
    return rest.split("```sh\n", 1)[1].split("\n", 1)[0]


def no_display_env(**extra: str) -> dict[str, str]:
    """This environment without any display or Qt platform choice, plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    return {**env, **extra}


def start_window(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    """``python main.py ARGS`` in a fresh process."""
    return subprocess.run([sys.executable, "main.py", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)


def assert_one_clear_line(result: subprocess.CompletedProcess, *words: str) -> None:
    """Exit status 2 (not an abort), and one line on stderr that contains ``words``."""
    assert result.returncode == 2, (result.returncode, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("neural-sandbox: cannot open the window: ")
    for word in words:
        assert word in lines[0]


def test_the_readme_the_ci_script_and_the_app_name_the_same_apt_packages():
    readme_line = readme_block_after("## Quick start")
    assert readme_line == f"sudo apt-get install {main.APT_PACKAGES}"
    ci_line = re.search(r'^packages="([^"]*)"$', CI, re.MULTILINE)
    assert ci_line is not None and ci_line.group(1) == main.APT_PACKAGES
    assert "python3-venv" in main.APT_PACKAGES.split()


def test_the_ci_script_runs_the_readme_test_command_exactly_then_lints():
    test_command = readme_block_after("Run the whole test suite")
    assert test_command.endswith("&& .venv/bin/python -m pytest")
    lines = CI.splitlines()
    assert test_command in lines
    assert lines.index(".venv/bin/ruff check .") > lines.index(test_command)
    assert "DEBIAN_FRONTEND=noninteractive" in CI


def test_the_lint_tool_is_pinned_to_one_version():
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert re.search(r'"ruff==\d+\.\d+\.\d+"', pyproject)


def test_without_a_display_the_window_explains_in_one_line_and_exits_2():
    assert_one_clear_line(start_window(no_display_env()), "no display", "--screenshot")


def test_the_xcb_platform_without_a_display_explains_in_one_line_and_exits_2():
    assert_one_clear_line(start_window(no_display_env(QT_QPA_PLATFORM="xcb")), "no display", "--screenshot")


def test_an_x_display_that_does_not_answer_is_named_in_one_line():
    # Display 4711 has no server (no socket): Qt would abort with "could not connect to display".
    result = start_window(no_display_env(DISPLAY=":4711", QT_QPA_PLATFORM="xcb"))
    assert_one_clear_line(result, "--screenshot")
    assert "':4711'" in result.stderr or "apt-get install" in result.stderr  # (or xcb's libraries are missing)


def test_a_missing_system_library_is_named_with_the_packages_to_install(tmp_path):
    # A PySide6 whose xcb plugin cannot find a library it links against: the plugin file is real, but copied
    # away from the Qt libraries its RUNPATH points to, as if their system packages were not installed.
    spec = importlib.util.find_spec("PySide6")
    real_plugin = Path(spec.submodule_search_locations[0], "Qt", "plugins", "platforms", "libqxcb.so")
    fake = tmp_path / "PySide6" / "Qt" / "plugins" / "platforms"
    fake.mkdir(parents=True)
    (tmp_path / "PySide6" / "__init__.py").write_text("")
    shutil.copy(real_plugin, fake / "libqxcb.so")
    env = no_display_env(DISPLAY=":4711", QT_QPA_PLATFORM="xcb", PYTHONPATH=str(tmp_path))
    result = start_window(env)
    assert_one_clear_line(result, "xcb platform plugin", ".so", "is missing",
                          f"sudo apt-get install {main.APT_PACKAGES}", "--screenshot")


def wrapped_load_error(name: str) -> None:
    """Fail as the frozen bundle's ctypes.CDLL does: PyInstaller re-raises the linker's error in its own words."""
    try:
        raise OSError("libGL.so.1: cannot open shared object file: No such file or directory")
    except OSError as base_error:
        raise OSError(f"Failed to load dynlib/dll {name!r}. Most likely this dynlib/dll was not found when the "
                      "application was frozen.") from base_error


def test_in_the_bundle_the_missing_library_and_the_bundles_packages_are_named(monkeypatch):
    # Seen in a clean Debian 12 chroot: the bundle said "Failed to load dynlib/dll ... is missing" and
    # asked for python3-venv; it must name libGL.so.1 and the bundle's own short apt line.
    monkeypatch.setattr(main.ctypes, "CDLL", wrapped_load_error)
    monkeypatch.setattr(main.sys, "frozen", True, raising=False)
    problem = main.qt_problem({"QT_QPA_PLATFORM": "offscreen"})
    assert problem == ("Qt's offscreen platform plugin cannot load: libGL.so.1 is missing; install the system "
                       f"libraries with `sudo apt-get install {main.BUNDLE_APT_PACKAGES}` (Debian/Ubuntu)")
    monkeypatch.setattr(main.sys, "frozen", False)
    assert f"`sudo apt-get install {main.APT_PACKAGES}`" in main.qt_problem({"QT_QPA_PLATFORM": "offscreen"})


def test_the_readme_names_the_bundles_apt_line():
    assert f"sudo apt-get install {main.BUNDLE_APT_PACKAGES}" in README


def test_the_offscreen_platform_passes_the_check():
    assert main.qt_problem({"QT_QPA_PLATFORM": "offscreen"}) is None
    assert main.qt_problem({}, screenshot=True) is None


def test_help_lists_the_train_command_without_needing_a_display():
    result = start_window(no_display_env(), "--help")
    assert result.returncode == 0, result.stderr
    assert "train" in result.stdout and "--screenshot" in result.stdout


def option_strings(parser) -> set[str]:
    """Every long option of an argparse parser except --help."""
    return {s for action in parser._actions for s in action.option_strings if s.startswith("--") and s != "--help"}


@pytest.mark.parametrize("module", ["engine.cli", "gui.app"])
def test_the_readme_lists_every_command_line_option(module):
    parser = importlib.import_module(module).build_parser()
    missing = sorted(o for o in option_strings(parser) if not re.search(rf"`{re.escape(o)}[ `]", README))
    assert not missing, f"not in the README's option tables: {missing}"


def test_the_ci_script_checks_types_after_the_lint_with_a_pinned_mypy():
    lines = CI.splitlines()
    assert lines.index(".venv/bin/mypy --strict engine") > lines.index(".venv/bin/ruff check .")
    assert ".venv/bin/mypy gui" in lines
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert re.search(r'"mypy==\d+\.\d+\.\d+"', pyproject)
