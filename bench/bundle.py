"""Benchmark: the standalone bundle beside the venv -- its size, and how long each takes to start.

Start-up is timed three ways, each as the wall-clock time of a fresh process until it exits:

- window: ``--screenshot`` of the untrained window (Qt offscreen): Qt and the window built, the trainer
  child spawned and its first snapshot drawn, the PNG saved -- the time to the first drawn window;
- train: ``train --preset xor --epochs 3 --json``, the headless CLI (numpy, no Qt);
- help: ``--help`` (the interpreter and the argument parser only).

The bundle and the venv run in turns (bundle, venv, bundle, ...), so the machine's noise falls on
both alike; each figure is the median of ``--runs`` runs after one warm-up run each (which also
fills the file cache; that first run is printed apart). The bundle runs with PATH and
PYTHONPATH cleared, the venv with its own python.

    python packaging/build && python bench/bundle.py [--runs 5] [--bundle dist/neural-sandbox/neural-sandbox]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CASES = {
    "window": ["--screenshot", "{tmp}/shot.png", "--preset", "xor"],
    "train": ["train", "--preset", "xor", "--epochs", "3", "--json"],
    "help": ["--help"],
}


def folder_size(folder: Path) -> int:
    """Bytes in the files under ``folder`` (symbolic links not followed), as ``du`` counts them."""
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def timed(command: list[str], env: dict[str, str], cwd: Path) -> float:
    """Seconds until ``command`` exits; raises if it fails."""
    started = time.perf_counter()
    result = subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True, timeout=300)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({result.returncode}): {result.stderr.strip()[-500:]}")
    return elapsed


def main() -> int:
    """Print the bundle's size and the start-up times of the bundle and the venv."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bundle", type=Path, default=ROOT / "dist" / "neural-sandbox" / "neural-sandbox")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    if not args.bundle.is_file():
        print(f"bench/bundle.py: no bundle at {args.bundle}; build it with: python packaging/build", file=sys.stderr)
        return 2
    folder = args.bundle.parent
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        bare = {"HOME": str(tmp), "QT_QPA_PLATFORM": "offscreen", "NEURAL_SANDBOX_DATA_DIR": str(tmp / "data")}
        venv_env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "NEURAL_SANDBOX_DATA_DIR": str(tmp / "data")}
        venv_env.pop("PYTHONPATH", None)
        runners = {
            "bundle": ([str(args.bundle)], bare, tmp),
            "venv": ([sys.executable, str(ROOT / "main.py")], venv_env, ROOT),
        }
        print(f"bundle: {folder}: {folder_size(folder) / 2**20:.0f} MiB in "
              f"{sum(1 for p in folder.rglob('*') if p.is_file())} files")
        print(f"{'start-up (s)':<14}{'bundle':>9}{'venv':>9}{'bundle 1st':>12}{'venv 1st':>10}")
        for case, case_args in CASES.items():
            filled = [arg.replace("{tmp}", str(tmp)) for arg in case_args]
            times: dict[str, list[float]] = {name: [] for name in runners}
            cold = {name: timed(cmd + filled, env, cwd) for name, (cmd, env, cwd) in runners.items()}
            for _ in range(args.runs):
                for name, (cmd, env, cwd) in runners.items():
                    times[name].append(timed(cmd + filled, env, cwd))
            median = {name: statistics.median(values) for name, values in times.items()}
            print(f"{case:<14}{median['bundle']:>9.2f}{median['venv']:>9.2f}{cold['bundle']:>12.2f}"
                  f"{cold['venv']:>10.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
