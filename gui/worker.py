"""The one place where the engine meets Qt: a training child process and its receiver thread.

Training runs in a spawned child process (``engine.live_loop.serve``) with its own GIL, so
the window keeps its frame rate while the engine trains at full speed (measured: a
worker thread in this process cost 30% of the frame rate and 65% of the training speed;
see the README's benchmarks). Commands go to the child through a one-way pipe,
in order. A ``QThread`` blocks in ``recv()`` on the snapshot pipe (the GIL is released
while it waits) and hands each snapshot to the GUI thread through a queued signal.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QThread, Signal, SignalInstance

from engine.commands import Command, Stop
from engine.live_launch import launch, take_early
from engine.snapshot import Snapshot, freeze


class _Receiver(QThread):
    """Reads snapshots from the child until the pipe ends."""

    # Emitted (in this thread, queued to the GUI thread) with each engine.live.Snapshot.
    snapshot_received = Signal(object)

    def __init__(self, connection, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._connection = connection

    def run(self) -> None:  # the QThread entry point
        try:
            while True:
                message = self._connection.recv()
                if isinstance(message, Snapshot):
                    freeze(message)
                self.snapshot_received.emit(message)
        except (EOFError, OSError):
            return  # the child exited (or was stopped): end of the stream


class TrainingProcess(QObject):
    """Owns the training child process; ``send`` commands, receive ``snapshot_received``.

    ``take_started`` takes over the trainer ``main.py`` started early with this seed, if there is one.
    """

    # Emitted on the GUI thread when the child's snapshot stream has ended.
    stopped = Signal()

    def __init__(self, seed: int = 0, parent: QObject | None = None,
                 on_snapshot: Callable[[Snapshot], None] | None = None, first_seq: int = 0,
                 take_started: bool = False) -> None:
        super().__init__(parent)
        launched = take_early(seed) if take_started else None
        launched = launched or launch(seed)
        self._process, self._commands, self._snapshots = launched.process, launched.commands, launched.snapshots
        # The serial of the last snapshot drawn, shared with the child: its backpressure (engine.live_loop).
        self._drawn = launched.drawn
        # A replacement trainer numbers its commands on from its predecessor's, so a snapshot of the old
        # trainer can never pass for an answer to a command sent to the new one.
        self._seq = first_seq
        self._receiver = _Receiver(self._snapshots, self)
        self._receiver.finished.connect(self.stopped)
        if on_snapshot is not None:  # connected before the receiver starts: no snapshot can be missed
            self._receiver.snapshot_received.connect(on_snapshot)
        self._receiver.start()
        self._closed = False
        self._released = False  # the process object closed: its descriptors are given back

    @property
    def snapshot_received(self) -> SignalInstance:
        """The receiver's signal: each snapshot, queued to the GUI thread (the one way snapshots arrive)."""
        return self._receiver.snapshot_received

    @property
    def last_seq(self) -> int:
        """The sequence number of the last command sent."""
        return self._seq

    def report_drawn(self, serial: int) -> None:
        """Tell the trainer that the snapshot numbered ``serial`` is being drawn (it may send more)."""
        self._drawn.value = serial

    @property
    def drawn(self) -> int:
        """The serial of the last snapshot reported drawn (0: none yet)."""
        return int(self._drawn.value)

    def send(self, command: Command) -> int:
        """Send one command to the child; returns its sequence number (0 if already closed)."""
        if self._closed:
            return 0
        self._seq += 1
        try:
            self._commands.send((self._seq, command))
        except (BrokenPipeError, OSError):
            self._closed = True
            return 0
        return self._seq

    def is_alive(self) -> bool:
        """Whether the child process is still running."""
        return not self._released and self._process.is_alive()

    def close(self, timeout: float = 0.8) -> None:
        """Stop the child (a stop command, then terminate as the last resort) and the receiver."""
        if self._released or (self._closed and not self._receiver.isRunning()):
            return
        if not self._closed:
            try:
                self._commands.send((self._seq + 1, Stop()))
            except (BrokenPipeError, OSError):
                pass
            self._closed = True
        self._process.join(timeout)
        if self._process.is_alive():
            self._process.terminate()
            self._process.join(0.5)
        self._commands.close()
        self._receiver.quit()
        if not self._receiver.wait(1000):
            self._snapshots.close()
            self._receiver.wait(500)
        self._snapshots.close()
        if not self._process.is_alive():
            self._process.close()  # releases the child's sentinel and pipe: 2 descriptors per restart otherwise
            self._released = True
