"""Compare mode's two engine commands: HoldAt (a run trains no further than an epoch) and Reset(seed)."""

from __future__ import annotations

import multiprocessing as mp
import threading

import numpy as np

from engine.commands import ApplyArchitecture, HoldAt, Play, Reset, SetData, Step, Stop
from engine.config import Architecture
from engine.datasets import generate
from engine.live import LiveSession
from engine.live_loop import serve


def _data() -> SetData:
    points, labels = generate("circle", 100, 0.0, 0)
    return SetData(points, labels, np.arange(100) % 2 == 0, (-6.0, 6.0))


def test_a_held_session_is_playing_but_trains_no_further_and_step_is_not_held():
    s = LiveSession(seed=0)
    s.handle(1, _data())
    s.handle(2, HoldAt(3))
    s.handle(3, Play())
    while not s.held:
        assert s.train_epoch()
    assert s.epoch == 3 and s.playing
    s.handle(4, Step(2))  # an explicit step is the user's: it runs
    assert s.epoch == 5
    s.handle(5, HoldAt(None))
    s.handle(6, Play())
    assert not s.held


def test_a_hold_beyond_the_limits_is_refused_and_changes_nothing():
    s = LiveSession(seed=0)
    s.handle(1, HoldAt(7))
    s.handle(2, HoldAt(-1))
    assert s.hold_at == 7 and s.message.startswith("HoldAt: epoch must be from 0")


def test_reset_with_one_seed_gives_two_sessions_the_same_weights_whatever_their_history():
    a, b = LiveSession(seed=0), LiveSession(seed=0)
    for s in (a, b):
        s.handle(1, _data())
    b.handle(2, ApplyArchitecture(Architecture(hidden=(3,), activations=("relu",))))  # b rebuilt more often
    b.handle(3, ApplyArchitecture(Architecture()))
    assert not np.array_equal(a.net.params, b.net.params)
    for s in (a, b):
        s.handle(4, Reset(seed=42))
        s.handle(5, Step(3))
    assert np.array_equal(a.net.params, b.net.params)  # same start, same shuffling: the same run


def test_serve_holds_a_playing_run_at_the_limit_and_releases_it_when_the_limit_moves():
    command_read, command_write = mp.Pipe(duplex=False)
    snapshot_read, snapshot_write = mp.Pipe(duplex=False)
    worker = threading.Thread(target=serve, args=(command_read, snapshot_write, 0), daemon=True)
    worker.start()

    def until(condition):
        snap = None
        while snap is None or not condition(snap):
            assert snapshot_read.poll(60), "the trainer loop hung"
            snap = snapshot_read.recv()
        return snap

    command_write.send((1, _data()))
    command_write.send((2, HoldAt(5)))
    command_write.send((3, Play()))
    snap = until(lambda s: s.seq >= 3 and s.epoch >= 5)
    assert snap.epoch == 5 and snap.playing and snap.held  # the window sees that it waits
    assert not snapshot_read.poll(0.3) or snapshot_read.recv().epoch == 5  # held: nothing more is trained
    command_write.send((4, HoldAt(9)))
    snap = until(lambda s: s.seq >= 4 and s.epoch >= 9)
    assert snap.epoch == 9 and snap.playing and snap.held
    command_write.send((5, Stop()))
    worker.join(5)
    assert not worker.is_alive()
