"""What the bundle leaves out: the spec (packaging/neural-sandbox.spec) filters PyInstaller's file lists with these.

PyInstaller collects every Qt plugin of a module the app imports, with the libraries those plugins link to.
Many are for embedded devices (eglfs, linuxfb, VNC, evdev input) or cannot load anyway (the GTK 3 theme needs
a GTK the bundle does not carry, and drags in cairo and pango). ``leave_out`` drops those files and Qt's
translations (the app is English only); ``unneeded_libraries`` then drops every shared library that no kept
file links to any more, following the ELF ``NEEDED`` entries (read with ``readelf``, part of binutils, which
PyInstaller needs on Linux anyway).
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Iterable
from pathlib import PurePosixPath

# Qt modules the app never imports. The app uses QtCore, QtGui and QtWidgets; pyqtgraph imports QtOpenGL and
# QtOpenGLWidgets at start (PlotCurveItem and its GL view), and QtSvg and QtTest only if present.
UNUSED_QT = (
    "Qt3DAnimation", "Qt3DCore", "Qt3DExtras", "Qt3DInput", "Qt3DLogic", "Qt3DRender", "QtBluetooth", "QtCharts",
    "QtConcurrent", "QtDataVisualization", "QtDBus", "QtDesigner", "QtGraphs", "QtGraphsWidgets", "QtHelp",
    "QtHttpServer", "QtLocation", "QtMultimedia", "QtMultimediaWidgets", "QtNetwork", "QtNetworkAuth", "QtNfc",
    "QtPdf", "QtPdfWidgets", "QtPositioning", "QtPrintSupport", "QtQml", "QtQuick", "QtQuick3D", "QtQuickControls2",
    "QtQuickTest", "QtQuickWidgets", "QtRemoteObjects", "QtScxml", "QtSensors", "QtSerialBus", "QtSerialPort",
    "QtSpatialAudio", "QtSql", "QtStateMachine", "QtSvg", "QtSvgWidgets", "QtTest", "QtTextToSpeech", "QtUiTools",
    "QtWebChannel", "QtWebEngineCore", "QtWebEngineQuick", "QtWebEngineWidgets", "QtWebSockets", "QtWebView", "QtXml",
)

# Python modules left out: the unused Qt modules; the test and development tools; the other Qt bindings pyqtgraph
# would take if present; optional parts of pyqtgraph and Pillow the app does not use (it writes GIFs with a
# built-in font); ssl and readline, which only optional paths of the standard library import.
EXCLUDES = [f"PySide6.{name}" for name in UNUSED_QT] + [
    "pytest", "_pytest", "pytestqt", "hypothesis", "mypy", "ruff", "py", "pluggy", "iniconfig", "pygments",
    "PyQt5", "PyQt6", "PySide2", "tkinter", "_tkinter", "IPython", "matplotlib", "scipy", "OpenGL",
    "pyqtgraph.opengl", "pyqtgraph.examples", "pyqtgraph.jupyter",
    "PIL.ImageTk", "PIL.ImageQt", "PIL._avif", "PIL.AvifImagePlugin", "PIL._webp", "PIL._imagingcms",
    "PIL.ImageCms", "ssl", "_ssl", "readline",
]

# Qt plugins kept, by folder: the desktop platforms (X11, Wayland) and offscreen/minimal (screenshots, tests),
# the SVG icon and image plugins, input methods, the desktop portal's theme (dark mode, file dialogs).
KEPT_PLUGINS = {
    "platforms": {"libqxcb.so", "libqwayland.so", "libqoffscreen.so", "libqminimal.so"},
    "platformthemes": {"libqxdgdesktopportal.so"},
    "imageformats": {"libqsvg.so"},
    "iconengines": None,  # None: the whole folder
    "platforminputcontexts": None,
    "xcbglintegrations": None,
    "wayland-decoration-client": None,
    "wayland-graphics-integration-client": None,
    "wayland-shell-integration": None,
}

# Loaded without a NEEDED entry pointing at them: the bootloader opens libpython itself.
ALWAYS_KEPT = ("libpython",)


def leave_out(dest: str) -> bool:
    """True for a collected file the app never loads: an unlisted Qt plugin, or a Qt translation."""
    parts = PurePosixPath(dest.replace("\\", "/")).parts
    if "Qt" not in parts:
        return False
    if "translations" in parts:
        return True
    if "plugins" not in parts or len(parts) < parts.index("plugins") + 3:
        return False  # not a file inside a plugin folder
    folder, name = parts[parts.index("plugins") + 1], parts[-1]
    if folder not in KEPT_PLUGINS:
        return True
    names = KEPT_PLUGINS[folder]
    return names is not None and name not in names


def is_shared_library(dest: str) -> bool:
    """A plain shared library (lib*.so*), not a Python extension module or a Qt plugin."""
    path = PurePosixPath(dest.replace("\\", "/"))
    return (path.name.startswith("lib") and ".so" in path.name and "plugins" not in path.parts
            and "lib-dynload" not in path.parts and not path.name.endswith((".abi3.so",))
            and "cpython-" not in path.name)


def readelf_needed(path: str) -> list[str]:
    """The NEEDED entries of an ELF file (the library names it links to)."""
    out = subprocess.run(["readelf", "-d", path], capture_output=True, text=True, check=False).stdout
    return [line.split("[", 1)[1].split("]", 1)[0] for line in out.splitlines() if "(NEEDED)" in line]


def unneeded_libraries(entries: Iterable[tuple[str, str, str]],
                       needed: Callable[[str], list[str]] = readelf_needed) -> set[str]:
    """The destinations of shared libraries that no kept file links to, directly or through another library.

    ``entries`` are PyInstaller TOC rows (dest, source, typecode); the roots are every binary that is not a
    plain shared library (Python extensions, Qt plugins) and the libraries the bootloader opens itself.
    """
    rows = [row for row in entries if row[2] in ("BINARY", "EXTENSION")]
    libraries = {PurePosixPath(dest).name: (dest, source) for dest, source, _ in rows if is_shared_library(dest)}
    reached = {name for name in libraries if name.startswith(ALWAYS_KEPT)}
    roots = [source for dest, source, _ in rows if not is_shared_library(dest)] + [libraries[n][1] for n in reached]
    todo = list(roots)
    while todo:
        for name in needed(todo.pop()):
            if name in libraries and name not in reached:
                reached.add(name)
                todo.append(libraries[name][1])
    return {dest for name, (dest, _) in libraries.items() if name not in reached}
