"""The live trainer and numbers beyond the limits: a command that would break it is a
reported error in the next snapshot, never a loop that retries it forever."""

from __future__ import annotations

import multiprocessing as mp
import threading

import numpy as np
import pytest

from engine import limits
from engine.commands import LoadWeights, Play, SetData, Step, Stop
from engine.datasets import generate
from engine.live import LiveSession
from engine.live_loop import serve


def answer(snapshots, seq: int):
    """The first snapshot that has seen command ``seq`` (the loop must answer: no endless retry)."""
    snap = None
    while snap is None or snap.seq < seq:
        assert snapshots.poll(60), f"the trainer sent nothing for command {seq}: it is stuck"
        snap = snapshots.recv()
    return snap


def weights_of(session: LiveSession) -> tuple[tuple, tuple]:
    return (tuple(w.tolist() for w in session.net.weights), tuple(b.tolist() for b in session.net.biases))


@pytest.mark.parametrize("epoch", [2**63, 2**63 - 1, limits.MAX_EPOCH + 1, -1])
def test_weights_at_an_impossible_epoch_are_refused_and_change_nothing(epoch: int) -> None:
    s = LiveSession(0)
    points, labels = generate("xor", 40, 0.0, 0)
    s.handle(1, SetData(points, labels, np.arange(40) % 2 == 0, (-6.0, 6.0)))
    s.handle(2, Step(3))
    before = s.net.params.copy()
    weights, biases = weights_of(s)
    halved = tuple((np.array(w) * 0.5).tolist() for w in weights)
    s.handle(3, LoadWeights(halved, biases, epoch))
    assert s.message.startswith("LoadWeights: ") and "epoch" in s.message
    assert s.epoch == 3 and np.array_equal(s.net.params, before)


def test_the_serving_loop_answers_after_an_epoch_beyond_int64() -> None:
    command_read, command_write = mp.Pipe(duplex=False)
    snapshot_read, snapshot_write = mp.Pipe(duplex=False)
    worker = threading.Thread(target=serve, args=(command_read, snapshot_write, 0), daemon=True)
    worker.start()
    try:
        points, labels = generate("xor", 60, 0.0, 0)
        command_write.send((1, SetData(points, labels, np.arange(60) % 2 == 0, (-6.0, 6.0))))
        probe = LiveSession(0)
        probe.handle(1, SetData(points, labels, np.arange(60) % 2 == 0, (-6.0, 6.0)))
        weights, biases = weights_of(probe)
        command_write.send((2, LoadWeights(weights, biases, 2**63 - 1)))
        command_write.send((3, Play()))
        snap = answer(snapshot_read, 3)
        command_write.send((4, Step(2)))  # the loop still obeys: it is not stuck retrying
        snap = answer(snapshot_read, 4)
        assert snap.epoch <= limits.MAX_EPOCH + 2
    finally:
        command_write.send((5, Stop()))
        worker.join(20)
    assert not worker.is_alive()
