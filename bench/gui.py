"""Benchmark: the real window, offscreen, training at full speed while drawing.

Prints frames drawn per second (snapshots drawn by the display timer; Qt then paints what
changed on the same thread), epochs trained per second, and the GUI thread's stalls measured
by a 10 ms heartbeat timer (how late each tick fired, paint time included). Two set-ups:
TensorFlow Playground's default (2-4-2-1 tanh, 500 points, 50% training, batch 10) and a
deep one (6 hidden layers of 8 neurons, 2,000 points). With ``--space`` each set-up runs
twice in the same process, without and then with the layer-space view open on its last
hidden layer (the trainer then also maps the grid and the points every snapshot). With
``--compare`` each set-up runs twice too, alone and then in compare mode (run B, a second
trainer process, differs in its learning rate, 0.3): frames are then those of the compare
panel (both maps drawn), epochs/s are given for A and B, with the largest epoch gap seen.

    python bench/gui.py [--seconds 10] [--space] [--compare]
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

import numpy as np

# Qt and the window are imported inside the functions: the training child process is
# spawned from this script and re-imports it, and it has no use for Qt.

TARGETS = {"default": (30.0, 1000.0, 33.0), "deep": (20.0, None, None)}


def measure(app, hidden: list[int], points: int, seconds: float, space: bool = False,
            compare: bool = False) -> dict[str, float]:
    """Train and draw for ``seconds`` (with the layer-space view of the last hidden layer
    open if ``space``, in compare mode if ``compare``); return frame rate, epoch rate and
    stall statistics."""
    from PySide6.QtCore import QTimer

    from gui.main_window import MainWindow

    window = MainWindow(preset="circle", seed=0)
    window.controls.point_count.setValue(points)
    window.controls.regenerate.click()
    window.configure(hidden, "tanh")
    window.controls.speed.setCurrentIndex(window.controls.speed.findData(None))  # as fast as it goes
    window.show()
    if space:
        window.space.show(len(hidden))
    seq = window.controller.flush_data()
    window.controller.wait_until(lambda s: s.seq >= seq and s.n_train == points // 2, timeout=20)
    paints = [0]
    b = None
    if compare:
        window.compare.enter("learning_rate", 0.3)
        b = window.compare.b
        n_train = window.controller.latest.n_train
        assert b.wait_until(lambda s: s.n_train == n_train and s.settings.learning_rate == 0.3, timeout=20)
        panel = window.compare.panel
        original_run = panel.draw_run

        def counted_run(run, snap):
            original_run(run, snap)
            paints[0] += run == "B"  # a frame of the panel: run B's map (A's is drawn as often or more)

        panel.draw_run = counted_run
    else:
        original_draw = window.draw

        def counted_draw(snap):
            original_draw(snap)  # Qt paints what changed when control returns to the event loop
            paints[0] += 1

        window.draw = counted_draw
    lateness: list[float] = []
    last = [time.perf_counter()]

    def beat() -> None:
        now = time.perf_counter()
        lateness.append(max(0.0, now - last[0] - 0.010))
        last[0] = now

    heartbeat = QTimer()
    heartbeat.setInterval(10)
    heartbeat.timeout.connect(beat)
    window.controls.play.click()
    window.controller.wait_until(lambda s: s.playing and s.epoch > 0, timeout=10)
    if space:
        assert window.controller.wait_until(lambda s: s.layer_space is not None, timeout=10)
    if b is not None:
        assert b.wait_until(lambda s: s.epoch > 0, timeout=10)
    start_epoch = window.controller.latest.epoch
    start_b = b.latest.epoch if b is not None else 0
    paints[0] = 0
    gaps: list[int] = []
    heartbeat.start()
    started = time.perf_counter()
    last[0] = started
    while time.perf_counter() - started < seconds:
        app.processEvents()
        if b is not None:
            gaps.append(window.controller.latest.epoch - b.latest.epoch)
        time.sleep(0.001)
    elapsed = time.perf_counter() - started
    heartbeat.stop()
    epochs = window.controller.latest.epoch - start_epoch
    epochs_b = b.latest.epoch - start_b if b is not None else 0
    window.close()
    stalls = np.array(lateness) * 1000 if lateness else np.zeros(1)
    return {
        "fps": paints[0] / elapsed,
        "epochs_per_s": epochs / elapsed,
        "stall_p99_ms": float(np.percentile(stalls, 99)),
        "stall_max_ms": float(stalls.max()),
        "draw_ms_median": float(np.median(list(window.frame_times)[-200:]) * 1000) if window.frame_times else 0.0,
        "b_epochs_per_s": epochs_b / elapsed,
        "gap_max": float(max(gaps)) if gaps else 0.0,
        "gap_min": float(min(gaps)) if gaps else 0.0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--space", action="store_true",
                        help="also measure each set-up with the layer-space view open")
    parser.add_argument("--compare", action="store_true",
                        help="also measure each set-up in compare mode (two trainer processes)")
    args = parser.parse_args()
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    setups = {"default": ([4, 2], 500), "deep": ([8] * 6, 2000)}
    views = [(False, False)] + ([(True, False)] if args.space else []) + ([(False, True)] if args.compare else [])
    runs = [(name, setup, view) for name, setup in setups.items() for view in views]
    for name, (hidden, points), (view, compare) in runs:
        r = measure(app, hidden, points, args.seconds, view, compare)
        fps_goal, epochs_goal, stall_goal = TARGETS[name]
        verdicts = [f"fps {'met' if r['fps'] >= fps_goal else 'NOT met'} (>= {fps_goal:g})"]
        if epochs_goal:
            met = "met" if r["epochs_per_s"] >= epochs_goal else "NOT met"
            verdicts.append(f"epochs/s {met} (>= {epochs_goal:g})")
        if stall_goal:
            met = "met" if r["stall_p99_ms"] <= stall_goal else "NOT met"
            verdicts.append(f"stall p99 {met} (<= {stall_goal:g} ms)")
        mode = ", layer space" if view else ", compare" if compare else ""
        rate = (f"A {r['epochs_per_s']:.0f} + B {r['b_epochs_per_s']:.0f} epochs/s "
                f"(A ahead of B by {r['gap_min']:.0f} to {r['gap_max']:.0f} epochs)" if compare
                else f"{r['epochs_per_s']:.0f} epochs/s")
        print(
            f"{name:8s} 2-{'-'.join(map(str, hidden))}-1, {points} points{mode}: "
            f"{r['fps']:.1f} frames/s, {rate}, "
            f"stall p99 {r['stall_p99_ms']:.1f} ms, max {r['stall_max_ms']:.1f} ms, "
            f"draw {r['draw_ms_median']:.2f} ms/frame   [{'; '.join(verdicts)}]"
        )


if __name__ == "__main__":
    main()
