"""Replay keyframes: when the trainer records them, how the store bounds and thins them, how a
replayed keyframe is shown without touching training, and how session files keep them."""

from __future__ import annotations

import json
import math
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from engine import DataError, limits
from engine.commands import (
    ApplyArchitecture,
    ApplySettings,
    HoldAt,
    LoadWeights,
    Pause,
    Play,
    RecordAt,
    Reset,
    SetData,
    SetFocus,
    SetWeight,
    ShowKeyframe,
    ShowSpace,
    Step,
)
from engine.config import Architecture, Settings
from engine.datasets import generate
from engine.keyframes import Keyframe, KeyframeRecorder, KeyframeStore, for_session, thin
from engine.layer_space import SpaceChoice
from engine.live import LiveSession
from engine.network import Network
from engine.session_file import load_session, save_session, session_from_json, session_to_json
from engine.trainer import Trainer
from tests.engine.test_session_file import assert_same, make_session


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def circle_session(seed: int = 0) -> LiveSession:
    s = LiveSession(seed)
    points, labels = generate("circle", 200, 0.0, 0)
    s.handle(1, SetData(points, labels, np.arange(200) % 2 == 1, (-6.0, 6.0)))
    return s


def recorded_epochs(session: LiveSession) -> list[int]:
    return [k.epoch for k in session.recorder.take()]


def keyframe(epoch: int, values: int = 25) -> Keyframe:
    params = np.full(values, float(epoch))
    params.flags.writeable = False
    return Keyframe(epoch, params, (2, 4, 2, 1), ("tanh", "tanh"))


# ----------------------------------------------------------------- recording
def test_keyframes_are_log_spaced_in_epochs_while_no_time_passes():
    s = circle_session()
    s.recorder = KeyframeRecorder(clock=FakeClock())  # time stands still: only the epoch schedule counts
    s.recorder.restart(s.net, 0)
    epochs = [k.epoch for k in s.snapshot().keyframes]  # the run's first snapshot records epoch 0
    s.playing = True
    for _ in range(2000):
        s.train_epoch()
        if s.epoch % 97 == 0:  # snapshots while playing add none of their own when no time passed
            epochs += [k.epoch for k in s.snapshot().keyframes]
    epochs += recorded_epochs(s)
    assert epochs[:10] == [0, 1, 2, 3, 4, 5, 7, 9, 12, 15]
    assert all(b >= max(a + 1, math.ceil(a * limits.KEYFRAME_LOG_STEP)) for a, b in zip(epochs, epochs[1:]))
    # about ten a decade: 2000 epochs cost a few dozen keyframes, not thousands
    assert len(epochs) <= 10 + math.log(2000) / math.log(limits.KEYFRAME_LOG_STEP)


def test_besides_the_log_schedule_at_most_a_few_keyframes_a_second():
    clock = FakeClock()
    s = circle_session()
    s.recorder = KeyframeRecorder(clock=clock)
    s.recorder.restart(s.net, 0)
    s.playing = True
    for _ in range(300):  # reach epoch 300: the log schedule is now far apart
        s.train_epoch()
    s.recorder.take()
    timed = []
    for _second in range(3):
        for _ in range(60):  # 60 snapshots a second, 5 epochs each
            for _ in range(5):
                s.train_epoch()
            clock.now += 1 / 60
            timed.extend(k.epoch for k in s.snapshot().keyframes)
    # 900 epochs in 3 seconds from epoch 300: the log schedule adds ~5, the clock at most 4 a second
    assert 3 * limits.KEYFRAMES_PER_SECOND - 1 <= len(timed) <= 3 * limits.KEYFRAMES_PER_SECOND + 6


def test_a_paused_network_is_recorded_at_each_step_and_a_new_run_starts_at_epoch_0():
    s = circle_session()
    s.handle(2, Step(300))
    assert s.snapshot().keyframes[-1].epoch == 300  # paused: where the user stopped is kept
    s.handle(3, Step(1))
    assert [k.epoch for k in s.snapshot().keyframes] == [301]
    s.handle(4, SetWeight(1, 0, 0, 0.25))  # an edit at a kept epoch: that keyframe holds the edit
    edited = s.snapshot().keyframes
    assert [k.epoch for k in edited] == [301] and edited[0].arrays()[0][0][0, 0] == 0.25
    s.handle(5, Reset())
    assert [k.epoch for k in s.snapshot().keyframes] == [0]


