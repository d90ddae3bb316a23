"""What the bundle leaves out (packaging/lean.py): unused Qt plugins and the libraries only they needed."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "packaging"))

import lean  # packaging/lean.py, imported the way the PyInstaller spec imports it

QT = "PySide6/Qt"


def test_unused_plugins_and_translations_are_left_out_and_the_rest_kept():
    assert lean.leave_out(f"{QT}/plugins/platforms/libqvnc.so")
    assert lean.leave_out(f"{QT}/plugins/platformthemes/libqgtk3.so")
    assert lean.leave_out(f"{QT}/plugins/egldeviceintegrations/libqeglfs-kms-egldevice-integration.so")
    assert lean.leave_out(f"{QT}/translations/qtbase_de.qm")
    for kept in ("platforms/libqxcb.so", "platforms/libqwayland.so", "platforms/libqoffscreen.so",
                 "iconengines/libqsvgicon.so", "imageformats/libqsvg.so",
                 "xcbglintegrations/libqxcb-glx-integration.so"):
        assert not lean.leave_out(f"{QT}/plugins/{kept}"), kept
    for other in (f"{QT}/lib/libQt6Gui.so.6", "PySide6/QtGui.abi3.so", "gui/lessons/01-one-neuron.md", "libz.so.1"):
        assert not lean.leave_out(other), other


def test_a_library_is_dropped_only_when_nothing_kept_links_to_it():
    links = {
        "/src/QtGui.abi3.so": ["libQt6Gui.so.6", "libpyside6.abi3.so.6.11"],
        "/src/libQt6Gui.so.6": ["libQt6Core.so.6"],
        "/src/libQt6Core.so.6": ["libicuuc.so.73", "libc.so.6"],
        "/src/libicuuc.so.73": [],
        "/src/libpyside6.abi3.so.6.11": [],
        "/src/libqxcb.so": ["libQt6XcbQpa.so.6"],
        "/src/libQt6XcbQpa.so.6": ["libxcb-cursor.so.0"],
        "/src/libxcb-cursor.so.0": [],
        "/src/libcairo.so.2": ["libpixman-1.so.0"],  # only the left-out GTK theme linked to these two
        "/src/libpixman-1.so.0": [],
        "/src/libpython3.11.so.1.0": [],  # opened by the bootloader: no NEEDED entry points at it
    }
    rows = [
        ("PySide6/QtGui.abi3.so", "/src/QtGui.abi3.so", "EXTENSION"),
        (f"{QT}/lib/libQt6Gui.so.6", "/src/libQt6Gui.so.6", "BINARY"),
        (f"{QT}/lib/libQt6Core.so.6", "/src/libQt6Core.so.6", "BINARY"),
        (f"{QT}/lib/libicuuc.so.73", "/src/libicuuc.so.73", "BINARY"),
        ("PySide6/libpyside6.abi3.so.6.11", "/src/libpyside6.abi3.so.6.11", "BINARY"),
        (f"{QT}/plugins/platforms/libqxcb.so", "/src/libqxcb.so", "BINARY"),
        (f"{QT}/lib/libQt6XcbQpa.so.6", "/src/libQt6XcbQpa.so.6", "BINARY"),
        ("libxcb-cursor.so.0", "/src/libxcb-cursor.so.0", "BINARY"),
        ("libcairo.so.2", "/src/libcairo.so.2", "BINARY"),
        ("libpixman-1.so.0", "/src/libpixman-1.so.0", "BINARY"),
        ("libpython3.11.so.1.0", "/src/libpython3.11.so.1.0", "BINARY"),
        ("libQt6Core.so.6", f"{QT}/lib/libQt6Core.so.6", "SYMLINK"),
    ]
    assert lean.unneeded_libraries(rows, links.__getitem__) == {"libcairo.so.2", "libpixman-1.so.0"}


def test_the_test_tools_and_unused_qt_modules_are_excluded():
    for name in ("pytest", "hypothesis", "pytestqt", "PySide6.QtQml", "PySide6.QtQuick", "PySide6.QtWebEngineCore",
                 "PySide6.QtMultimedia", "PySide6.Qt3DCore", "PySide6.QtNetwork"):
        assert name in lean.EXCLUDES
    for used in ("PySide6.QtCore", "PySide6.QtGui", "PySide6.QtWidgets", "PySide6.QtOpenGL", "PySide6.QtOpenGLWidgets"):
        assert used not in lean.EXCLUDES  # pyqtgraph imports the two OpenGL modules when it starts
