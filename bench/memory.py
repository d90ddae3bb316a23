"""Benchmark: resident memory of the window and of its trainer over a long live run.

The deep set-up of ``bench/gui.py`` (six hidden layers of 8 neurons, 2,000 points of the
circle data) trains as fast as it goes while the window draws every view. The window's and
the trainer's resident memory (RSS) are read a few seconds after training starts and at the
end; issue 16's goal: neither grows by more than 20 MB over ten minutes.

    python bench/memory.py [--minutes 10] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from soak import rss_mb  # bench/ is on the path when a bench script runs

GOAL_MB = 20.0
SETTLE_SECONDS = 5.0  # "after start": this long after training began (first snapshots drawn, buffers made)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    args = parser.parse_args()
    from PySide6.QtWidgets import QApplication

    from gui.main_window import MainWindow

    app = QApplication.instance() or QApplication([])
    window = MainWindow(preset="circle", seed=0)
    window.controls.point_count.setValue(2000)
    window.controls.regenerate.click()
    window.configure([8] * 6, "tanh")
    window.controls.speed.setCurrentIndex(window.controls.speed.findData(None))  # as fast as it goes
    window.show()
    window.controls.play.click()
    window.controller.wait_until(lambda s: s.playing and s.epoch > 0, timeout=60)
    trainer = window.controller.process._process.pid
    started = time.perf_counter()
    start = None
    while (elapsed := time.perf_counter() - started) < args.minutes * 60:
        app.processEvents()
        time.sleep(0.001)
        if start is None and elapsed >= SETTLE_SECONDS:
            start = (rss_mb(), rss_mb(trainer), window.controller.latest.epoch)
    assert start is not None, "the run was shorter than the settling time"
    end = (rss_mb(), rss_mb(trainer), window.controller.latest.epoch)
    restarts = window.controller.restarts
    window.close()
    growth = (end[0] - start[0], end[1] - start[1])
    figures = {
        "minutes": args.minutes, "epochs": end[2] - start[2], "trainer_restarts": restarts,
        "window_mb": {"start": start[0], "end": end[0], "growth": growth[0]},
        "trainer_mb": {"start": start[1], "end": end[1], "growth": growth[1]},
        "goal_mb": GOAL_MB, "met": max(growth) <= GOAL_MB and restarts == 0,
    }
    if args.json:
        print(json.dumps(figures, indent=1))
        return
    for name, index in (("window", 0), ("trainer", 1)):
        print(f"{name:8s} {start[index]:7.1f} MB after start, {end[index]:7.1f} MB after {args.minutes:g} minutes: "
              f"{growth[index]:+.1f} MB")
    print(f"{end[2] - start[2]:,} epochs of 2-8-8-8-8-8-8-1 on 2,000 points; growth <= {GOAL_MB:g} MB: "
          f"{'met' if figures['met'] else 'NOT met'}")


if __name__ == "__main__":
    main()