def test_record_at_keeps_exactly_the_epochs_asked_for_and_none_of_its_own():
    clock = FakeClock()
    s = circle_session()
    s.recorder = KeyframeRecorder(clock=clock)
    s.recorder.restart(s.net, 0)
    assert [k.epoch for k in s.snapshot().keyframes] == [0]
    s.handle(2, Step(3))
    assert [k.epoch for k in s.snapshot().keyframes] == [1, 2, 3]
    s.handle(3, RecordAt((3, 5, 40, 41, 2)))  # 3: kept already; 2: passed; 5, 40, 41: later
    s.handle(4, Step(1))
    s.handle(5, RecordAt((4, 7)))  # 4: the epoch it stands on, recorded now (paused: not of its own accord)
    assert [k.epoch for k in s.snapshot().keyframes] == [4]
    s.handle(6, Play())
    carried = []
    for _ in range(60):
        s.train_epoch()
        clock.now += 1.0  # a second an epoch: the clock alone would record at every snapshot
        carried += [k.epoch for k in s.snapshot().keyframes]
    assert carried == [5, 7, 40, 41]  # neither the log schedule (9, 12, 15...) nor the clock
    s.handle(7, Reset())
    assert [k.epoch for k in s.snapshot().keyframes] == [0]  # a new run still starts with its first epoch
    s.handle(8, Step(4))
    assert [k.epoch for k in s.snapshot().keyframes] == []  # the asked epochs were the old run's


def test_record_at_epochs_reach_the_snapshots():
    s = circle_session()
    s.recorder = KeyframeRecorder(clock=FakeClock())
    s.recorder.restart(s.net, 0)
    s.recorder.take()
    s.handle(2, RecordAt((6, 11)))
    s.handle(3, Step(20))
    assert [k.epoch for k in s.snapshot().keyframes] == [6, 11]
    assert s.recorder.wanted == set()


def test_a_keyframe_holds_the_weights_of_its_epoch_exactly():
    s = circle_session()
    s.handle(2, Step(12))
    frames = {k.epoch: k for k in s.snapshot().keyframes}
    assert set(frames) == {0, 1, 2, 3, 4, 5, 7, 9, 12}
    # retrain the same run by hand: epoch 9's keyframe is the network after 9 epochs, bit for bit
    net = Network([2, 4, 2, 1], ["tanh", "tanh"], "binary", seed=s.run_seed)
    trainer = Trainer(net, seed=s.run_seed)
    for _ in range(12):
        trainer.epoch(s.X_train, s.y_train)
    assert frames[12].params.tobytes() == net.params.tobytes()
    assert not frames[12].params.flags.writeable


# ----------------------------------------------------------------- the store
def test_the_store_is_bounded_keeps_the_ends_and_stays_log_spread():
    store = KeyframeStore(max_count=50, max_bytes=10**9)
    for epoch in range(0, 100_000, 7):
        store.add([keyframe(epoch)])
    epochs = store.epochs()
    assert len(store) == 50 and epochs[0] == 0 and epochs[-1] == 99_995
    assert np.all(np.diff(epochs) > 0)
    gaps = np.diff(np.log1p(epochs[4:]))  # after the first few multiples of 7, evenly spread on a log scale
    assert gaps.max() < 3 * np.median(gaps)


def test_the_store_bound_in_bytes_keeps_fewer_keyframes_of_a_big_network():
    store = KeyframeStore(max_count=400, max_bytes=100_000)
    for epoch in range(1000):
        store.add([keyframe(epoch, values=2304)])  # the largest network the window builds
    assert len(store) == store.capacity() < 400
    assert store.nbytes <= 100_000


def test_thinning_drops_the_most_crowded_on_a_log_scale():
    frames = [keyframe(e) for e in (0, 1, 2, 3, 100, 101, 1000)]
    kept = [k.epoch for k in thin(frames, 5)]
    # what goes is the keyframe whose going leaves the smallest gap (in log(1 + epoch)): 2, then 1
    assert kept == [0, 3, 100, 101, 1000], kept
    assert [k.epoch for k in thin(frames, 100)] == [0, 1, 2, 3, 100, 101, 1000]


def test_a_new_keyframe_at_or_before_the_last_replaces_the_later_ones():
    store = KeyframeStore()
    store.add([keyframe(e) for e in (0, 5, 10, 20)])
    store.add([keyframe(10)])
    assert list(store.epochs()) == [0, 5, 10]
    assert store.index_at(7) == 1 and store.index_at(100) == 2 and [k.epoch for k in store.up_to(5)] == [0, 5]


