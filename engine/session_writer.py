"""Writing session files in a child process, so a big autosave never holds the window's GIL (no Qt).

Turning 100,000 points into JSON takes a few hundred milliseconds of Python. On a thread of
the window's own process that time is not free: the thread holds the interpreter lock in
slices, and every time the GUI thread gives the lock up (each call into Qt may) it waits for
the writer's slice to end, so the window stutters for as long as the write lasts. A child
process has its own interpreter: the window only pickles the session's arrays (a copy of a
few megabytes) into a pipe and waits for one short answer on a worker thread.

The child holds only its end of the pipe, so when the window dies, even by SIGKILL, its next
read ends and it exits; a write it had begun is finished first (the write is atomic).
"""

from __future__ import annotations

import multiprocessing as mp
import os
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path

from engine.csvio import write_text_atomically
from engine.errors import EngineError
from engine.session_file import Session, session_to_json

STOPPED = "the background writer stopped (it will be started again)"


def write_session(path: Path, session: Session) -> str | None:
    """Serialize ``session`` and write it to ``path`` atomically; None, or what went wrong (one phrase)."""
    try:
        write_text_atomically(path, session_to_json(session))
    except OSError as problem:
        return problem.strerror or str(problem)
    except EngineError as problem:
        return str(problem)
    return None


def serve(requests: Connection) -> None:
    """The child's loop: for each ``(path, session)`` received, write it and answer None or the problem."""
    while True:
        try:
            path, session = requests.recv()
        except (EOFError, OSError):
            return  # the window closed its end (or died): nothing more to write
        problem = write_session(path, session)
        try:
            requests.send(problem)
        except OSError:
            return


class SessionWriter:
    """Writes sessions in a child process started at the first write; one write at a time.

    ``write`` blocks until the child answers, so call it from a worker thread. A child that died
    (killed, out of memory) is reported once as a failed write and replaced at the next write.
    """

    def __init__(self) -> None:
        self._process: BaseProcess | None = None
        self._connection: Connection | None = None

    def write(self, path: Path, session: Session) -> str | None:
        """Write ``session`` to ``path`` in the child; None, or what went wrong."""
        if self._connection is None or self._process is None or not self._process.is_alive():
            self._start()
        assert self._connection is not None
        try:
            self._connection.send((Path(path), session))
            answer = self._connection.recv()
        except (EOFError, OSError):
            self.close()
            return STOPPED
        return answer if answer is None or isinstance(answer, str) else STOPPED

    def _start(self) -> None:
        self.close()
        context = mp.get_context("spawn")  # never fork a process that runs Qt
        mine, theirs = context.Pipe(duplex=True)
        os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
        process = context.Process(target=serve, args=(theirs,), name="neural-sandbox-writer", daemon=True)
        process.start()
        theirs.close()  # only the child holds its end: the child sees EOF when we close or die
        self._process, self._connection = process, mine

    def close(self) -> None:
        """Let the child finish its write and exit (it sees the pipe close); stop it if it hangs."""
        connection, process = self._connection, self._process
        self._connection = self._process = None
        if connection is not None:
            connection.close()
        if process is not None:
            process.join(timeout=5)
            if process.is_alive():
                process.kill()
                process.join(timeout=5)
            process.close()
