"""Soak: train with live drawing for a long time; memory and frame rate must not drift.

Prints the window process's and the trainer's memory (RSS) and the frame rate over the
first minute and the last minute of the run, and the growth between them.

    python bench/soak.py [--minutes 10]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def rss_mb(pid: int | str = "self") -> float:
    """Resident memory of a process in MB (Linux /proc)."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    args = parser.parse_args()
    from PySide6.QtWidgets import QApplication

    from gui.main_window import MainWindow

    app = QApplication.instance() or QApplication([])
    window = MainWindow(preset="spiral", seed=0)
    window.configure([8, 8, 8], "tanh")
    window.show()
    window.controls.play.click()
    window.controller.wait_until(lambda s: s.playing and s.epoch > 0, timeout=20)
    frames = [0]
    original = window.draw

    def counted(snap):
        original(snap)
        frames[0] += 1

    window.draw = counted
    trainer = window.controller.process._process.pid
    total = args.minutes * 60
    window_seconds = min(60.0, total / 3)
    started = time.perf_counter()
    marks = {}
    while (elapsed := time.perf_counter() - started) < total:
        app.processEvents()
        time.sleep(0.001)
        if "start" not in marks and elapsed >= window_seconds:
            marks["start"] = (frames[0] / elapsed, rss_mb(), rss_mb(trainer), window.controller.latest.epoch)
        if "end_begin" not in marks and elapsed >= total - window_seconds:
            marks["end_begin"] = (frames[0], elapsed)
    end_frames, end_begin = marks["end_begin"]
    end = ((frames[0] - end_frames) / (total - end_begin), rss_mb(), rss_mb(trainer), window.controller.latest.epoch)
    window.close()
    for name, (fps, gui_mb, trainer_mb, epoch) in (("start", marks["start"]), ("end", end)):
        print(f"{name:5s} epoch {epoch:>9,}  {fps:5.1f} frames/s  window {gui_mb:7.1f} MB  "
              f"trainer {trainer_mb:7.1f} MB")
    print(f"growth: window {end[1] - marks['start'][1]:+.1f} MB, trainer {end[2] - marks['start'][2]:+.1f} MB, "
          f"frame rate {end[0] - marks['start'][0]:+.1f} frames/s over {args.minutes:g} minutes")


if __name__ == "__main__":
    main()
