"""Benchmark: the real window, offscreen, training at full speed while drawing.

For each set-up it prints frames drawn per second (snapshots drawn by the display timer; Qt
then paints what changed on the same thread), epochs trained per second while the window
draws every view, the GUI thread's stalls measured by a 10 ms heartbeat timer (how late each
tick fired, paint time included), the share of the trainer's time spent building and sending
snapshots, and then, in the same run, the engine alone: the same training loop on the same
data in this process with no window and no snapshots; the live/solo ratio says what drawing
costs the training. Set-ups: TensorFlow Playground's default (2-4-2-1 tanh, 500 points, 50%
training, batch 10), a deep one (6 hidden layers of 8 neurons, 2,000 points) and the default
network on 100,000 points. With ``--space`` each set-up also runs with the layer-space view
open on its last hidden layer (the trainer then also maps the grid and the points every
snapshot). With ``--compare`` each set-up also runs in compare mode (run B, a second trainer
process, differs in its learning rate, 0.3): frames are then those of the compare panel (both
maps drawn), epochs/s are given for A and B, with the largest epoch gap seen. ``--json``
prints every figure as one JSON object instead.

    python bench/gui.py [--seconds 10] [--space] [--compare] [--json] [--setups default,deep,huge]
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

import numpy as np

# Qt and the window are imported inside the functions: the training child process is
# spawned from this script and re-imports it, and it has no use for Qt.

SETUPS = {"default": ([4, 2], 500), "deep": ([8] * 6, 2000), "huge": ([4, 2], 100_000)}
# Goals of issue 16 (None: no goal for that figure in that set-up).
STALL_P99_GOAL = {"default": 16.0, "deep": 33.0, "huge": 33.0}
STALL_MAX_GOAL = {"default": 50.0, "deep": None, "huge": None}
RATIO_GOAL = {"default": 0.8, "deep": 0.8, "huge": None}
SOLO_SECONDS = 4.0


def _window(app, hidden: list[int], points: int, space: bool):
    """A window on the circle data with ``points`` points and the hidden layers ``hidden``,
    training as fast as it goes, the data applied."""
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
    window.controller.wait_until(lambda s: s.seq >= seq and s.n_train == points // 2, timeout=60)
    return window


def measure(app, hidden: list[int], points: int, seconds: float, space: bool = False,
            compare: bool = False) -> dict:
    """Train and draw for ``seconds`` (with the layer-space view of the last hidden layer
    open if ``space``, in compare mode if ``compare``); return frame rate, epoch rate,
    snapshot share and stall statistics, and the engine's epoch rate alone, measured half
    before and half after (noise on a shared machine then falls on both sides alike)."""
    from PySide6.QtCore import Qt, QTimer

    window = _window(app, hidden, points, space)
    m = window.model
    data = (m.points.copy(), m.labels.astype(np.int64), m.test_mask.copy(),
            (window.controller.bounds.low, window.controller.bounds.high))
    solo_seconds = min(seconds, SOLO_SECONDS) / 2
    solo = [measure_solo(hidden, data, solo_seconds)]
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
    heartbeat.setTimerType(Qt.TimerType.PreciseTimer)  # a coarse timer may fire 0.5 ms off by design
    heartbeat.setInterval(10)
    heartbeat.timeout.connect(beat)
    window.controls.play.click()
    window.controller.wait_until(lambda s: s.playing and s.epoch > 0, timeout=20)
    if space:
        assert window.controller.wait_until(lambda s: s.layer_space is not None, timeout=20)
    if b is not None:
        assert b.wait_until(lambda s: s.epoch > 0, timeout=20)
    app.processEvents()
    time.sleep(0.5)  # let the trainer's rate and share settle past the first snapshots
    start_epoch = window.controller.latest.epoch
    start_b = b.latest.epoch if b is not None else 0
    gaps: list[int] = []
    shares: list[float] = []
    paints[0] = 0
    heartbeat.start()
    started = time.perf_counter()
    last[0] = started
    while time.perf_counter() - started < seconds:
        app.processEvents()
        if b is not None:
            gaps.append(window.controller.latest.epoch - b.latest.epoch)
        time.sleep(0.001)
        snap = window.controller.latest
        share = getattr(snap, "publish_share", None)  # None: a version of the app that did not measure it
        if snap is not None and snap.playing and share is not None and (not shares or share != shares[-1]):
            shares.append(share)
    elapsed = time.perf_counter() - started
    heartbeat.stop()
    epochs = window.controller.latest.epoch - start_epoch
    epochs_b = b.latest.epoch - start_b if b is not None else 0
    window.close()
    solo.append(measure_solo(hidden, data, solo_seconds))
    stalls = np.array(lateness) * 1000 if lateness else np.zeros(1)
    return {
        "fps": paints[0] / elapsed,
        "epochs_per_s": epochs / elapsed,
        "stall_p50_ms": float(np.percentile(stalls, 50)),
        "stall_p99_ms": float(np.percentile(stalls, 99)),
        "stall_max_ms": float(stalls.max()),
        "draw_ms_median": float(np.median(list(window.frame_times)[-200:]) * 1000) if window.frame_times else 0.0,
        "snapshot_share": float(np.median(shares)) if shares else None,
        "solo_epochs_per_s": float(np.mean(solo)),
        "ratio": epochs / elapsed / float(np.mean(solo)),
        **({"b_epochs_per_s": epochs_b / elapsed, "gap_max": float(max(gaps)) if gaps else 0.0,
            "gap_min": float(min(gaps)) if gaps else 0.0} if compare else {}),
    }


def measure_solo(hidden: list[int], data: tuple, seconds: float) -> float:
    """Epochs per second of the engine alone: the trainer's own loop (an epoch, its test loss and
    history) on the window's data, without snapshots or a window, in this process."""
    from engine.commands import ApplyArchitecture, SetData
    from engine.config import Architecture
    from engine.live import LiveSession

    session = LiveSession(0)
    session.handle(1, ApplyArchitecture(Architecture(hidden=tuple(hidden), activations=("tanh",) * len(hidden))))
    session.handle(2, SetData(*data))
    for _ in range(3):
        session.train_epoch()
    done, started = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - started) < seconds:
        session.train_epoch()
        done += 1
    return done / elapsed


