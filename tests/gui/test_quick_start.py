"""Start-up shortcuts (gui.quick_start, main.py's collector pause) change nothing but the time they save."""

from __future__ import annotations

import gc
import importlib
import sys

import pytest

import main as entry
from gui.quick_start import quicken_pyside_imports


def test_the_quick_pyside_check_gives_pysides_own_answer_for_every_kind_of_module():
    feature = sys.modules["shibokensupport.feature"]
    quick = feature._mod_uses_pyside
    assert getattr(quick, "quick", False), "gui's import put the quick check in place"
    assert quicken_pyside_imports() and feature._mod_uses_pyside is quick  # never wrapped twice
    original = quick.__closure__[0].cell_contents  # the check PySide installed
    names = ["gui.widgets.canvas", "gui.quick_start", "engine.network", "json", "sys", "numpy._core._multiarray_umath",
             "pyqtgraph.graphicsItems.PlotItem.PlotItem", "PySide6.QtCore"]
    modules = [importlib.import_module(name) for name in names]
    answers = {module.__name__: quick(module) for module in modules}
    assert answers == {module.__name__: original(module) for module in modules}
    assert answers["gui.widgets.canvas"] and not answers["engine.network"]  # both kinds were asked


def test_the_window_entry_turns_the_collector_back_on_whatever_way_it_ends(tmp_path, qapp, monkeypatch):
    monkeypatch.setenv("NEURAL_SANDBOX_DATA_DIR", str(tmp_path / "data"))
    assert entry.main(["--lesson", "999"]) == 2  # a one-line refusal, before any window
    assert gc.isenabled()
    with pytest.raises(SystemExit):
        entry.main(["--layers", "4,99"])
    assert gc.isenabled()
