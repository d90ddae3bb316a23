"""The trainer process's loop: obey commands in order, train while playing, publish snapshots (no Qt).

``serve`` runs in the window's spawned child process (see ``gui.worker``); it owns one
``engine.live.LiveSession``, paces training to the chosen speed and publishes at most
60 snapshots a second, never letting a command wait longer than one short training slice.

Backpressure: the window reports the serial number of the last snapshot it drew (a shared
counter). While training runs, a snapshot is held back when ``IN_FLIGHT`` published ones are
still undrawn: a window that draws slower than 60 frames a second (a big data set, a busy
machine) then costs the trainer only the snapshots it shows, and the time saved trains.
Nothing is lost by holding back: the next snapshot carries every epoch's losses since the
last, and a paused state (the one that stays on screen) is always sent at once.
"""

from __future__ import annotations

import time
from typing import Any

from engine.commands import UNEXPECTED, Command, Stop, UnknownCommand, name_of
from engine.live import LiveSession

SNAPSHOT_PERIOD = 1.0 / 60.0  # at most 60 snapshots a second
HELD_WAIT = 0.05  # seconds a held trainer waits for a command before it looks at its rate again
IN_FLIGHT = 2  # while training: published snapshots the window has not drawn yet, at most
MAX_HOLD = 0.25  # seconds: a window that stops reporting still gets a snapshot this often


def window_behind(session: LiveSession, drawn: Any, now: float, last_publish: float) -> bool:
    """Whether to hold the next snapshot back because the window has not drawn the last ones.

    ``drawn`` is the shared counter the window writes (None, or 0 until it first reports: no
    backpressure then). A paused session's snapshot is never held: it is what stays on screen.
    """
    if drawn is None or not session.playing:
        return False
    seen = int(drawn.value)
    return seen > 0 and session.published - seen >= IN_FLIGHT and now - last_publish < MAX_HOLD


class _Pacer:
    """Keeps training at ``speed`` epochs per second (None: as fast as it goes) and measures the rate."""

    def __init__(self) -> None:
        self.restart()
        self.rate_start, self.rate_epochs = time.perf_counter(), 0
        self.publishing = 0.0  # seconds spent building and sending snapshots since rate_start

    def restart(self) -> None:
        """Training (re)started: count from now."""
        self.start, self.done = time.perf_counter(), 0

    def due(self, speed: float | None) -> bool:
        """Whether the next epoch may run now."""
        return speed is None or self.done < speed * (time.perf_counter() - self.start)

    def count(self) -> None:
        """One epoch was trained."""
        self.done += 1
        self.rate_epochs += 1

    def published(self, seconds: float) -> None:
        """A snapshot took ``seconds`` to build and send."""
        self.publishing += seconds

    def rate(self, session: LiveSession) -> None:
        """Update the session's epochs per second and publishing share about twice a second."""
        now = time.perf_counter()
        if not session.playing:
            session.epochs_per_second = 0.0
            self.rate_start, self.rate_epochs, self.publishing = now, 0, 0.0
        elif now - self.rate_start >= 0.5:
            session.epochs_per_second = self.rate_epochs / (now - self.rate_start)
            session.publish_share = self.publishing / (now - self.rate_start)
            self.rate_start, self.rate_epochs, self.publishing = now, 0, 0.0


def _train_slice(session: LiveSession, pacer: _Pacer, seconds: float = 0.008) -> None:
    """Train for a short slice, so commands are never kept waiting long."""
    slice_end = time.perf_counter() + seconds
    while session.playing and not session.held and time.perf_counter() < slice_end:
        if not pacer.due(session.settings.speed):
            time.sleep(0.002)
        elif session.train_epoch():
            pacer.count()


def _obey(session: LiveSession, seq: int, command: Command) -> None:
    """Apply one command in the child: any failure becomes the next snapshot's message, never a retry."""
    try:
        session.handle(seq, command)
    except UnknownCommand as problem:  # no handler: a programming error in the window, reported as one
        session.seq = seq
        session.message = f"{UNEXPECTED} (a programming error): {problem}"
    except Exception as problem:  # report it and keep serving
        session.playing = False
        session.message = f"{UNEXPECTED} while applying {name_of(command)} and paused: {problem!r}"


def serve(commands: Any, snapshots: Any, seed: int = 0, drawn: Any = None) -> None:
    """The child process's loop: obey commands in order, train while playing, publish snapshots.

    ``commands`` and ``snapshots`` are the two ends of one-way pipes; commands arrive as
    ``(seq, command)``. ``drawn`` (optional) is a shared integer (``.value``) in which the
    window reports the ``serial`` of the last snapshot it drew (see ``window_behind``). Returns on
    ``Stop`` or when the window's end of the command pipe closes. An unexpected error pauses
    training and is reported in the next snapshot; it never ends the loop.
    """
    session = LiveSession(seed)
    pacer = _Pacer()
    next_emit = 0.0
    last_publish = 0.0
    dirty = True
    try:
        while True:
            # Block for the next command only when idle and up to date; while training, just peek;
            # while held (compare mode), wait a little, so the rate shown still falls to what it is.
            wait = HELD_WAIT if session.held and not dirty else 0.0 if session.playing or dirty else None
            while commands.poll(wait):
                seq, command = commands.recv()
                if isinstance(command, Stop):
                    return
                was_playing, was_held = session.playing, session.held
                _obey(session, seq, command)
                if session.playing and (not was_playing or was_held and not session.held):
                    pacer.restart()  # a held run released does not rush to make up the time it waited
                dirty, wait = True, 0.0
            try:
                if session.playing and not session.held:
                    _train_slice(session, pacer)
                    dirty = True
                pacer.rate(session)
                now = time.perf_counter()
                if dirty and now >= next_emit and not window_behind(session, drawn, now, last_publish):
                    snapshots.send(session.snapshot())
                    pacer.published(time.perf_counter() - now)
                    next_emit, last_publish = max(next_emit + SNAPSHOT_PERIOD, now), now
                    dirty = False
                elif dirty and (not session.playing or session.held):  # nothing to train: wait, not spin
                    time.sleep(max(0.0, next_emit - now))
            except (EOFError, BrokenPipeError, OSError):
                raise
            except Exception as problem:  # report it, keep serving
                session.playing = False
                session.message = f"{UNEXPECTED} and paused: {problem!r}"
                dirty = True
    except (EOFError, BrokenPipeError, OSError, KeyboardInterrupt):
        return
    finally:
        snapshots.close()
