"""Neural Sandbox: ``main.py`` opens the window; ``main.py train ...`` trains headless."""

from __future__ import annotations

import ctypes
import gc
import importlib.util
import multiprocessing
import os
import sys
from collections.abc import Mapping
from pathlib import Path

# One BLAS thread: the matrices are tiny, and the GUI and the trainer share two cores.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

# The README's apt line (Debian/Ubuntu), checked on a clean Debian 12: what the window and the tests need.
# tests/test_setup.py keeps the README and .ci/run in step with it.
APT_PACKAGES = (
    "python3-venv libglib2.0-0 libegl1 libgl1 libfontconfig1 libdbus-1-3 libxkbcommon0 libxkbcommon-x11-0 "
    "libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-render-util0 libxcb-shape0 libxcb-xkb1"
)
# What the standalone bundle (packaging/build) needs on a minimal Debian 12, checked in a clean chroot by
# packaging/check_clean: the bundle carries Qt's other libraries; fontconfig-config brings the fonts.
BUNDLE_APT_PACKAGES = "libgl1 libegl1 fontconfig-config"
OFFSCREEN_HINT = "or render the window offscreen with --screenshot FILE.png"


def install_hint() -> str:
    """The apt command that installs what the window needs: the bundle's few packages, or the venv's list."""
    packages = BUNDLE_APT_PACKAGES if getattr(sys, "frozen", False) else APT_PACKAGES
    return f"`sudo apt-get install {packages}` (Debian/Ubuntu)"


def load_error(error: OSError) -> str:
    """The dynamic linker's own message in ``error``: the frozen bundle's ctypes wraps it in its own words."""
    cause = error.__cause__ if isinstance(error.__cause__, OSError) else error
    return str(cause)


def qt_platform(env: Mapping[str, str], screenshot: bool) -> str:
    """The Qt platform plugin the window will ask for ('' when Qt picks one itself)."""
    chosen = env.get("QT_QPA_PLATFORM", "").split(";")[0].split(":")[0].strip()
    return chosen or ("offscreen" if screenshot else "")


def platform_plugin(name: str) -> Path | None:
    """PySide6's plugin file for platform ``name``, found without importing Qt (None if not there)."""
    spec = importlib.util.find_spec("PySide6")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(spec.submodule_search_locations[0], "Qt", "plugins", "platforms", f"libq{name}.so")
    return path if path.is_file() else None


def plugin_problem(name: str) -> str | None:
    """Why the ``name`` platform plugin cannot load (a missing system library), or None if it loads.

    Loading it with the dynamic linker resolves everything it needs, as Qt will a moment later; but
    Qt aborts the process when that fails, while here it is an OSError naming the first missing library.
    """
    path = platform_plugin(name)
    if path is None:  # not a PySide6 wheel's layout: leave it to Qt
        return None
    try:
        ctypes.CDLL(str(path))
    except OSError as error:
        text = load_error(error)
        missing = f"{text.split(':')[0].strip()} is missing" if "cannot open shared object file" in text else text
        problem = (f"Qt's {name} platform plugin cannot load: {missing}; install the system libraries "
                   f"with {install_hint()}")
        return problem if name in ("offscreen", "minimal") else f"{problem}, {OFFSCREEN_HINT}"
    return None


def x_display_problem(display: str) -> str | None:
    """Why X display ``display`` cannot be reached, or None (asks libxcb, as Qt's xcb plugin does)."""
    try:
        xcb = ctypes.CDLL("libxcb.so.1")
    except OSError:
        return None  # plugin_problem has reported it
    xcb.xcb_connect.restype = ctypes.c_void_p
    xcb.xcb_connect.argtypes = [ctypes.c_char_p, ctypes.c_void_p]
    xcb.xcb_connection_has_error.argtypes = [ctypes.c_void_p]
    xcb.xcb_disconnect.argtypes = [ctypes.c_void_p]
    connection = xcb.xcb_connect(display.encode(), None)
    failed = xcb.xcb_connection_has_error(connection)
    xcb.xcb_disconnect(connection)
    if failed:
        return f"cannot connect to the X display {display!r}; use a display that runs, {OFFSCREEN_HINT}"
    return None


def qt_problem(env: Mapping[str, str], screenshot: bool = False) -> str | None:
    """Why Qt could not start the window here (no display, missing libraries), or None if it can."""
    if not sys.platform.startswith("linux"):
        return None  # Windows and macOS have one platform plugin, always there
    platform = qt_platform(env, screenshot)
    if platform in ("offscreen", "minimal"):
        return plugin_problem(platform)
    if platform not in ("", "xcb"):
        return None  # wayland, vnc, eglfs...: the user chose it, so leave it to Qt
    if not platform and env.get("WAYLAND_DISPLAY"):
        return None  # a Wayland session: Qt tries wayland, then xcb
    display = env.get("DISPLAY", "")
    if not display:
        return f"no display (DISPLAY is not set); run it in a desktop session, {OFFSCREEN_HINT}"
    return plugin_problem("xcb") or x_display_problem(display)


def window_seed(argv: list[str]) -> int | None:
    """The seed the window's options ask for (0 when they name none), or None when they are not plain enough to say.

    Read before Qt loads, to start the trainer early; the window's own parser checks the options
    afterwards, and a trainer started with another seed than it settles on is replaced.
    """
    seeds = [arg.split("=", 1)[1] if arg.startswith("--seed=") else after
             for arg, after in zip(argv, [*argv[1:], ""]) if arg == "--seed" or arg.startswith("--seed=")]
    if not seeds:
        return 0
    try:
        return int(seeds[-1])
    except ValueError:
        return None


def main(argv: list[str] | None = None) -> int:
    """Dispatch to the headless trainer or the window."""
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "train":
        from engine.cli import main as train

        return train(argv[1:])
    wants_help = any(arg in ("-h", "--help") for arg in argv)
    screenshot = any(arg == "--screenshot" or arg.startswith("--screenshot=") for arg in argv)
    # Checked before Qt starts: QApplication aborts the process (core dump) when its platform cannot load.
    problem = None if wants_help else qt_problem(os.environ, screenshot)
    # No garbage collection while Qt, pyqtgraph and the window are loaded and built: everything they make
    # lives as long as the window, and gui.app freezes it all once the window stands (settle_heap).
    gc.disable()
    try:
        seed = None if wants_help else window_seed(argv)
        if problem is None and seed is not None:
            from engine.live_launch import start_early

            start_early(seed)  # the trainer starts on the other core while this process loads Qt
        if problem is None:
            try:
                from gui.app import main as window
            except ImportError as error:  # a library Qt links against is missing (e.g. libglib-2.0.so.0)
                if ".so" not in str(error):
                    raise
                problem = f"Qt cannot load: {error}; install the system libraries with {install_hint()}"
        if problem is not None:
            print(f"neural-sandbox: cannot open the window: {problem}", file=sys.stderr)
            return 2
        return window(argv)
    finally:
        gc.enable()  # whatever way the window ended (or never began)
        if "engine.live_launch" in sys.modules:
            sys.modules["engine.live_launch"].stop_early()  # started for a window that was never built


def run() -> None:
    """Console-script entry point (``neural-sandbox``, and the bundle's executable)."""
    # In the frozen bundle the trainer child is this executable again, started with --multiprocessing-fork:
    # freeze_support runs the child's code and exits there, before any argument is parsed (a no-op otherwise).
    multiprocessing.freeze_support()
    sys.exit(main())


if __name__ == "__main__":
    run()
