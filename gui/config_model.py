"""The window's configuration: one engine ``Architecture`` and one engine ``Settings``.

This is the only place the window keeps the network's shape and the training settings.
The controller sends them to the trainer as they are whenever they change; undo records
``Configuration`` values and puts them back as they are; the controls show them.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from PySide6.QtCore import QObject, Signal

from engine.config import Architecture, Settings


@dataclass(frozen=True)
class Configuration:
    """What the user chose: the network's shape and how it trains (one undo state)."""

    architecture: Architecture = field(default_factory=Architecture)
    settings: Settings = field(default_factory=Settings)


class ConfigModel(QObject):
    """Holds the configuration in force and announces each change."""

    # Emitted with (before, after) Configuration whenever the configuration changes.
    changed = Signal(object, object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._current = Configuration()

    @property
    def current(self) -> Configuration:
        """The configuration in force."""
        return self._current

    @property
    def architecture(self) -> Architecture:
        """The network's shape in force."""
        return self._current.architecture

    @property
    def settings(self) -> Settings:
        """The training settings in force."""
        return self._current.settings

    def set(self, new: Configuration) -> None:
        """Make ``new`` the configuration (nothing happens when it is the one in force)."""
        before = self._current
        if new != before:
            self._current = new
            self.changed.emit(before, new)

    def restore(self, state: Configuration) -> None:
        """Put back a recorded configuration; speed and discretize stay as they are now.

        Those two are how the user watches, not what the network learns, so undo leaves them.
        """
        now = self._current.settings
        self.set(replace(state, settings=replace(state.settings, speed=now.speed, discretize=now.discretize)))

    def update_settings(self, **changes: Any) -> None:
        """Change some training settings (e.g. ``learning_rate=0.1``), keeping the others."""
        self.set(replace(self._current, settings=replace(self._current.settings, **changes)))

    def update_architecture(self, **changes: Any) -> None:
        """Change some of the network's shape (e.g. ``hidden=(4, 4)``), keeping the rest."""
        self.set(replace(self._current, architecture=replace(self._current.architecture, **changes)))
