"""The layer-space view in the window: beside the canvas or in its place, and its View menu.

``SpacePresenter`` owns the view and its state. The view is reached by clicking a hidden
layer's header in the network view, or View → Layer space; while it is shown, clicking
neurons of its layer (3+ neurons) chooses the axes instead of opening the inspector. The
trainer computes the layer's space only while the view is shown (``Controller.set_space``);
the window only draws it. Whether the view replaces the canvas, and whether it was open,
are remembered (QSettings). The view is built when it is first needed (shown, or asked for
by ``view``), not with the window: most sessions never open it, and the first frame does
not show it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QSettings, QSignalBlocker, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence, QResizeEvent
from PySide6.QtWidgets import QMenu, QMenuBar, QSplitter, QWidget

from engine.layer_space import SpaceChoice
from engine.snapshot import Snapshot
from gui.config_model import ConfigModel, Configuration
from gui.controller import Controller
from gui.widgets.network_view import NetworkView

if TYPE_CHECKING:
    from gui.widgets.layer_space import LayerSpaceView

REPLACE_KEY = "layer_space/replace"  # QSettings: the view takes the canvas's place
SHOWN_KEY = "layer_space/shown"  # QSettings: the view was open when the window closed


class _Beside(QSplitter):
    """The canvas and the view side by side in a wide area, one above the other in a tall one."""

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Split along the longer side, so both stay as square as they can."""
        wide = event.size().width() >= event.size().height()
        orientation = Qt.Orientation.Horizontal if wide else Qt.Orientation.Vertical
        if orientation != self.orientation():
            self.setOrientation(orientation)
            half = (event.size().width() if wide else event.size().height()) // 2
            self.setSizes([half, half])
        super().resizeEvent(event)


