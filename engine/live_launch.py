"""Starting the trainer: the spawned child process that runs ``engine.live_loop.serve``, and its pipes.

Qt-free, so that ``main.py`` can start the window's trainer before it loads Qt: the child
then imports numpy and the engine on the other core while this process loads Qt and builds
the window, and starting it costs less from a process that has not grown yet. The window
takes that early trainer over (``take_early``); every later trainer is started when needed.
"""

from __future__ import annotations

import multiprocessing as mp
import os
from dataclasses import dataclass
from typing import Any

from engine.live_loop import serve

PROCESS_NAME = "neural-sandbox-trainer"


@dataclass
class Launched:
    """A started trainer: the process, the window's ends of its two pipes, and the shared drawn-serial."""

    process: Any  # multiprocessing's SpawnProcess
    commands: Any  # Connection: the window writes (seq, command)
    snapshots: Any  # Connection: the window reads snapshots
    drawn: Any  # RawValue("q"): the serial of the last snapshot drawn (the trainer's backpressure)
    seed: int


def launch(seed: int) -> Launched:
    """Start a trainer whose first network is drawn from ``seed``."""
    context = mp.get_context("spawn")  # never fork a process that runs (or will run) Qt
    command_read, commands = context.Pipe(duplex=False)
    snapshots, snapshot_write = context.Pipe(duplex=False)
    drawn = context.RawValue("q", 0)
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    process = context.Process(target=serve, args=(command_read, snapshot_write, seed, drawn), name=PROCESS_NAME,
                              daemon=True)
    process.start()
    # Close our copies of the child's ends, so the window's reader sees EOF if the child dies.
    command_read.close()
    snapshot_write.close()
    return Launched(process, commands, snapshots, drawn, seed)


_early: Launched | None = None


def start_early(seed: int) -> None:
    """Start the window's first trainer now, for ``take_early`` to hand over."""
    global _early
    if _early is None:
        _early = launch(seed)


def take_early(seed: int) -> Launched | None:
    """The trainer ``start_early`` started, once, if it was started with ``seed`` and still runs; else None.

    One that does not fit is stopped: closing its command pipe ends its loop.
    """
    global _early
    early, _early = _early, None
    if early is None:
        return None
    if early.seed == seed and early.process.is_alive():
        return early
    _stop(early)
    return None


def stop_early() -> None:
    """Stop the trainer ``start_early`` started if no window took it over."""
    global _early
    early, _early = _early, None
    if early is not None:
        _stop(early)


def _stop(launched: Launched) -> None:
    """Stop a trainer nobody listens to: closing its command pipe ends its loop."""
    launched.commands.close()
    launched.snapshots.close()
    launched.process.join(1.0)
    if launched.process.is_alive():
        launched.process.terminate()
        launched.process.join(1.0)
    launched.process.close()
