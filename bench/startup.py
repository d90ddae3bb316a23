"""Benchmark: from launch to the first drawn frame, the app against a bare pyqtgraph window.

Each run starts a fresh Python process and measures from just before the process is started
to the end of the window's first paint: for the app, ``main.py`` as a user starts it (its
imports, the trainer process, the window, settings read from an empty data folder); for the
bare window, one ``QMainWindow`` holding one ``pyqtgraph.PlotWidget``. The two kinds of run
alternate, so noise on a shared machine falls on both alike; the medians and their ratio
are printed (issue 16's goal: the ratio <= 1.25).

Python's compiled-bytecode cache is allowed for every launch, even when the calling shell
sets PYTHONDONTWRITEBYTECODE: a user's first run writes ``__pycache__`` (pip already did so
for pyqtgraph), and without it the app alone would compile its ~100 modules on every launch.

    python bench/startup.py [--runs 7] [--json] [--before PATH]

``--before PATH`` also launches the app of another checkout (say, a clone of an older
commit) in the same alternation, and prints its figures beside this one's.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GOAL = 1.25

# Both children report the moment their window's first paint has finished: a zero-delay timer
# posted from the first paint event of any of its widgets fires once that paint (the whole
# window, in one pass, and its flush) is over.
PROBE = r"""
import os, sys, time
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication

class FirstPaint(QObject):
    def __init__(self, window):
        super().__init__(window)
        self.window, self.seen = window, False
        QApplication.instance().installEventFilter(self)
    def eventFilter(self, obj, event):
        if (event.type() == QEvent.Type.Paint and not self.seen and hasattr(obj, "window")
                and obj.window() is self.window):
            self.seen = True
            QTimer.singleShot(0, self.report)
        return False
    def report(self):
        print("first-frame", time.monotonic(), flush=True)
        QApplication.instance().quit()
"""

# The app starts as `python main.py` does, importing in its own order: the probe imports nothing
# before it. A finder on the import path wraps gui.app.start once that module has loaded, and the
# probe's Qt code runs only after start() built the window (Qt is loaded by then).
APP = r"""
import importlib.util, os, sys
sys.path.insert(0, {root!r})
PROBE = {probe!r}

class WatchApp:
    def find_spec(self, name, path=None, target=None):
        if name != "gui.app":
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(name)
        load = spec.loader.exec_module
        def exec_module(module):
            load(module)
            start = module.start
            def probed_start(args, hidden):
                window = start(args, hidden)
                probe = {{}}
                exec(PROBE, probe)
                window._first_paint = probe["FirstPaint"](window)
                return window
            module.start = probed_start
        spec.loader.exec_module = exec_module
        return spec

sys.meta_path.insert(0, WatchApp())
import main
main.main([])
os._exit(0)  # the trainer is a daemon child: it goes with us
"""

BARE = PROBE + r"""
import pyqtgraph as pg
from PySide6.QtWidgets import QMainWindow
app = QApplication(sys.argv[:1])
window = QMainWindow()
window.setCentralWidget(pg.PlotWidget())
window.resize(1280, 720)
window.show()
probe = FirstPaint(window)
app.exec()
os._exit(0)
"""


def launch(code: str, env: dict[str, str]) -> float:
    """Seconds from starting a Python process running ``code`` to its first drawn frame."""
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    for line in done.stdout.splitlines():
        if line.startswith("first-frame "):
            return float(line.split()[1]) - started
    raise RuntimeError(f"no frame was drawn (exit {done.returncode}): {done.stderr.strip()[-500:]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="runs of each kind (alternating)")
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    parser.add_argument("--before", type=Path, metavar="PATH", help="also time the app of the checkout at PATH")
    args = parser.parse_args()
    app_times, bare_times, before_times = [], [], []
    before_code = APP.format(root=str(args.before.resolve()), probe=PROBE) if args.before else None
    with tempfile.TemporaryDirectory() as home:
        runs = iter(range(10**6))

        def env() -> dict[str, str]:
            """A fresh data and settings folder for each launch: no recovery question, no remembered layout."""
            folder = Path(home, str(next(runs)))
            inherited = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}
            return {**inherited, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen"),
                    "NEURAL_SANDBOX_DATA_DIR": str(folder / "data"), "XDG_CONFIG_HOME": str(folder / "config"),
                    "HOME": str(folder)}

        # Warm the file cache for both, and write the app's bytecode cache as a user's first run does:
        # the first launch after an install or an update is not the question.
        launch(BARE, env())
        launch(APP.format(root=str(ROOT), probe=PROBE), env())
        if before_code:
            launch(before_code, env())
        for _ in range(args.runs):
            bare_times.append(launch(BARE, env()))
            app_times.append(launch(APP.format(root=str(ROOT), probe=PROBE), env()))
            if before_code:
                before_times.append(launch(before_code, env()))
    app_s, bare_s = statistics.median(app_times), statistics.median(bare_times)
    ratio = app_s / bare_s
    figures = {"app_s": app_s, "bare_s": bare_s, "ratio": ratio, "goal": GOAL, "met": ratio <= GOAL,
               "app_runs_s": app_times, "bare_runs_s": bare_times}
    if before_times:
        before_s = statistics.median(before_times)
        figures.update(before_s=before_s, before_ratio=before_s / bare_s, before_runs_s=before_times)
    if args.json:
        print(json.dumps(figures, indent=1))
    else:
        if before_times:
            print(f"before ({args.before}): app {figures['before_s']:.2f} s, ratio {figures['before_ratio']:.2f}")
        print(f"launch to first drawn frame (median of {args.runs}): app {app_s:.2f} s, bare pyqtgraph window "
              f"{bare_s:.2f} s, ratio {ratio:.2f}   [ratio <= {GOAL:g}: {'met' if ratio <= GOAL else 'NOT met'}]")


if __name__ == "__main__":
    main()
