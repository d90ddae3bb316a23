"""Soak: kill -9 the window (or its trainer) at random moments, 20 rounds; nothing that had been
on screen for more than two seconds may be lost.

Each round starts a window on the same data folder; it takes back what the previous round
autosaved, then adds one point every 100 ms and prints each point's time on screen. At a
random moment the window (odd rounds) or its trainer (even rounds, then the window) is
killed with SIGKILL. The next round checks that every point shown more than two seconds
before the kill came back. Not part of the test suite (it takes about two minutes).

    flock /tmp/suite.lock python bench/kill_soak.py [--rounds 20] [--seed 0]
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHILD = r"""
import os, sys, time
sys.path.insert(0, {root!r})
os.environ["QT_QPA_PLATFORM"] = "offscreen"
from PySide6.QtWidgets import QApplication
from gui.main_window import MainWindow
app = QApplication([])
win = MainWindow(preset="xor", persistent=True, dialogs=False, ask_restore=lambda s: True)
win.show()
print("restored", len(win.model), flush=True)
print("trainer", win.controller.process._process.pid, flush=True)
win.controls.play.click()
i = 0
while True:
    x = 100.0 + {round_} * 1000 + i  # a point no preset makes: its x names round and index
    win.model.add([[x, 0.5]], [1.0])
    print("shown", x, time.time(), flush=True)
    end = time.time() + 0.1
    while time.time() < end:
        app.processEvents()
        time.sleep(0.005)
    i += 1
"""


def run_round(folder: Path, round_: int, rng: random.Random) -> tuple[int, list[tuple[float, float]], float]:
    """One window's life: (points restored, points shown with their times, time of the kill)."""
    env = {**os.environ, "NEURAL_SANDBOX_DATA_DIR": str(folder), "QT_QPA_PLATFORM": "offscreen"}
    child = subprocess.Popen([sys.executable, "-c", CHILD.format(root=str(ROOT), round_=round_)], env=env,
                             stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None
    restored = int(child.stdout.readline().split()[1])
    trainer = int(child.stdout.readline().split()[1])
    kill_at = time.time() + rng.uniform(2.5, 6.0)
    shown: list[tuple[float, float]] = []
    os.set_blocking(child.stdout.fileno(), False)
    pending = ""  # a non-blocking read can end inside a line: keep the part until its newline arrives
    while time.time() < kill_at:
        try:
            pending += os.read(child.stdout.fileno(), 65536).decode()  # the raw pipe: text wrappers fail here
        except BlockingIOError:
            pass
        *lines, pending = pending.split("\n")
        for line in lines:
            _, x, t = line.split()
            shown.append((float(x), float(t)))
        time.sleep(0.02)
    if round_ % 2 == 0:  # the trainer first, then the window a moment later
        os.kill(trainer, signal.SIGKILL)
        time.sleep(rng.uniform(0.0, 1.0))
    killed = time.time()
    child.send_signal(signal.SIGKILL)
    child.wait(10)
    return restored, shown, killed


def main() -> int:
    """Run the soak and print the worst loss."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    sys.path.insert(0, str(ROOT))  # the engine package, not bench/engine.py
    from engine.session_file import load_session

    lost_total = 0
    with tempfile.TemporaryDirectory(prefix="kill-soak-") as name:
        folder = Path(name)
        previous: tuple[list[tuple[float, float]], float] | None = None
        for round_ in range(1, args.rounds + 2):
            if previous is not None:
                shown, killed = previous
                saved = {float(x) for x, _ in load_session(folder / "autosave.json").points.tolist()}
                due = [x for x, t in shown if killed - t > 2.0]
                lost = [x for x in due if x not in saved]
                lost_total += len(lost)
                print(f"round {round_ - 1}: {len(shown)} points shown, {len(due)} on screen > 2 s before the "
                      f"kill, {len(lost)} lost", flush=True)
            if round_ > args.rounds:
                break
            _, shown, killed = run_round(folder, round_, rng)
            previous = (shown, killed)
    print(f"kill soak: {args.rounds} rounds, {lost_total} points lost that had been on screen for more than 2 s")
    return 0 if lost_total == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
