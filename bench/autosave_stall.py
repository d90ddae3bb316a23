"""Benchmark: does autosave stall the window when there are 100,000 points?

Issue #11 measured a 689 ms stall a second after every edit with 100,000 points, when the
session was serialised and written on the GUI thread. Now only an immutable copy is taken on
the GUI thread and a worker serialises and writes it. This opens the real window offscreen
(paused, so the trainer does not compete), loads 100,000 points, then makes EDITS edits two
seconds apart, and measures the GUI thread's stalls with a 5 ms heartbeat while autosave
fires after each edit. The same is measured in the same run with autosave off, so the
difference is autosave's share.

    flock /tmp/suite.lock python bench/autosave_stall.py [--points 100000] [--edits 5]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np


def measure(app, persistent: bool, points: int, edits: int) -> dict[str, float]:
    """Stall statistics over ``edits`` edits, each followed by two seconds of waiting."""
    from PySide6.QtCore import QTimer

    from gui.main_window import MainWindow

    window = MainWindow(preset="circle", seed=0, persistent=persistent, ask_restore=lambda session: False)
    window.show()
    rng = np.random.default_rng(0)
    xy = rng.uniform(-5, 5, size=(points, 2))
    window.model.add(xy, (xy[:, 0] * xy[:, 1] > 0).astype(float))
    seq = window.controller.flush_data()
    window.controller.wait_until(lambda s: s.seq >= seq, timeout=60)
    settle = time.perf_counter()
    while time.perf_counter() - settle < 3.0:  # let the first autosave of the new points finish
        app.processEvents()
        time.sleep(0.002)
    saves_before = window.autosaver.saves if window.autosaver is not None else 0
    capture_ms: list[float] = []
    if window.autosaver is not None:
        capture = window.autosaver.capture

        def timed_capture():
            started = time.perf_counter()
            session = capture()
            capture_ms.append((time.perf_counter() - started) * 1000)
            return session

        window.autosaver.capture = timed_capture
    lateness: list[float] = []
    last = [time.perf_counter()]

    def beat() -> None:
        now = time.perf_counter()
        lateness.append(max(0.0, now - last[0] - 0.005))
        last[0] = now

    heartbeat = QTimer()
    heartbeat.setInterval(5)
    heartbeat.timeout.connect(beat)
    heartbeat.start()
    last[0] = time.perf_counter()
    for k in range(edits):
        window.model.add([[0.1 * k, -0.1 * k]], [1.0])
        started = time.perf_counter()
        while time.perf_counter() - started < 2.0:
            app.processEvents()
            time.sleep(0.001)
    heartbeat.stop()
    saves = (window.autosaver.saves if window.autosaver is not None else 0) - saves_before
    window.close()
    stalls = np.array(lateness) * 1000 if lateness else np.zeros(1)
    return {"stall_p99_ms": float(np.percentile(stalls, 99)), "stall_max_ms": float(stalls.max()),
            "saves": saves, "capture_ms_max": max(capture_ms, default=0.0),
            "largest": sorted(stalls)[-5:]}


def main() -> None:
    """Measure with autosave off and on, in one run, and print both."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=100_000)
    parser.add_argument("--edits", type=int, default=5)
    args = parser.parse_args()
    os.environ["NEURAL_SANDBOX_DATA_DIR"] = tempfile.mkdtemp(prefix="ns-autosave-bench-")
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv)
    off = measure(app, False, args.points, args.edits)
    on = measure(app, True, args.points, args.edits)
    print(f"{args.points:,} points, {args.edits} edits two seconds apart, window paused:")
    print(f"  autosave off: stall p99 {off['stall_p99_ms']:.1f} ms, max {off['stall_max_ms']:.1f} ms")
    print(f"  autosave on:  stall p99 {on['stall_p99_ms']:.1f} ms, max {on['stall_max_ms']:.1f} ms, "
          f"{on['saves']} saves, GUI-thread copy at most {on['capture_ms_max']:.1f} ms")
    print(f"  five largest stalls, off: {', '.join(f'{v:.0f}' for v in off['largest'])} ms; "
          f"on: {', '.join(f'{v:.0f}' for v in on['largest'])} ms")
    print(f"  autosave's extra max stall: {on['stall_max_ms'] - off['stall_max_ms']:+.1f} ms (was 689 ms before #11)")


if __name__ == "__main__":
    main()
