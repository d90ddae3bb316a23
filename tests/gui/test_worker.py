"""The bridge between the window and the training process: signals, pipes, shutdown."""

from __future__ import annotations

import multiprocessing as mp
import threading

import numpy as np
from PySide6.QtCore import QObject, QThread, Signal

from gui.worker import TrainingProcess, _Receiver


class _Emitter(QThread):
    flagged = Signal(bool)
    carried = Signal(object)

    def run(self) -> None:
        for i in range(4000):
            self.flagged.emit(i % 2 == 0)
            self.carried.emit(np.full(3, i))


def test_thousands_of_cross_thread_signals_do_not_crash(qtbot):
    # PySide6 6.12.0 on Python 3.11 dies (bool_dealloc) after a few hundred bool emits.
    received = {"flags": 0, "objects": 0}
    emitter = _Emitter()
    emitter.flagged.connect(lambda _: received.__setitem__("flags", received["flags"] + 1))
    emitter.carried.connect(lambda _: received.__setitem__("objects", received["objects"] + 1))
    emitter.start()
    qtbot.waitUntil(lambda: received["objects"] == 4000 and received["flags"] == 4000, timeout=60000)
    emitter.quit()
    emitter.wait()


def test_receiver_passes_every_message_in_order_and_ends_at_eof(qtbot):
    reader, writer = mp.Pipe(duplex=False)
    seen: list[int] = []
    receiver = _Receiver(reader)
    receiver.snapshot_received.connect(lambda message: seen.append(message["i"]))

    def produce() -> None:
        for i in range(3000):
            writer.send({"i": i, "map": np.zeros((50, 50), np.uint8)})
        writer.close()

    producer = threading.Thread(target=produce)
    with qtbot.waitSignal(receiver.finished, timeout=60000):
        receiver.start()
        producer.start()
    producer.join()
    qtbot.waitUntil(lambda: len(seen) == 3000, timeout=60000)
    assert seen == list(range(3000))
    receiver.wait()
    reader.close()


class _Collector(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.snapshots = []

    def add(self, snap) -> None:
        self.snapshots.append(snap)


def test_training_process_obeys_commands_and_stops_cleanly(qtbot):
    from engine.commands import SetData, Step
    from engine.datasets import generate

    process = TrainingProcess(seed=3)
    collector = _Collector()
    process.snapshot_received.connect(collector.add)
    points, labels = generate("xor", 200, 0.0, 3)
    process.send(SetData(points, labels, np.arange(200) % 2 == 0, (-6.0, 6.0)))
    seq = process.send(Step(25))
    qtbot.waitUntil(lambda: bool(collector.snapshots) and collector.snapshots[-1].seq == seq, timeout=60000)
    last = collector.snapshots[-1]
    assert last.epoch == 25 and last.n_train == 100 and last.n_test == 100
    assert not last.decision_rgb.flags.writeable  # snapshots are read-only
    epochs = np.concatenate([s.history_epochs for s in collector.snapshots])
    assert epochs.tolist() == list(range(1, 26))  # no epoch lost between snapshots
    with qtbot.waitSignal(process.stopped, timeout=60000):
        process.close()
    assert not process.is_alive()


def test_a_killed_trainer_is_replaced_and_keeps_the_users_points(qtbot):
    import os
    import signal

    from gui.main_window import MainWindow

    win = MainWindow(preset="xor")
    qtbot.addWidget(win)
    win.show()
    ctl = win.controller
    assert ctl.wait_until(lambda s: s.n_train + s.n_test == 500)
    win.model.add([[1.0, 1.0]], [1.0])
    win.configuration.update_settings(learning_rate=0.1)
    old = ctl.process
    old_seq = old.last_seq
    os.kill(old._process.pid, signal.SIGKILL)
    qtbot.waitUntil(lambda: ctl.restarts == 1, timeout=60000)
    assert ctl.process is not old
    # The new trainer numbers its commands on from the old one's: a late snapshot of the killed trainer
    # (501 points, the old learning rate) can never pass for the new trainer's answer. Under load this
    # once read learning rate 0.03 from such a stale snapshot.
    assert ctl.process.last_seq > old_seq
    seq = ctl.process.last_seq
    assert ctl.wait_until(lambda s: s.seq >= seq and s.n_train + s.n_test == 501, timeout=60)
    assert ctl.latest.settings.learning_rate == 0.1
    win.controls.step.click()
    assert ctl.wait_until(lambda s: s.epoch == 1, timeout=60)
    win.close()
    assert not ctl.process.is_alive()