# ----------------------------------------------------------------- replay in the trainer
def test_showing_a_keyframe_draws_its_network_and_leaves_training_untouched():
    s = circle_session()
    s.handle(2, Step(40))
    frames = {k.epoch: k for k in s.snapshot().keyframes}
    live = s.snapshot()
    params, epoch, trainer = s.net.params.copy(), s.epoch, s.trainer
    s.handle(3, ShowKeyframe(frames[9], s.run))
    shown = s.snapshot()
    assert shown.replay and shown.epoch == 9 and not shown.playing
    expected = frames[9].network("binary")
    for l, (w, b) in enumerate(zip(*frames[9].arrays())):
        assert shown.weights[l].tobytes() == w.tobytes() and shown.biases[l].tobytes() == b.tobytes()
    assert shown.train_loss == pytest.approx(expected.loss(s.X_train, s.y_train), rel=1e-12)
    assert not np.array_equal(shown.decision_rgb, live.decision_rgb)
    assert s.net.params.tobytes() == params.tobytes() and s.epoch == epoch and s.trainer is trainer
    assert shown.keyframes == ()  # replaying records nothing
    s.handle(4, ShowKeyframe(None, s.run))
    back = s.snapshot()
    assert not back.replay and back.epoch == 40 and np.array_equal(back.decision_rgb, live.decision_rgb)


def test_training_or_editing_ends_a_replay_but_watching_does_not():
    s = circle_session()
    s.handle(2, Step(20))
    for command in (Play(), Step(1), Reset(), SetWeight(1, 0, 0, 0.5), LoadWeights((), (), 0)):
        s.handle(3, ShowKeyframe(Keyframe.of(s.net, 0), s.run))
        for watching in (Pause(), SetFocus((1, 0)), ShowSpace(SpaceChoice(1)), ApplySettings(Settings(0.1)),
                         HoldAt(7), HoldAt(None)):  # compare mode moves its holds while both runs replay
            s.handle(4, watching)
            assert s.snapshot().replay, watching
        s.handle(5, command)
        assert not s.snapshot().replay, command
        s.playing = False


def test_a_keyframe_of_an_ended_run_is_ignored_and_one_of_another_shape_refused():
    s = circle_session()
    s.handle(2, Step(5))
    old = Keyframe.of(s.net, s.epoch)
    s.handle(3, Reset())
    s.handle(4, ShowKeyframe(old, s.run - 1))
    assert s.message == "" and not s.snapshot().replay
    s.handle(5, ShowKeyframe(replace(old, layer_sizes=(2, 3, 1)), s.run))
    assert s.message.startswith("ShowKeyframe: the keyframe is of a [2, 3, 1] network")
    assert not s.snapshot().replay


def test_continuing_from_a_keyframe_trains_from_its_weights():
    s = circle_session()
    s.handle(2, Step(30))
    frame = {k.epoch: k for k in s.snapshot().keyframes}[12]
    weights, biases = frame.arrays()
    s.handle(3, LoadWeights(tuple(w.tolist() for w in weights), tuple(b.tolist() for b in biases), frame.epoch))
    first = s.snapshot()
    assert first.epoch == 12 and [k.epoch for k in first.keyframes] == [12]
    s.handle(4, Step(3))
    net = frame.network("binary")
    trainer = Trainer(net, seed=s.run_seed)
    for _ in range(3):
        trainer.epoch(s.X_train, s.y_train)
    assert s.epoch == 15 and s.net.params.tobytes() == net.params.tobytes()


# ----------------------------------------------------------------- session files
def session_with_keyframes(count: int = 5):
    session = make_session()
    net = Network.from_dict(session.model)
    frames = []
    for i in range(count):
        net.params[...] = np.random.default_rng(i).normal(size=net.params.size)
        frames.append(Keyframe.of(net, i))
    return replace(session, keyframes=tuple(frames), epoch=max(3, count))


def test_keyframes_round_trip_bit_for_bit(tmp_path: Path):
    session = session_with_keyframes()
    save_session(tmp_path / "s.json", session)
    loaded = load_session(tmp_path / "s.json")
    assert_same(session, loaded)
    assert [k.epoch for k in loaded.keyframes] == [0, 1, 2, 3, 4]
    for a, b in zip(session.keyframes, loaded.keyframes):
        assert a.params.tobytes() == b.params.tobytes() and a.activations == b.activations
        assert a.layer_sizes == b.layer_sizes


def test_an_old_session_without_keyframes_still_opens():
    doc = json.loads(session_to_json(session_with_keyframes()))
    del doc["keyframes"]
    assert session_from_json(json.dumps(doc), "old.json").keyframes == ()


def test_a_session_keeps_a_bounded_number_of_keyframes():
    frames = [keyframe(e) for e in range(0, 5000, 3)]
    kept = for_session(frames)
    assert len(kept) == limits.MAX_SESSION_KEYFRAMES and kept[0].epoch == 0 and kept[-1].epoch == frames[-1].epoch
    big = [keyframe(e, values=2304) for e in range(100)]
    assert len(for_session(big)) * 2304 <= limits.MAX_SESSION_KEYFRAME_VALUES


