"""Light and dark: the application palette and every colour the window draws that is not data.

The data colours (classes, values, the decision map) come from ``engine.palette`` through
``gui.colors`` and are the same in both themes (colour-blind safe). Everything else a view
draws -- plot backgrounds, axes, grid, legends, the network's links and borders, the notice,
hints -- comes from the ``Theme`` in force here. ``apply`` sets it (Fusion style and an explicit
palette, the one way that looks the same on every platform) and tells every view that follows
it (``follow``), so a switch at run time restyles everything without a restart.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pyqtgraph as pg
from PySide6.QtCore import QObject, QSettings, Qt, Signal
from PySide6.QtGui import QAction, QActionGroup, QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QMenu, QWidget

CHOICES = ("light", "dark", "system")  # what --theme and View → Theme offer
SETTINGS_KEY = "theme"  # QSettings: the theme chosen in the View menu

# Drawn over the decision map, whose colours do not change with the theme.
POINT_OUTLINE = (255, 255, 255)  # training points
TEST_OUTLINE = (30, 30, 30)  # test points (squares)
DECISION_LINE = (20, 20, 20)  # the output's decision in the layer-space view


@dataclass(frozen=True)
class Theme:
    """The colours of one theme (names or #rrggbb; RGBA tuples where pyqtgraph wants alpha)."""

    name: str
    window: str  # panels and buttons
    base: str  # plot and diagram surfaces, text fields
    text: str
    muted: str  # hints and secondary text
    faint: str  # inactive labels and borders
    border: str  # neuron and picture frames
    highlight: str  # selection, keyboard focus, the canvas crosshair
    highlighted_text: str
    link: str  # the page's links; the neutral (untrained) network links
    error: str  # warnings that stay (autosave failing)
    notice_background: str
    notice_border: str
    note_background: str  # "what just happened" in a lesson
    note_border: str
    series: tuple[str, ...]  # curves that are not class colours (gradient flow, lessons)
    legend_brush: tuple[int, int, int, int]
    grid_lines: tuple[tuple[int, int, int, int], tuple[int, int, int, int]]  # layer space: x2 = c, x1 = c

    @property
    def dark(self) -> bool:
        """True for a dark theme."""
        return QColor(self.base).lightness() < 128


OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#F0E442")

LIGHT = Theme(
    name="light", window="#efefef", base="#ffffff", text="#1e1e1e", muted="#555555", faint="#a0a0a0",
    border="#787878", highlight="#308cc6", highlighted_text="#ffffff", link="#0072b2", error="#b00020",
    notice_background="#fff4d6", notice_border="#e69f00", note_background="#eef6ee", note_border="#99cc99",
    series=(*OKABE_ITO, "#000000", "#999999"), legend_brush=(255, 255, 255, 210),
    grid_lines=((90, 90, 90, 150), (150, 60, 150, 120)),
)
DARK = Theme(
    name="dark", window="#2d2d2d", base="#1c1c1c", text="#e8e8e8", muted="#b4b4b4", faint="#707070",
    border="#9a9a9a", highlight="#56b4e9", highlighted_text="#000000", link="#56b4e9", error="#ff7b7b",
    notice_background="#3b3322", notice_border="#e69f00", note_background="#23382a", note_border="#5c9c6c",
    # Okabe-Ito reordered so the first curve is the sky blue (the deep blue is dim on black), white for black.
    series=("#56B4E9", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#0072B2", "#F0E442", "#ffffff", "#999999"),
    legend_brush=(40, 40, 40, 220), grid_lines=((170, 170, 170, 150), (214, 130, 214, 150)),
)
THEMES = {"light": LIGHT, "dark": DARK}


def palette_for(theme: Theme) -> QPalette:
    """The Qt palette of ``theme`` (active and inactive, with greyed disabled text)."""
    role = QPalette.ColorRole
    colours = {
        role.Window: theme.window, role.WindowText: theme.text, role.Base: theme.base,
        role.AlternateBase: theme.window, role.ToolTipBase: theme.base, role.ToolTipText: theme.text,
        role.PlaceholderText: theme.faint, role.Text: theme.text, role.Button: theme.window,
        role.ButtonText: theme.text, role.BrightText: "#ff5555", role.Highlight: theme.highlight,
        role.HighlightedText: theme.highlighted_text, role.Link: theme.link, role.LinkVisited: theme.link,
    }
    # The shades Fusion draws bevels and frames with.
    shades = ("#505050", "#404040", "#333333", "#141414", "#000000") if theme.dark else (
        "#ffffff", "#e3e3e3", "#a0a0a0", "#a0a0a0", "#696969")
    colours.update(zip((role.Light, role.Midlight, role.Mid, role.Dark, role.Shadow), shades, strict=True))
    palette = QPalette()
    for r, colour in colours.items():
        palette.setColor(r, QColor(colour))
    for r in (role.WindowText, role.Text, role.ButtonText):
        palette.setColor(QPalette.ColorGroup.Disabled, r, QColor(theme.faint))
    return palette


class _Notifier(QObject):
    """Announces a theme change to every view that follows the theme."""

    # Emitted after the application's palette changed to a new theme.
    changed = Signal()


_notifier: _Notifier | None = None
_current: Theme = LIGHT
_choice = "system"


def notifier() -> _Notifier:
    """The one object that announces theme changes (made on first use)."""
    global _notifier
    if _notifier is None:
        _notifier = _Notifier()
    return _notifier


def current() -> Theme:
    """The theme in force."""
    return _current


def chosen() -> str:
    """What the user chose: light, dark or system."""
    return _choice


def system_is_dark() -> bool:
    """Whether the system asks for a dark colour scheme (Qt's colour-scheme hint; unknown counts as light)."""
    return QGuiApplication.styleHints().colorScheme() == Qt.ColorScheme.Dark


def resolve(choice: str) -> Theme:
    """The theme ``choice`` (light, dark or system) means now."""
    if choice == "system":
        return DARK if system_is_dark() else LIGHT
    return THEMES[choice]


def apply(choice: str) -> Theme:
    """Put theme ``choice`` in force: Fusion style, its palette, and every following view restyled."""
    global _current, _choice
    if choice not in CHOICES:
        raise ValueError(f"theme must be one of {', '.join(CHOICES)}, not {choice!r}")
    _choice = choice
    theme = resolve(choice)
    app = QApplication.instance()
    if isinstance(app, QApplication):
        if app.style().name().lower() != "fusion":
            app.setStyle("Fusion")  # native styles ignore parts of the palette (Windows, macOS)
        palette = palette_for(theme)
        if app.palette() != palette:  # a new palette restyles every widget: only when it changes
            app.setPalette(palette)
    changed = theme is not _current
    _current = theme
    if changed:
        notifier().changed.emit()
    return theme


class _Follower(QObject):
    """Calls one view's restyle function on every theme change, for as long as the view lives."""

    def __init__(self, widget: QObject, restyle: Callable[[Theme], None]) -> None:
        super().__init__(widget)  # a child: destroyed, and so disconnected, with the view
        self._restyle = restyle
        notifier().changed.connect(self.restyle)

    def restyle(self) -> None:
        """Restyle the view for the theme now in force."""
        self._restyle(_current)


def follow(widget: QObject, restyle: Callable[[Theme], None]) -> None:
    """Call ``restyle(theme)`` now and after every theme change while ``widget`` exists."""
    _Follower(widget, restyle)
    restyle(_current)


def style_plot(plot: pg.PlotWidget, theme: Theme) -> None:
    """A plot's background, axes, tick labels, axis titles and grid in ``theme``'s colours."""
    plot.setBackground(theme.base)
    item = plot.getPlotItem()
    for side in ("left", "bottom", "right", "top"):
        axis = item.getAxis(side)
        axis.setPen(theme.muted)
        axis.setTextPen(theme.text)
    title = item.titleLabel
    if title.text:
        title.setText(title.text, color=theme.text)


def style_legend(legend: pg.LegendItem, theme: Theme) -> None:
    """A pyqtgraph legend's box and text in ``theme``'s colours."""
    legend.setBrush(pg.mkBrush(*theme.legend_brush))
    legend.setPen(pg.mkPen(theme.faint))
    legend.setLabelTextColor(theme.text)


def remembered(settings: QSettings | None) -> str:
    """The theme chosen in the View menu last time ("system" when none, or none valid, is remembered)."""
    saved = settings.value(SETTINGS_KEY) if settings is not None else None
    return saved if saved in CHOICES else "system"


class ThemePresenter(QObject):
    """View → Theme (Light, Dark, System), remembered; while System is chosen it follows the system."""

    def __init__(self, parent: QObject, settings: QSettings, persistent: bool) -> None:
        super().__init__(parent)
        self.settings = settings
        self.persistent = persistent  # remember the choice (not in screenshots and tests)
        self.actions: dict[str, QAction] = {}
        group = QActionGroup(self)
        for choice, text, tip in (("light", "&Light", "Dark text on a light window"),
                                  ("dark", "&Dark", "Light text on a dark window (projectors, night)"),
                                  ("system", "&System", "Follow the system's light or dark setting")):
            action = QAction(text, self, checkable=True)
            action.setObjectName(f"theme-{choice}")
            action.setToolTip(tip)
            action.triggered.connect(lambda _=False, c=choice: self.choose(c))
            group.addAction(action)
            self.actions[choice] = action
        QGuiApplication.styleHints().colorSchemeChanged.connect(self._on_scheme_change)
        self.choose(remembered(settings if persistent else None), remember=False)

    def build_menu(self, view_menu: QMenu) -> None:
        """Add the Theme submenu to the View menu."""
        menu = view_menu.addMenu("&Theme")
        menu.setToolTipsVisible(True)
        for action in self.actions.values():
            menu.addAction(action)

    def choose(self, choice: str, remember: bool = True) -> None:
        """Put theme ``choice`` in force; a persistent window remembers it for the next start."""
        apply(choice)
        self.actions[choice].setChecked(True)
        if remember and self.persistent:
            self.settings.setValue(SETTINGS_KEY, choice)

    def _on_scheme_change(self, _scheme: Qt.ColorScheme) -> None:
        if _choice == "system":
            apply("system")


def text_style(widget: QWidget, colour: str, extra: str = "") -> None:
    """Give a label-like widget a text colour from the theme (and any further style)."""
    widget.setStyleSheet(f"color: {colour}; {extra}".strip())
