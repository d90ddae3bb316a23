"""Light and dark: View → Theme, --theme, the system's scheme, and every view restyled at once."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from helpers import make_window
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QMenu

from engine import palette
from gui import app as app_module
from gui import theme
from gui.app import build_parser, start


@pytest.fixture(autouse=True)
def _light_afterwards():
    """Leave the application light for the tests that follow, whatever a test chose."""
    yield
    theme.apply("light")


def window_colour() -> QColor:
    return QApplication.instance().palette().color(QPalette.ColorRole.Window)


def plot_background(plot) -> QColor:
    return plot.backgroundBrush().color()


def pixel(widget, x: int, y: int) -> QColor:
    return widget.grab().toImage().pixelColor(x, y)


def choose_from_view_menu(qtbot, win, letter: Qt.Key) -> None:
    """View → Theme → (Light | Dark | System) with the keyboard, as a user without a mouse would."""
    win.activateWindow()
    qtbot.keyClick(win, Qt.Key.Key_V, Qt.KeyboardModifier.AltModifier)
    view = next(a.menu() for a in win.menuBar().actions() if a.text() == "&View")
    qtbot.waitUntil(view.isVisible, timeout=20000)
    qtbot.keyClick(view, Qt.Key.Key_T)
    themes = next(a.menu() for a in view.actions() if a.text() == "&Theme")
    qtbot.waitUntil(themes.isVisible, timeout=20000)
    qtbot.keyClick(themes, letter)
    qtbot.waitUntil(lambda: not view.isVisible(), timeout=20000)


def assert_looks(win, colours: theme.Theme) -> None:
    """The palette, the plots, the canvas's margin, the network view and the notice all in ``colours``."""
    assert window_colour() == QColor(colours.window)
    for plot in (win.loss_plot.plot, win.gradient_plot.plot, win.canvas, win.space.view.plot):
        assert plot_background(plot) == QColor(colours.base)
    assert win.loss_plot.plot.getPlotItem().getAxis("left").textPen().color() == QColor(colours.text)
    network = win.network.viewport()
    assert pixel(network, 2, 2) == QColor(colours.base)  # the diagram's surface
    assert colours.notice_background in win.notice.styleSheet()
    assert pixel(win.canvas, 2, 2) == QColor(colours.base)  # the margin around the plane


def test_the_view_menu_switches_every_view_and_the_next_window_remembers(qtbot, tmp_path: Path,
                                                                         monkeypatch) -> None:
    monkeypatch.setenv("NEURAL_SANDBOX_DATA_DIR", str(tmp_path))
    win = make_window(qtbot, preset="circle", persistent=True)
    assert theme.current() is theme.LIGHT
    assert_looks(win, theme.LIGHT)
    choose_from_view_menu(qtbot, win, Qt.Key.Key_D)
    assert theme.current() is theme.DARK and win.theme.actions["dark"].isChecked()
    assert_looks(win, theme.DARK)
    win.close()
    assert QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat).value("theme") == "dark"
    theme.apply("light")  # as a fresh start would be: the next window must bring dark back itself
    again = make_window(qtbot, preset="circle", persistent=True)
    assert theme.current() is theme.DARK and again.theme.actions["dark"].isChecked()
    assert_looks(again, theme.DARK)
    choose_from_view_menu(qtbot, again, Qt.Key.Key_L)
    assert_looks(again, theme.LIGHT)
    again.close()


def test_the_map_keeps_its_colour_blind_safe_colours_in_the_dark(qtbot) -> None:
    win = make_window(qtbot, preset="circle")
    win.controller.step(40)
    assert win.controller.wait_until(lambda s: s.epoch >= 40)
    win.draw(win.controller.latest)
    light = win.canvas.decision.image.copy()
    win.theme.choose("dark")
    assert np.array_equal(win.canvas.decision.image, light)
    image = win.network.viewport().grab().toImage()
    seen = {image.pixelColor(x, y).name() for x in range(0, image.width(), 2) for y in range(0, image.height(), 2)}
    orange, blue = (QColor(*map(int, c)).name() for c in palette.CLASS_COLORS[:2])
    assert orange in seen and blue in seen
    win.close()