class SpacePresenter(QObject):
    """The layer-space view, its menu, its clicks and what the trainer computes for it."""

    # Emitted once, with the view, when it has been built (the tab order takes it in).
    view_built = Signal(object)

    def __init__(self, canvas_frame: QWidget, network: NetworkView, controller: Controller, config: ConfigModel,
                 settings: QSettings, persistent: bool, notify: Callable[[str], None],
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.config = config
        self.settings = settings
        self.persistent = persistent  # remember the user's choices (not in screenshots and tests)
        self.notify = notify
        self._view: LayerSpaceView | None = None
        self._canvas_frame = canvas_frame
        self.area = _Beside(Qt.Orientation.Horizontal)
        self.area.setChildrenCollapsible(False)
        self.area.addWidget(canvas_frame)
        self.action = QAction("&Layer space", self, checkable=True)
        self.action.setShortcut(QKeySequence("Ctrl+L"))
        self.action.setToolTip("How the chosen hidden layer moves the plane and the points")
        self.action.toggled.connect(self.set_visible)
        self.layer_menu = QMenu("Layer space &of")
        self.pca_action = QAction("&Principal directions", self, checkable=True)
        self.pca_action.toggled.connect(lambda on: self.view.pca.setChecked(on))
        self.replace_action = QAction("Layer space &replaces the canvas", self, checkable=True)
        self.replace_action.toggled.connect(lambda on: self.view.replace.setChecked(on))
        network.layer_space_requested.connect(self.show)
        config.changed.connect(self._on_config_change)
        self.structure_changed(list(config.architecture.hidden))
        if persistent:  # bring the view back as the user left it
            if settings.value(REPLACE_KEY, False, type=bool):
                self.view.replace.setChecked(True)
            if settings.value(SHOWN_KEY, False, type=bool):
                self.set_visible(True)

    @property
    def view(self) -> LayerSpaceView:
        """The layer-space view, built (hidden, beside the canvas) on first use."""
        if self._view is None:
            from gui.widgets.layer_space import LayerSpaceView

            self._view = view = LayerSpaceView()
            view.setObjectName("layer_space")
            self.area.addWidget(view)
            view.hide()
            view.set_layers(list(self.config.architecture.hidden))
            view.choice_changed.connect(self._on_choice)
            view.replace_toggled.connect(self._on_replace)
            view.pca.toggled.connect(self.pca_action.setChecked)
            self.view_built.emit(view)
        return self._view

    @property
    def built_view(self) -> LayerSpaceView | None:
        """The view if it has been built, else None (asking does not build it)."""
        return self._view

    def build_menu(self, menu_bar: QMenuBar) -> QMenu:
        """Add the View menu: the view on or off, its layer, principal directions, replace the canvas."""
        menu = menu_bar.addMenu("&View")
        menu.addAction(self.action)
        menu.addMenu(self.layer_menu)
        menu.addAction(self.pca_action)
        menu.addAction(self.replace_action)
        return menu

    def _remember(self, key: str, value: bool) -> None:
        if self.persistent:
            self.settings.setValue(key, value)

    # ------------------------------------------------------------------ showing
    def show(self, layer: int) -> None:
        """Show the layer-space view of hidden layer ``layer`` (1-based)."""
        self.view.choose_layer(layer)
        self.set_visible(True)

    def shown(self) -> bool:
        """Whether the layer-space view is open."""
        return self._view is not None and not self._view.isHidden()

    def set_visible(self, on: bool) -> None:
        """Show or hide the view; the trainer computes the space only while it is shown."""
        with QSignalBlocker(self.action):
            self.action.setChecked(on)
        if not on and self._view is None:
            self._remember(SHOWN_KEY, False)
            return  # never built, so never shown: nothing to hide
        opening = on and not self.shown()
        self.view.setVisible(on)
        if opening:  # an even split along the area's longer side
            half = max(self.area.width(), self.area.height()) // 2
            self.area.setSizes([half, half])
        self._canvas_frame.setVisible(not (on and self.view.replace.isChecked()))
        self._remember(SHOWN_KEY, on)
        self._send()

    def _send(self) -> None:
        wanted = self.shown() and bool(self.config.architecture.hidden)
        self.controller.set_space(self.view.choice if wanted else None)

    def _on_choice(self, _choice: SpaceChoice) -> None:
        if self.shown():
            self._send()

    def _on_replace(self, on: bool) -> None:
        with QSignalBlocker(self.replace_action):
            self.replace_action.setChecked(on)
        self._remember(REPLACE_KEY, bool(on))
        self._canvas_frame.setVisible(not (on and self.shown()))

    def _on_config_change(self, before: Configuration, after: Configuration) -> None:
        if before.architecture.hidden != after.architecture.hidden:
            self.structure_changed(list(after.architecture.hidden))

    def structure_changed(self, hidden: list[int]) -> None:
        """The hidden layers changed: offer them in the view and the menu."""
        if self._view is not None:  # a view built later takes them from the configuration
            self._view.set_layers(list(hidden))
        self.layer_menu.clear()
        for l, size in enumerate(hidden, start=1):
            action = self.layer_menu.addAction(f"Hidden layer {l} ({size} neuron{'s' if size > 1 else ''})")
            action.triggered.connect(lambda _=False, l=l: self.show(l))
        self.layer_menu.setEnabled(bool(hidden))
        if self.shown():
            self._send()

    def takes_click(self, layer: int, neuron: int) -> bool:
        """A click on neuron ``neuron`` of weight layer ``layer``: an axis of the shown layer?"""
        hidden = self.config.architecture.hidden
        if not self.shown() or layer != self.view.choice.layer or layer > len(hidden) or hidden[layer - 1] < 3:
            return False
        self.view.choose_neuron(neuron)
        self.notify(f"Layer space: the axes are the last two neurons clicked in layer {layer}")
        return True

    def draw(self, snap: Snapshot) -> None:
        """Draw the snapshot's layer space (the view shows the last one until a new one comes)."""
        if not self.shown():
            return
        if not snap.layer_sizes[1:-1]:
            self.view.show_space(None, snap.task)
        elif snap.layer_space is not None:
            self.view.show_space(snap.layer_space, snap.task)