def verdicts(name: str, r: dict[str, float]) -> dict[str, bool]:
    """Each of issue 16's goals that applies to set-up ``name``: met or not."""
    out = {}
    if STALL_P99_GOAL.get(name) is not None:
        out[f"stall p99 <= {STALL_P99_GOAL[name]:g} ms"] = r["stall_p99_ms"] <= STALL_P99_GOAL[name]
    if STALL_MAX_GOAL.get(name) is not None:
        out[f"stall max <= {STALL_MAX_GOAL[name]:g} ms"] = r["stall_max_ms"] <= STALL_MAX_GOAL[name]
    if RATIO_GOAL.get(name) is not None:
        out[f"live/solo >= {RATIO_GOAL[name]:g}"] = r["ratio"] >= RATIO_GOAL[name]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--space", action="store_true",
                        help="also measure each set-up with the layer-space view open")
    parser.add_argument("--compare", action="store_true",
                        help="also measure each set-up in compare mode (two trainer processes)")
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    parser.add_argument("--setups", default=",".join(SETUPS), help=f"which set-ups ({', '.join(SETUPS)})")
    args = parser.parse_args()
    names = [n.strip() for n in args.setups.split(",") if n.strip()]
    unknown = [n for n in names if n not in SETUPS]
    if unknown:
        parser.error(f"unknown set-up {unknown[0]!r} (known: {', '.join(SETUPS)})")
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    modes = ["", *(["space"] if args.space else []), *(["compare"] if args.compare else [])]
    results: dict[str, dict] = {}
    for name in names:
        hidden, points = SETUPS[name]
        for mode in modes:
            key = f"{name}+{mode}" if mode else name
            r = measure(app, hidden, points, args.seconds, mode == "space", mode == "compare")
            r["network"] = "2-" + "-".join(map(str, hidden)) + "-1"
            r["points"] = points
            r["goals"] = verdicts(name, r) if not mode else {}
            results[key] = r
            if not args.json:
                goals = "; ".join(f"{goal}: {'met' if ok else 'NOT met'}" for goal, ok in r["goals"].items())
                print(
                    f"{key:13s} {r['network']}, {points:,} points: {r['fps']:.1f} frames/s, "
                    f"stall p99 {r['stall_p99_ms']:.1f} ms, max {r['stall_max_ms']:.1f} ms, "
                    f"draw {r['draw_ms_median']:.2f} ms/frame; epochs/s live {r['epochs_per_s']:,.0f}, "
                    f"solo {r['solo_epochs_per_s']:,.0f}, ratio {r['ratio']:.2f}"
                    + (f", snapshots {100 * r['snapshot_share']:.1f}% of the trainer"
                       if r["snapshot_share"] is not None else "")
                    + (f"; B {r['b_epochs_per_s']:,.0f} epochs/s, A ahead of B by {r['gap_min']:.0f} to "
                       f"{r['gap_max']:.0f} epochs" if mode == "compare" else "")
                    + (f"   [{goals}]" if goals else ""), flush=True)
    if args.json:
        print(json.dumps({"seconds": args.seconds, "setups": results}, indent=1))


if __name__ == "__main__":
    main()
