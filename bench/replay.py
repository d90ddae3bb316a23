"""What replay costs: showing a keyframe in the trainer, keeping keyframes in the window, saving them.

Run ``python bench/replay.py``. For the default network (2-4-2-1, 500 circle points) and the
largest the window builds (7 features, 8 layers of 16), after training it prints:

- the trainer's time to show a keyframe and build its snapshot (``ShowKeyframe`` + ``snapshot``),
  against a live snapshot's time (what a scrub adds to a frame the trainer publishes anyway);
- the keyframes a window keeps after a long run and their bytes, and the time to add one;
- a session's keyframes and the JSON they add.
"""

# ruff: noqa: E402 (the environment must be set before numpy is imported)
from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

_HERE = Path(__file__).resolve().parent
sys.path = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
sys.path.insert(0, str(_HERE.parent))

import numpy as np

from engine.commands import ApplyArchitecture, SetData, ShowKeyframe, Step
from engine.config import Architecture
from engine.datasets import generate
from engine.keyframes import Keyframe, KeyframeStore, for_session
from engine.live import LiveSession
from engine.session_file import Session, session_to_json

ALL_FEATURES = ("x1", "x2", "x1sq", "x2sq", "x1x2", "sinx1", "sinx2")
CASES = {
    "default 2-4-2-1": Architecture(),
    "largest 7-16x8-1": Architecture(hidden=(16,) * 8, activations=("tanh",) * 8, features=ALL_FEATURES),
}


def median_ms(action, repeats: int = 30) -> float:
    """The median time of ``action()`` in milliseconds."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


def main() -> None:
    points, labels = generate("circle", 500, 0.1, 0)
    for name, arch in CASES.items():
        s = LiveSession(0)
        s.handle(1, ApplyArchitecture(arch))
        s.handle(2, SetData(points, labels, np.arange(500) % 2 == 1, (-6.0, 6.0)))
        s.handle(3, Step(200))
        frames = list(s.snapshot().keyframes)
        live_ms = median_ms(s.snapshot)
        keyframe = frames[len(frames) // 2]

        def scrub(s: LiveSession = s, keyframe: Keyframe = keyframe) -> None:
            s.handle(4, ShowKeyframe(keyframe, s.run))
            s.snapshot()

        scrub_ms = median_ms(scrub)
        s.handle(5, ShowKeyframe(None, s.run))
        store = KeyframeStore()
        start = time.perf_counter()
        for epoch in range(20_000):  # a long run: far more keyframes than the store keeps
            store.add([Keyframe.of(s.net, epoch)])
        add_us = 1e6 * (time.perf_counter() - start) / 20_000
        kept = for_session(store.keyframes)
        base = Session(points, labels.astype(float), np.random.default_rng(0).random(500), 0.5, False,
                       arch.features, arch.hidden, arch.activations,
                       {"learning_rate": 0.03, "optimizer": "sgd", "batch_size": 10, "regularization": None,
                        "reg_rate": 0.0}, False, s.net.to_dict(), 20_000, np.zeros((0, 3)))
        without = len(session_to_json(base))
        start = time.perf_counter()
        with_keyframes = len(session_to_json(replace(base, keyframes=tuple(kept))))
        json_ms = 1000 * (time.perf_counter() - start)
        print(f"{name}: snapshot live {live_ms:.2f} ms, of a keyframe (ShowKeyframe + snapshot) {scrub_ms:.2f} ms; "
              f"window keeps {len(store)} keyframes in {store.nbytes / 1024:,.0f} kB (adding one {add_us:.0f} us); "
              f"a session keeps {len(kept)}: {without / 1024:,.0f} kB -> {with_keyframes / 1024:,.0f} kB "
              f"(written and checked in {json_ms:.0f} ms)")


if __name__ == "__main__":
    main()
