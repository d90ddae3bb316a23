"""Run the whole test suite several times in a row beside a CPU hog on every core.

    python bench/suite_under_load.py --runs 10

A suite a contributor can trust passes on a busy machine too. This starts one busy-looping
process per core, runs `python -m pytest` RUNS times, and prints each run's result and the
totals (runs, passes, failures, crashes), plus the wall time of each run for comparison.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    """Run the suite RUNS times beside a hog; exit 1 if any run did not pass."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--hogs", type=int, default=os.cpu_count() or 2, help="busy processes (one per core)")
    parser.add_argument("pytest_args", nargs="*", help="extra arguments for pytest")
    args = parser.parse_args()
    hogs = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(args.hogs)]
    results = []
    try:
        for run in range(1, args.runs + 1):
            started = time.perf_counter()
            done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args.pytest_args],
                                  cwd=ROOT, capture_output=True, text=True)
            seconds = time.perf_counter() - started
            summary = next((line for line in reversed(done.stdout.splitlines()) if line.strip()), "")
            kind = "pass" if done.returncode == 0 else ("crash" if done.returncode < 0 or done.returncode > 5
                                                        else "fail")
            results.append(kind)
            print(f"run {run}: {kind} (exit {done.returncode}) in {seconds:.0f} s  {summary}", flush=True)
            if kind != "pass":
                log = ROOT / f"suite-under-load-run{run}.log"
                log.write_text(done.stdout + "\n" + done.stderr)
                print(f"  output kept in {log}", flush=True)
    finally:
        for hog in hogs:
            hog.kill()
            hog.wait()
    print(f"{len(results)} runs beside {args.hogs} busy processes: {results.count('pass')} passed, "
          f"{results.count('fail')} failed, {results.count('crash')} crashed")
    return 0 if all(kind == "pass" for kind in results) else 1


if __name__ == "__main__":
    sys.exit(main())
