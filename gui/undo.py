"""Undo and redo: every edit of the data, the network's shape or the settings is one step.

Edits are applied first and recorded afterwards as a (before, after) pair of immutable
states; undo applies ``before``, redo applies ``after``. Slider drags and repeated
changes of the same control merge into one step.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtGui import QUndoCommand


class StateCommand(QUndoCommand):
    """One recorded edit: ``apply(before)`` undoes it, ``apply(after)`` redoes it."""

    def __init__(self, text: str, apply: Callable[[Any], None], before: Any, after: Any,
                 merge_id: int = -1) -> None:
        super().__init__(text)
        self._apply, self.before, self.after = apply, before, after
        self._merge_id = merge_id
        self._done = True  # the edit has already happened when the command is pushed

    def id(self) -> int:  # Qt's name
        """Commands with the same non-negative id merge (e.g. one slider drag)."""
        return self._merge_id

    def mergeWith(self, other: QUndoCommand) -> bool:  # Qt override
        """Absorb a later edit of the same control: keep our ``before``, take its ``after``."""
        if not isinstance(other, StateCommand) or other.id() != self.id():
            return False
        self.after = other.after
        return True

    def undo(self) -> None:
        """Go back to the state before the edit."""
        self._apply(self.before)

    def redo(self) -> None:
        """Apply the edit again (the first call, at push time, does nothing: it is done)."""
        if self._done:
            self._done = False
            return
        self._apply(self.after)
