"""Backpressure: while training, the trainer holds snapshots back that the window has not
drawn, and never holds back the one that stays on screen (a pause, a step, a reset)."""

from __future__ import annotations

import multiprocessing as mp
import threading
import time

import numpy as np

from engine.commands import Pause, Play, Reset, SetData, Step, Stop
from engine.datasets import generate
from engine.live_loop import IN_FLIGHT, MAX_HOLD, serve


class Drawn:
    """The window's side of the shared counter: the serial of the last snapshot drawn."""

    def __init__(self) -> None:
        self.value = 0


def start(drawn: Drawn):
    command_read, commands = mp.Pipe(duplex=False)
    snapshots, snapshot_write = mp.Pipe(duplex=False)
    worker = threading.Thread(target=serve, args=(command_read, snapshot_write, 0, drawn), daemon=True)
    worker.start()
    points, labels = generate("circle", 200, 0.0, 0)
    commands.send((1, SetData(points, labels, np.arange(200) % 2 == 0, (-6.0, 6.0))))
    return worker, commands, snapshots


def next_snapshot(snapshots, timeout: float = 60.0):
    assert snapshots.poll(timeout), "the trainer loop hung"
    return snapshots.recv()


def until(snapshots, condition):
    while True:
        snap = next_snapshot(snapshots)
        if condition(snap):
            return snap


def test_undrawn_snapshots_are_held_back_and_flow_again_once_drawn():
    drawn = Drawn()
    worker, commands, snapshots = start(drawn)
    ready = until(snapshots, lambda s: s.n_train > 0)  # paused, with the points
    drawn.value = ready.serial  # the window drew it, then stops drawing
    # The clock starts before Play: every training snapshot is published after it, so however slowly
    # this (busy) machine runs the test, the bound below only loosens.
    began = time.perf_counter()
    commands.send((2, Play()))
    received = []
    while time.perf_counter() - began < 1.5 or not any(s.epoch > 0 for s in received):
        assert time.perf_counter() - began < 60, "the trainer loop hung"
        if snapshots.poll(0.05):
            received.append(snapshots.recv())
    elapsed = time.perf_counter() - began
    # Unheld, 1.5 s of training would bring about 90 snapshots; held, the last drawn one is followed
    # by at most IN_FLIGHT before one more only every MAX_HOLD seconds.
    assert len([s for s in received if s.playing]) <= IN_FLIGHT + elapsed / MAX_HOLD + 1
    assert received[-1].epoch > 0  # training went on meanwhile
    epochs = np.concatenate([ready.history_epochs, *(s.history_epochs for s in received)])
    assert np.array_equal(epochs, np.arange(1, epochs[-1] + 1))  # no epoch's losses were lost
    drawn.value = received[-1].serial  # drawing again: snapshots follow
    assert next_snapshot(snapshots).serial == received[-1].serial + 1
    commands.send((3, Stop()))
    worker.join(10)


def test_the_paused_state_is_sent_although_the_window_has_not_drawn():
    drawn = Drawn()
    worker, commands, snapshots = start(drawn)
    commands.send((2, Play()))
    first = until(snapshots, lambda s: s.playing and s.epoch > 0)
    drawn.value = first.serial
    for seq, command in ((3, Pause()), (4, Step(2)), (5, Reset())):
        commands.send((seq, command))
        snap = until(snapshots, lambda s, seq=seq: s.seq >= seq)
        assert not snap.playing
        if seq == 4:
            assert snap.epoch >= 2
        if seq == 5:
            assert snap.epoch == 0
        commands.send((seq + 10, Play()))  # training again, still undrawn: held as before
        commands.send((seq + 20, Pause()))
        final = until(snapshots, lambda s, seq=seq: s.seq >= seq + 20)
        assert not final.playing  # the last state arrives although nothing was drawn
    commands.send((30, Stop()))
    worker.join(10)
    assert not worker.is_alive()


def test_without_a_report_nothing_is_held():
    drawn = Drawn()  # stays 0: a reader that never reports (tests, scripts) gets every snapshot
    worker, commands, snapshots = start(drawn)
    commands.send((2, Play()))
    first = until(snapshots, lambda s: s.playing and s.epoch > 0)
    later = [next_snapshot(snapshots) for _ in range(IN_FLIGHT + 5)]
    assert [s.serial for s in later] == list(range(first.serial + 1, first.serial + IN_FLIGHT + 6))
    commands.send((3, Stop()))
    worker.join(10)
