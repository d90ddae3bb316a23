"""Replay in compare mode: the timeline scrubs run A, and run B shows the same epoch beside it.

The timeline stays run A's (``gui.replay_actions.ReplayPresenter``); in compare mode it sits
under the panel's loss plot. Moving it sends A's trainer ``ShowKeyframe`` as outside compare
mode, and this follows what A's trainer then shows: while A's snapshots are of a keyframe at
epoch e, B's trainer is sent B's own keyframe at e. The two trainers record and thin their
keyframes on their own clocks, so B may have kept none at e: then B shows its last one before
e, and its figures say so. When A is live again (Back to live, Play, Step, Reset, an edit), B
is sent back to live too; the presenter's holds wait meanwhile.

"Continue from here" is refused in compare mode: it would start each run anew from its own
keyframe outside the joint start that keeps the two aligned (and one undo step could not put
both back). The button says to leave with Keep A or Keep B first; the replay of either run
then continues as usual.
"""

from __future__ import annotations

from engine.commands import ShowKeyframe
from engine.keyframes import Keyframe
from engine.snapshot import Snapshot
from gui.compare_view import ComparePanel
from gui.controller import Controller
from gui.replay_actions import ReplayPresenter

REFUSED = ("Compare mode replays both runs but continues neither: leave it with Keep A or Keep B, "
           "then continue from here")


class CompareReplay:
    """Gives the panel the timeline and has run B show the epoch run A replays."""

    def __init__(self, replay: ReplayPresenter) -> None:
        self.replay = replay
        self.b_shown: Keyframe | None = None  # B's keyframe asked for (None: B is live)

    def attach(self, panel: ComparePanel) -> None:
        """Compare mode starts: the timeline goes under the panel's loss plot; Continue is refused."""
        layout = panel.layout()
        assert layout is not None
        self.replay.move_timeline(layout)  # type: ignore[arg-type]  # the panel's QVBoxLayout
        self.replay.refusal = lambda: REFUSED
        self.b_shown = None

    def detach(self) -> None:
        """Compare mode ends (before the panel goes): the timeline goes back under the window's plots."""
        self.replay.move_timeline(None)
        self.replay.refusal = None
        self.b_shown = None

    def follow(self, a_snap: Snapshot, b: Controller) -> None:
        """After a snapshot of A: B shows its keyframe at A's replayed epoch (or its last before), or is live."""
        want = None
        if a_snap.replay and len(b.keyframes):
            store = b.keyframes
            want = store.keyframes[store.index_at(a_snap.epoch)]
        if want is not self.b_shown:
            self.b_shown = want
            b.send(ShowKeyframe(want, b.run))

    def replaying(self, a_snap: Snapshot, b_snap: Snapshot) -> bool:
        """Whether either run shows (or was asked to show) an earlier epoch: the holds wait meanwhile.

        Asked counts: a HoldAt or Play sent after the timeline's ShowKeyframe would take the trainer
        back to live before it ever showed the keyframe."""
        return self.replay.replaying or self.b_shown is not None or a_snap.replay or b_snap.replay

    @staticmethod
    def wanted(a_snap: Snapshot | None, b_snap: Snapshot) -> int | None:
        """The epoch B was asked to show when it shows another (it kept no keyframe there), else None."""
        if a_snap is None or not (a_snap.replay and b_snap.replay) or a_snap.epoch == b_snap.epoch:
            return None
        return a_snap.epoch
