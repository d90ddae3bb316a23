"""Start the window (``python main.py``), or render it to a PNG (``--screenshot``)."""

from __future__ import annotations

import argparse
import atexit
import gc
import json
import os
import shutil
import sys
import tempfile
import time
from typing import TYPE_CHECKING

from engine import limits
from engine.activations import ACTIVATIONS
from engine.datasets import PRESETS

THEMES = ("light", "dark", "system")  # gui.theme.CHOICES, without importing Qt to parse the options

if TYPE_CHECKING:  # the window is imported only once Qt is known to start
    from gui.main_window import MainWindow

SCREENSHOT_SCREEN = (1366, 768)  # the offscreen screen a --screenshot is taken on: the most common laptop


def build_parser() -> argparse.ArgumentParser:
    """The window's command-line options."""
    p = argparse.ArgumentParser(
        prog="neural-sandbox", description="Neural Sandbox: watch backprop train live.",
        usage="%(prog)s [options] [FILE]\n       %(prog)s train [train options]",
        epilog="commands:\n  train    train a network headless, without the window "
               "(see: neural-sandbox train --help)",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("file", nargs="?", metavar="FILE",
                   help="a data set (.csv), session or model (.json) to open, as File > Open does")
    p.add_argument("--screenshot", metavar="FILE.png", help="render the window offscreen to FILE.png and exit")
    p.add_argument("--preset", default="circle", choices=list(PRESETS), help="data set to start with")
    p.add_argument("--activation", choices=list(ACTIVATIONS), help="hidden activation (tanh)")
    p.add_argument("--layers", help="hidden layer sizes, e.g. 4,2 ('' for none; default 4,2)")
    p.add_argument("--epochs", type=int, default=0, help="epochs to train before the screenshot")
    p.add_argument("--seed", type=int, default=0, help="seed for data and weights")
    p.add_argument("--space", type=int, metavar="LAYER",
                   help="open the layer-space view of hidden layer LAYER (1-based)")
    p.add_argument("--theme", choices=THEMES, help="light or dark, or follow the system (the View menu's choice)")
    p.add_argument("--replay", type=int, metavar="EPOCH",
                   help="with --screenshot: after training, replay the keyframe at or before EPOCH")
    p.add_argument("--lesson", type=int, metavar="N", help="open the window at lesson N (Help -> Lessons)")
    p.add_argument("--compare", action="store_true",
                   help="open in compare mode: a second run B beside A (View -> Compare)")
    p.add_argument("--difference", metavar="KIND=VALUE",
                   help="run B's difference with --compare, e.g. activation=step, learning_rate=3, layers=8,8, "
                        "surrogate=on (default: A's activation against step)")
    return p


def parse_layers(text: str) -> list[int]:
    """'4,2' -> [4, 2]; raises ValueError for sizes beyond ``engine.limits``."""
    sizes = [int(part) for part in text.split(",") if part.strip()]
    problem = limits.check_hidden(sizes)
    if problem is not None:
        raise ValueError(f"layers: {problem}")
    return sizes


def check_lesson(number: int) -> str | None:
    """None when lesson ``number`` exists, else one line saying what is wrong (and listing the lessons)."""
    from gui.lesson_book import LessonError, lesson_list, lessons_folder, load_lessons

    try:
        lessons = load_lessons(lessons_folder())
    except LessonError as problem:
        return str(problem)
    if not 1 <= number <= len(lessons):
        return f"no lesson {number}; the lessons are: {lesson_list(lessons)}"
    return None


def screenshot_platform(platform: str | None) -> str:
    """The Qt platform a --screenshot renders on: offscreen, on a laptop-sized screen unless told otherwise.

    Qt's offscreen platform has one 800x800 screen unless a configfile describes another, which
    would squeeze the window; a platform given with its own options (or a real display) is kept.
    """
    if platform not in (None, "", "offscreen"):
        return platform
    folder = tempfile.mkdtemp(prefix="neural-sandbox-screen-")
    atexit.register(shutil.rmtree, folder, True)
    width, height = SCREENSHOT_SCREEN
    path = os.path.join(folder, "screen.json")
    with open(path, "w", encoding="utf-8") as file:
        json.dump({"screens": [{"name": "laptop", "x": 0, "y": 0, "width": width, "height": height,
                                "logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1}]}, file)
    return f"offscreen:configfile={path}"


STARTUP_GC_MS = 1000  # the garbage collector stays off from the Qt imports until this long after the window


def settle_heap() -> None:
    """After start-up: collect garbage again, with everything start-up made set aside for good.

    Start-up makes tens of thousands of objects that live as long as the window; the
    collector would walk them all again and again on the way (about 7% of start-up's
    time), and later in every full collection (a stall). Frozen, they are never walked.
    """
    gc.freeze()
    gc.enable()


def main(argv: list[str] | None = None) -> int:
    """Open the window (or take a screenshot); returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        hidden = list(limits.DEFAULT_HIDDEN) if args.layers is None else parse_layers(args.layers)
    except ValueError as problem:
        parser.error(str(problem) if "layers" in str(problem) else f"layers: not a list of sizes: {args.layers!r}")
    if args.epochs < 0:
        parser.error("epochs must be >= 0")
    if args.space is not None and not 1 <= args.space <= len(hidden):
        parser.error(f"space: hidden layer {args.space} does not exist (the network has {len(hidden)})")
    if args.replay is not None and (not args.screenshot or not 0 <= args.replay <= args.epochs):
        parser.error("replay: needs --screenshot and an epoch from 0 to --epochs")
    difference = None
    if args.difference is not None:
        from engine.errors import EngineError
        from gui.compare_model import parse_difference  # Qt's core types only: no window, no plugin

        try:
            difference = parse_difference(args.difference)
        except EngineError as problem:
            parser.error(str(problem))
        if not args.compare:
            parser.error("difference: only with --compare")
    args.difference = difference
    if args.lesson is not None:
        wrong = check_lesson(args.lesson)
        if wrong:
            print(f"neural-sandbox: {wrong}", file=sys.stderr)
            return 2
    if args.screenshot:
        os.environ["QT_QPA_PLATFORM"] = screenshot_platform(os.environ.get("QT_QPA_PLATFORM"))

    gc.disable()  # until the window stands: see settle_heap
    try:
        from PySide6.QtCore import QTimer
        from PySide6.QtWidgets import QApplication

        app = QApplication.instance() or QApplication(sys.argv[:1])
        window = start(args, hidden)
    except BaseException:
        gc.enable()
        raise
    if args.screenshot:
        gc.enable()  # a screenshot's process ends soon: nothing to set aside
        return take_screenshot(window, args.screenshot, args.epochs, args.replay)
    QTimer.singleShot(STARTUP_GC_MS, settle_heap)
    return app.exec()


def start(args: argparse.Namespace, hidden: list[int]) -> MainWindow:
    """Build the window the options ask for (shown, unless for a screenshot); open FILE if given."""
    from PySide6.QtWidgets import QApplication

    from gui.icon import app_icon
    from gui.main_window import MainWindow

    app = QApplication.instance()
    assert isinstance(app, QApplication), "start() needs the QApplication made first"
    app.setApplicationName("Neural Sandbox")
    app.setOrganizationName("NeuralSandbox")
    app.setDesktopFileName("neural-sandbox")  # ties the window to packaging/neural-sandbox.desktop
    app.setWindowIcon(app_icon())
    window = MainWindow(preset=args.preset, seed=args.seed, persistent=not args.screenshot,
                        dialogs=not args.screenshot)
    if args.screenshot or args.layers is not None or args.activation is not None:
        window.configure(hidden, args.activation or limits.DEFAULT_ACTIVATION)
        window.undo_stack.clear()
    if args.theme:  # for this run only: the View menu's choice is what is remembered
        window.theme.choose(args.theme, remember=False)
    if args.space is not None:
        window.space.show(args.space)
    if args.lesson is not None:
        window.show_lessons(args.lesson)  # checked before the window was built
    if args.compare:
        window.compare.enter(*(args.difference or (None, None)))
    if not args.screenshot:
        window.show()
    if args.file:  # a bad file gets the usual message from File > Open, and nothing else changes
        window.files.open(args.file)
    if args.epochs and not args.screenshot:
        window.controller.step(args.epochs)
    return window


def take_screenshot(window: MainWindow, path: str, epochs: int, replay: int | None = None) -> int:
    """Train ``epochs`` epochs (then replay epoch ``replay``), draw the result and save the whole window as a PNG."""
    from PySide6.QtWidgets import QApplication

    window.show()
    while window.files.is_loading():  # a FILE given beside --screenshot is in the picture
        QApplication.processEvents()
        time.sleep(0.005)
    for _ in range(5):
        QApplication.processEvents()  # the loaded data arrives by a queued signal
    if window.files.last_error:
        window.close()
        print(f"neural-sandbox: {window.files.last_error}", file=sys.stderr)
        return 2
    seq = window.controller.flush_data()
    done = window.controller.wait_until(lambda s: s.seq >= seq, timeout=60)
    chunk = max(1, epochs // 50)  # in steps, so the gradient-flow plot gets a curve, not two points
    trained = 0
    while done and trained < epochs:
        size = min(chunk, epochs - trained)
        seq = window.controller.step(size)
        trained += size
        done = window.controller.wait_until(lambda s, seq=seq, trained=trained: s.seq >= seq and s.epoch >= trained,
                                            timeout=120)
    if done and replay is not None:
        store = window.controller.keyframes
        window.replay.show_position(store.index_at(replay))
        seq = window.controller.process.last_seq
        done = window.controller.wait_until(lambda s: s.seq >= seq and s.replay, timeout=60)
    compare = window.compare
    if done and compare.b is not None:  # run B follows A to the same epoch
        done = compare.b.wait_until(lambda s: s.epoch >= trained or s.diverged, timeout=120)
    for _ in range(5):
        QApplication.processEvents()
    if window.controller.latest is not None:
        window.draw(window.controller.latest)
    compare.draw_now()
    QApplication.processEvents()
    ok = window.grab().save(path)
    window.close()
    if not done or not ok:
        print(f"neural-sandbox: could not render the screenshot to {path}", file=sys.stderr)
        return 1
    print(f"saved {path}", file=sys.stderr)
    return 0
