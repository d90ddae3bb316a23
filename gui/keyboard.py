"""Working without a mouse: every control's name and tooltip, and the order Tab visits them in.

Qt's default tab order is the order widgets were created in, which here is not the order on
screen (the drawing tools are built with the left panel, the network view before the plots).
``tab_order`` lists the window's controls as they sit on screen -- the left panel top to
bottom, the network view (its buttons, then the diagram), the loss plot, the timeline, then
the right column: drawing tools, notice, canvas, layer space -- and ``apply_tab_order``
chains them. The docks (inspector, lessons) and compare mode's panel follow in Qt's order.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QWidget

if TYPE_CHECKING:
    from gui.main_window import MainWindow

W = TypeVar("W", bound=QWidget)


def describe(widget: W, accessible: str, tip: str = "") -> W:
    """Give ``widget`` a name for screen readers and (when given) a tooltip: every control has both."""
    widget.setAccessibleName(accessible)
    if tip:
        widget.setToolTip(tip)
    return widget


def tab_order(window: MainWindow) -> list[QWidget]:
    """The window's controls in the order Tab visits them (hidden ones are skipped by Qt as it goes)."""
    c = window.controls
    left: list[QWidget] = [c.play, c.step, c.reset, c.speed, c.check, c.learning_rate, c.activation,
                           c.surrogate, c.optimizer, c.batch_size, c.regularization, c.reg_rate, c.task,
                           *c.pictures.buttons.values(), c.preset, c.regenerate, c.point_count, c.noise,
                           c.ratio, c.show_test, c.discretize]
    network = window.network
    middle: list[QWidget] = [network.layers_minus, network.layers_plus]
    for header in network.header.layers:
        middle += [header.minus, header.plus, header.combo]
    timeline = window.replay.timeline
    middle += [network.canvas, window.loss_plot.log_scale, timeline.slider, timeline.live, timeline.resume]
    notice = window.notice
    right: list[QWidget] = [*c.classes.buttons(), c.value, *c.tools.buttons(), c.clear,
                            notice.restart, notice.to_sigmoid, notice.surrogate, window.canvas]
    space = window.space.built_view
    if space is not None:  # built when first shown
        right += [space.layer_box, space.pca, space.replace]
    return left + middle + right


def apply_tab_order(window: MainWindow) -> None:
    """Chain the controls in ``tab_order``; again whenever the preset pictures are rebuilt (task switch)."""
    chain = tab_order(window)
    for first, second in zip(chain, chain[1:]):
        QWidget.setTabOrder(first, second)


def keep_tab_order(window: MainWindow) -> None:
    """Apply the tab order now, after every task switch (which rebuilds the preset pictures), and once the
    layer-space view is built."""
    apply_tab_order(window)
    window.controls.task.currentIndexChanged.connect(lambda _: QTimer.singleShot(0, lambda: apply_tab_order(window)))
    window.space.view_built.connect(lambda _view: apply_tab_order(window))