def test_theme_dark_on_the_command_line_is_for_this_run_only(qtbot, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("NEURAL_SANDBOX_DATA_DIR", str(tmp_path))
    window = start(build_parser().parse_args(["--theme", "dark"]), [4, 2])
    qtbot.addWidget(window)
    assert theme.current() is theme.DARK and window.theme.actions["dark"].isChecked()
    assert_looks(window, theme.DARK)
    window.close()
    assert QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat).value("theme") is None


def test_an_unknown_theme_is_refused_by_the_option_parser(capsys) -> None:
    with pytest.raises(SystemExit):
        build_parser().parse_args(["--theme", "purple"])
    assert "--theme" in capsys.readouterr().err
    assert app_module.THEMES == theme.CHOICES


def test_system_follows_the_colour_scheme_while_chosen(qtbot, monkeypatch) -> None:
    win = make_window(qtbot, preset="circle")
    assert win.theme.actions["system"].isChecked() and theme.current() is theme.LIGHT
    monkeypatch.setattr(theme, "system_is_dark", lambda: True)
    QGuiApplication.styleHints().colorSchemeChanged.emit(Qt.ColorScheme.Dark)
    assert theme.current() is theme.DARK
    assert_looks(win, theme.DARK)
    win.theme.choose("light")  # a fixed choice no longer follows the system
    QGuiApplication.styleHints().colorSchemeChanged.emit(Qt.ColorScheme.Dark)
    assert theme.current() is theme.LIGHT
    win.close()


def test_the_theme_submenu_offers_three_choices_with_tooltips(window) -> None:
    view = next(a.menu() for a in window.menuBar().actions() if a.text() == "&View")
    themes = next(a.menu() for a in view.actions() if a.text() == "&Theme")
    assert isinstance(themes, QMenu)
    assert [a.text() for a in themes.actions()] == ["&Light", "&Dark", "&System"]
    assert all(a.toolTip() and a.isCheckable() for a in themes.actions())


def test_compare_mode_turns_dark_too_and_run_a_stays_visible(qtbot) -> None:
    win = make_window(qtbot, preset="circle")
    qtbot.keyClick(win, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)  # View -> Compare two runs
    panel = win.compare.panel
    assert panel is not None
    win.theme.choose("dark")
    assert plot_background(panel.plot) == QColor(theme.DARK.base)
    assert all(plot_background(canvas) == QColor(theme.DARK.base) for canvas in panel.canvases.values())
    a_pen = panel.curves["A"].opts["pen"].color()
    assert a_pen == QColor(theme.DARK.text)  # near white on the dark plot, not the light theme's near black
    assert theme.DARK.text in panel.titles["A"].styleSheet()
    win.theme.choose("light")
    assert panel.curves["A"].opts["pen"].color() == QColor(theme.LIGHT.text)
    win.close()


def test_a_remembered_theme_is_in_force_before_the_first_widget_is_built(qtbot, tmp_path: Path, monkeypatch):
    from gui.main_window import MainWindow
    from gui.widgets import presets

    monkeypatch.setenv("NEURAL_SANDBOX_DATA_DIR", str(tmp_path))
    QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat).setValue(theme.SETTINGS_KEY, "dark")
    theme.apply("light")
    drawn: list[tuple[str, str]] = []  # (preset, theme) of every picture drawn
    draw = presets.preset_picture
    monkeypatch.setattr(presets, "preset_picture", lambda name, *args: (
        drawn.append((name, theme.current().name)), draw(name, *args))[1])
    win = MainWindow(preset="circle", seed=0, persistent=True, dialogs=False)
    qtbot.addWidget(win)
    try:
        assert window_colour() == QColor(theme.DARK.window) and theme.chosen() == "dark"
        assert set(win.controls.pictures.buttons) <= {name for name, _ in drawn}
        # Built in the dark from the start: no picture was drawn light first and then again dark.
        assert {colours for _, colours in drawn} == {theme.DARK.name}
    finally:
        win.close()
