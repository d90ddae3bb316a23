"""The window's layout: where every view goes, and a size that fits the screen.

Left: run, training and data controls. Middle: the network view over the loss and
gradient plots. Right: the square canvas, with the drawing tools, a notice slot of fixed
height and the colour scale in the bands above and below it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QRect, QSize, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QAbstractSpinBox, QDockWidget, QLabel, QScrollArea, QSplitter, QVBoxLayout, QWidget

from gui.widgets.canvas import SquareFrame
from gui.widgets.colour_scale import ColourScale
from gui.widgets.notice import NoticeSlot

if TYPE_CHECKING:
    from gui.main_window import MainWindow

PREFERRED_SIZE = (1500, 900)  # the first window's size on a screen with room for it
RUN_KEYS = (Qt.Key.Key_Space, Qt.Key.Key_S, Qt.Key.Key_R)  # run shortcuts no number field may swallow


class RunKeyGuard(QObject):
    """Lets Space, S and R reach the window's run shortcuts while a number field has the focus.

    A spin box claims every printable key for its text, so without this the batch size field
    would keep Space after the user typed in it. None of these keys is valid in a number.
    """

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        """Decline the spin box's claim on a plain Space, S or R, so the shortcut fires."""
        if (event.type() == QEvent.Type.ShortcutOverride and event.key() in RUN_KEYS
                and not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
                and (isinstance(watched, QAbstractSpinBox) or isinstance(watched.parent(), QAbstractSpinBox))):
            event.ignore()
            return True
        return False



def build_layout(win: MainWindow) -> None:
    """Left: run, training and data controls. Middle: network over the plots. Right: the canvas.

    The canvas is square; the bands above and below it hold the drawing tools, the notice
    slot (fixed height, so nothing moves when a notice comes or goes) and the colour scale.
    """
    win.controls_scroll = scroll = QScrollArea()
    scroll.setWidget(win.controls)
    scroll.setWidgetResizable(True)
    scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    scroll.setFrameShape(QScrollArea.Shape.NoFrame)
    scroll.setMinimumWidth(win.controls.minimumSizeHint().width() + scroll.verticalScrollBar().sizeHint().width())
    win.network.setObjectName("network")
    win.network.setAccessibleName("Network view")
    plots = QSplitter(Qt.Orientation.Horizontal)
    plots.addWidget(win.loss_plot)
    plots.addWidget(win.gradient_plot)
    plots.setStretchFactor(0, 1)
    plots.setStretchFactor(1, 1)
    win.middle = middle = QSplitter(Qt.Orientation.Vertical)
    middle.addWidget(win.network)
    middle.addWidget(plots)
    middle.setStretchFactor(0, 3)
    middle.setStretchFactor(1, 2)
    right = QWidget()
    right_layout = QVBoxLayout(right)
    right_layout.setContentsMargins(2, 2, 2, 2)
    right_layout.setSpacing(3)
    right_layout.addWidget(win.controls.draw_bar)
    win.notice_slot = NoticeSlot(win.notice)
    right_layout.addWidget(win.notice_slot)
    right_layout.addWidget(SquareFrame(win.canvas), 1)
    win.colour_scale = ColourScale()
    right_layout.addWidget(win.colour_scale)
    win.splitter = QSplitter(Qt.Orientation.Horizontal)
    win.splitter.addWidget(scroll)
    win.splitter.addWidget(middle)
    win.splitter.addWidget(right)
    win.splitter.setStretchFactor(1, 1)
    win.splitter.setStretchFactor(2, 1)
    win.setCentralWidget(win.splitter)
    win.inspector_dock = QDockWidget("Neuron inspector", win)
    win.inspector_dock.setObjectName("inspector")
    win.inspector_dock.setWidget(win.inspector)
    win.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, win.inspector_dock)
    win.inspector_dock.hide()
    win.status = QLabel()
    win.status.setObjectName("status")
    win.status.setAccessibleName("Status")
    win.statusBar().addPermanentWidget(win.status)
    win._key_guard = RunKeyGuard(win)
    QGuiApplication.instance().installEventFilter(win._key_guard)

def fit_to_screen(win: MainWindow, remembered: bool = False) -> None:
    """Never larger than the screen's free area: the first size from it, a remembered one clamped to it."""
    screen = win.screen() or QGuiApplication.primaryScreen()
    if screen is None:
        win.resize(*PREFERRED_SIZE)
        return
    free = screen.availableGeometry()
    frame = win.frameGeometry().size() - win.geometry().size() if win.isVisible() else QSize(0, 0)
    room_w, room_h = free.width() - frame.width(), free.height() - frame.height()
    if remembered:
        if win.width() <= room_w and win.height() <= room_h and free.intersects(win.frameGeometry()):
            return  # the remembered size and place fit this screen: keep them, and the user's splits
        width, height = min(win.width(), room_w), min(win.height(), room_h)
    else:
        width, height = min(PREFERRED_SIZE[0], room_w), min(PREFERRED_SIZE[1], room_h)
    win.resize(width, height)
    geometry = QRect(win.frameGeometry().topLeft(), win.frameGeometry().size())
    if not remembered or not free.contains(geometry):
        x = free.left() + max(0, (free.width() - width - frame.width()) // 2)
        y = free.top() + max(0, (free.height() - height - frame.height()) // 2)
        win.move(x, y)
    share_width(win, width)
    if not remembered and (width < PREFERRED_SIZE[0] or height < PREFERRED_SIZE[1]):
        win.setWindowState(win.windowState() | Qt.WindowState.WindowMaximized)

def share_width(win: MainWindow, width: int) -> None:
    """Split the width: the controls get what they need, the canvas a square as tall as it can be."""
    left = win.controls_scroll.minimumWidth()
    canvas = max(300, min(int(0.38 * width), win.height() - 190))
    win.splitter.setSizes([left, max(300, width - left - canvas), canvas])
    win.middle.setSizes([int(win.height() * 0.55), int(win.height() * 0.45)])