def _first(doc):
    return doc["keyframes"][0]


BAD_KEYFRAMES = {
    "not a list": (lambda d: d.update(keyframes={}), "keyframes must be a list"),
    "too many": (lambda d: d.update(keyframes=d["keyframes"] * 20), "more than the limit of 64"),
    "no model": (lambda d: d.update(model=None), "keyframes need trained weights, but the session's model is null"),
    "not an object": (lambda d: d["keyframes"].__setitem__(0, [1, 2]), "keyframes[0] must be a JSON object"),
    "missing weights": (lambda d: _first(d).pop("weights"), "keyframes[0] is missing weights"),
    "epoch after the session's": (lambda d: _first(d).update(epoch=10**6),
                                  "keyframes[0].epoch must be a whole number from 0 to 5"),
    "epoch not a number": (lambda d: _first(d).update(epoch="3"), "keyframes[0].epoch must be a whole number"),
    "out of order": (lambda d: d["keyframes"][1].update(epoch=0), "keyframes[1].epoch 0 is not after the previous"),
    "unknown activation": (lambda d: _first(d).update(activations=["tanh", "swish"]),
                           "unknown keyframes[0] activation name \"swish\""),
    "activation count": (lambda d: _first(d).update(activations=["tanh"]), "keyframes[0] has 1 activations for 2"),
    "weights of the wrong shape": (lambda d: _first(d)["weights"].__setitem__(0, [[1.0]]),
                                   "keyframes[0] weights[0] must have 3 rows of 4"),
    "a bias too few": (lambda d: _first(d)["biases"][1].pop(), "keyframes[0] biases[1] must have 2 numbers"),
    "a weight that is text": (lambda d: _first(d)["weights"][2][0].__setitem__(0, "x"),
                              "keyframes[0] weights[2][0][0] must be a number"),
    "a weight that is NaN": (lambda d: _first(d)["weights"][2][1].__setitem__(0, float("nan")),
                             "keyframes[0] weights[2][1][0] must be a finite number"),
}


@pytest.mark.parametrize("name", list(BAD_KEYFRAMES))
def test_bad_keyframes_are_refused_in_one_line_naming_file_and_field(tmp_path: Path, name: str):
    change, expected = BAD_KEYFRAMES[name]
    doc = json.loads(session_to_json(session_with_keyframes()))
    change(doc)
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(DataError) as caught:
        load_session(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: ") and expected in message, message
    assert "\n" not in message and len(message) < 300


def test_too_many_keyframe_values_are_refused(tmp_path: Path):
    session = replace(make_session(hidden=(16,) * 8), epoch=100)
    net = Network.from_dict(session.model)
    doc = json.loads(session_to_json(session))
    frame = {"epoch": 0, "activations": list(net.activation_names), "weights": [w.tolist() for w in net.weights],
             "biases": [b.tolist() for b in net.biases]}
    doc["keyframes"] = [{**frame, "epoch": e} for e in range(40)]
    with pytest.raises(DataError, match=r"s\.json: the keyframes hold [\d,]+ weights and biases, more than the limit"):
        session_from_json(json.dumps(doc), "s.json")



@pytest.mark.parametrize("regression", [False, True])
def test_a_multiclass_or_regression_keyframe_is_shown_like_its_live_snapshot(regression):
    s = LiveSession(0)
    if regression:
        s.handle(1, ApplyArchitecture(Architecture(regression=True)))
        points, labels = generate("plane", 200, 0.1, 0)
    else:
        points, _ = generate("circle", 200, 0.1, 0)
        labels = np.arange(200) % 3  # three classes: a softmax output
    s.handle(2, SetData(points, labels.astype(float) if regression else labels, np.arange(200) % 2 == 1, (-6.0, 6.0)))
    s.handle(3, Step(5))
    live = s.snapshot()  # paused at epoch 5: recorded now, and drawn from the same weights
    frame = live.keyframes[-1]
    assert frame.epoch == 5
    s.handle(4, Step(20))
    s.handle(5, ShowKeyframe(frame, s.run))
    shown = s.snapshot()
    assert shown.replay and shown.task == live.task == ("regression" if regression else "multiclass")
    np.testing.assert_array_equal(shown.decision_rgb, live.decision_rgb)
    for a, b in zip(shown.neuron_levels, live.neuron_levels):
        np.testing.assert_array_equal(a, b)
    assert shown.train_loss == pytest.approx(live.train_loss, rel=1e-12)
