"""Lessons as data files: one Markdown file per lesson in ``gui/lessons``, led by a JSON block.

A lesson file looks like this::

    ---
    {"title": "One neuron", "setup": {"preset": "gauss", "hidden": []}, "highlight": ["network"]}
    ---
    The lesson's text, in Markdown.

    ## Predict first
    The question the student answers before pressing Run.

    ## What just happened
    The note shown after the run.

The JSON block names the set-up (see ``SETUP_KEYS``), the widgets to highlight (object
names), the live view to show beside the text, how many epochs Run plays, and for a
challenge its goal and hints. Loading checks every field, so a teacher's typo is one clear
message naming the file, never a half-set-up sandbox. No Qt here: the command line lists
lessons before any window exists.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from engine import limits
from engine.activations import ACTIVATIONS
from engine.datasets import PRESETS
from engine.features import FEATURES

PREDICT, AFTER = "## Predict first", "## What just happened"
VIEWS = ("", "neuron", "activation", "feedforward", "backprop", "rates", "challenge")
OPTIMIZERS = ("sgd", "momentum", "adam")
SPEEDS = (1.0, 5.0, 30.0, 100.0, 300.0, None)  # the speed list's choices (None: as fast as it goes)
LEARNING_RATES = (0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
SETUP_KEYS = {"preset", "points", "noise", "hidden", "activation", "features", "learning_rate", "optimizer",
              "batch_size", "speed", "weights", "biases"}
TOP_KEYS = {"title", "setup", "highlight", "view", "run_epochs", "goal", "hints"}


LESSONS_DIR_VARIABLE = "NEURAL_SANDBOX_LESSONS_DIR"  # a teacher's own lesson folder instead of the shipped one


class LessonError(ValueError):
    """A lesson file that cannot be used; the message names the file and the problem."""


@dataclass(frozen=True)
class Setup:
    """Everything a lesson sets up: data, network, features, training settings and speed."""

    preset: str = limits.DEFAULT_PRESET
    points: int = limits.DEFAULT_POINTS
    noise: float = 0.0
    hidden: tuple[int, ...] = limits.DEFAULT_HIDDEN
    activations: tuple[str, ...] = (limits.DEFAULT_ACTIVATION,) * len(limits.DEFAULT_HIDDEN)
    activation: str = limits.DEFAULT_ACTIVATION  # the Activation list's choice (also for layers added later)
    features: tuple[str, ...] = ("x1", "x2")
    learning_rate: float = limits.DEFAULT_LEARNING_RATE
    optimizer: str = limits.DEFAULT_OPTIMIZER
    batch_size: int = limits.DEFAULT_BATCH_SIZE
    speed: float | None = 30.0
    # Start values after the fresh weights: (layer, i, j, value) for the weight from neuron i of layer - 1
    # to neuron j of layer, (layer, j, value) for a bias; layers count from 1, neurons and inputs from 0.
    weights: tuple[tuple[int, int, int, float], ...] = ()
    biases: tuple[tuple[int, int, float], ...] = ()


@dataclass(frozen=True)
class Lesson:
    """One lesson: its text, question, after-run note, set-up and what to highlight."""

    number: int
    name: str  # the file's name, for messages
    title: str
    text: str
    question: str
    after: str
    setup: Setup
    highlight: tuple[str, ...] = ()
    view: str = ""
    run_epochs: int = 300
    goal: float | None = None  # test accuracy a challenge asks for
    hints: tuple[str, ...] = field(default_factory=tuple)


def _section(body: str, heading: str) -> tuple[str, str]:
    """(body without the section, the section's text)."""
    match = re.search(rf"^{re.escape(heading)}\s*$", body, flags=re.MULTILINE)
    if match is None:
        return body, ""
    rest = body[match.end():]
    end = re.search(r"^## ", rest, flags=re.MULTILINE)
    section = rest[:end.start()] if end else rest
    remaining = body[:match.start()] + (rest[end.start():] if end else "")
    return remaining, section.strip()


def _paragraphs(text: str) -> str:
    """Join a section's wrapped lines (it is shown in a label, not rendered as Markdown)."""
    return "\n\n".join(" ".join(p.split()) for p in re.split(r"\n\s*\n", text) if p.strip())


def _setup(raw: Any) -> Setup:
    """A checked Setup from the JSON block's "setup" object; raises ValueError naming the field."""
    if not isinstance(raw, dict):
        raise ValueError('"setup" must be an object')
    unknown = sorted(set(raw) - SETUP_KEYS)
    if unknown:
        raise ValueError(f'unknown setup field "{unknown[0]}" (known: {", ".join(sorted(SETUP_KEYS))})')
    base = Setup()
    preset = raw.get("preset", base.preset)
    if preset not in PRESETS:
        raise ValueError(f'setup "preset": {preset!r} is not one of {", ".join(PRESETS)}')
    points = raw.get("points", base.points)
    if not isinstance(points, int) or not 10 <= points <= 2000:
        raise ValueError('setup "points": a whole number from 10 to 2000')
    noise = raw.get("noise", base.noise)
    if not isinstance(noise, int | float) or not 0 <= noise <= limits.MAX_NOISE:
        raise ValueError(f'setup "noise": a number from 0 to {limits.MAX_NOISE}')
    hidden = raw.get("hidden", list(base.hidden))
    if not isinstance(hidden, list) or not all(isinstance(h, int) for h in hidden) or limits.check_hidden(hidden):
        raise ValueError(f'setup "hidden": a list of 0 to {limits.MAX_HIDDEN_LAYERS} layer sizes, '
                         f'each {limits.MIN_NEURONS} to {limits.MAX_NEURONS}')
    activation = raw.get("activation", limits.DEFAULT_ACTIVATION)
    names = activation if isinstance(activation, list) else [activation] * len(hidden)
    if len(names) != len(hidden) or any(n not in ACTIVATIONS for n in [*names, *([] if names else [activation])]):
        raise ValueError(f'setup "activation": one of {", ".join(ACTIVATIONS)}, or a list of one per hidden layer')
    features = raw.get("features", list(base.features))
    if not isinstance(features, list) or not features or any(f not in FEATURES for f in features):
        raise ValueError(f'setup "features": a non-empty list from {", ".join(FEATURES)}')
    rate = raw.get("learning_rate", base.learning_rate)
    if rate not in LEARNING_RATES:
        raise ValueError(f'setup "learning_rate": one of {", ".join(f"{r:g}" for r in LEARNING_RATES)}')
    optimizer = raw.get("optimizer", base.optimizer)
    if optimizer not in OPTIMIZERS:
        raise ValueError(f'setup "optimizer": one of {", ".join(OPTIMIZERS)}')
    batch = raw.get("batch_size", base.batch_size)
    if not isinstance(batch, int) or not 1 <= batch <= 500:
        raise ValueError('setup "batch_size": a whole number from 1 to 500')
    speed = raw.get("speed", base.speed)
    if speed not in SPEEDS:
        raise ValueError('setup "speed": one of 1, 5, 30, 100, 300 epochs a second, or null (as fast as it goes)')
    sizes = [len(features), *hidden, 1]
    return Setup(preset, points, float(noise), tuple(hidden), tuple(names), names[0] if names else activation,
                 tuple(f for f in FEATURES if f in features), float(rate), optimizer, batch,
                 None if speed is None else float(speed), _start_values(raw, "weights", sizes),
                 _start_values(raw, "biases", sizes))


def _start_values(raw: dict, key: str, sizes: list[int]) -> tuple:
    """Checked start weights ([layer, i, j, value]) or biases ([layer, j, value]) for a network of ``sizes``."""
    entries = raw.get(key, [])
    width = 4 if key == "weights" else 3
    shape = "[layer, i, j, value]" if key == "weights" else "[layer, j, value]"
    out = []
    for entry in entries if isinstance(entries, list) else [None]:
        if (not isinstance(entry, list) or len(entry) != width or not all(isinstance(v, int) for v in entry[:-1])
                or not isinstance(entry[-1], int | float)):
            raise ValueError(f'setup "{key}": a list of {shape}')
        layer, *index, value = entry
        limits_ok = 1 <= layer < len(sizes) and 0 <= index[-1] < sizes[layer]
        if key == "weights":
            limits_ok = limits_ok and 0 <= index[0] < sizes[layer - 1]
        if not limits_ok or abs(value) > 100:
            raise ValueError(f'setup "{key}": {entry} is not in this network (layers 1 to {len(sizes) - 1}, '
                             "values within ±100)")
        out.append((layer, *index, float(value)))
    return tuple(out)


def parse_lesson(text: str, name: str, number: int) -> Lesson:
    """Read one lesson file's text; raises LessonError naming ``name`` and the problem."""
    try:
        match = re.match(r"\A\s*---\s*\n(.*?)\n---\s*\n", text, flags=re.DOTALL)
        if match is None:
            raise ValueError("it must start with a JSON block between two lines of ---")
        try:
            meta = json.loads(match.group(1))
        except json.JSONDecodeError as problem:
            raise ValueError(f"the JSON block, line {problem.lineno + 1}: {problem.msg}") from None
        if not isinstance(meta, dict):
            raise ValueError("the JSON block must be an object")
        unknown = sorted(set(meta) - TOP_KEYS)
        if unknown:
            raise ValueError(f'unknown field "{unknown[0]}" (known: {", ".join(sorted(TOP_KEYS))})')
        title = meta.get("title")
        if not isinstance(title, str) or not title.strip():
            raise ValueError('"title" is missing')
        body, question = _section(text[match.end():], PREDICT)
        body, after = _section(body, AFTER)
        question, after = _paragraphs(question), _paragraphs(after)
        if not question:
            raise ValueError(f'no "{PREDICT}" section: every lesson asks the student to predict before Run')
        if not after:
            raise ValueError(f'no "{AFTER}" section: the note shown after the run')
        highlight = meta.get("highlight", [])
        if not isinstance(highlight, list) or not all(isinstance(h, str) for h in highlight):
            raise ValueError('"highlight": a list of widget names')
        view = meta.get("view", "")
        if view not in VIEWS:
            raise ValueError(f'"view": one of {", ".join(v or chr(34) * 2 for v in VIEWS)}')
        epochs = meta.get("run_epochs", 300)
        if not isinstance(epochs, int) or not 1 <= epochs <= 100_000:
            raise ValueError('"run_epochs": a whole number from 1 to 100000')
        goal = meta.get("goal")
        if goal is not None and (not isinstance(goal, int | float) or not 0 < goal <= 1):
            raise ValueError('"goal": a test accuracy between 0 and 1')
        hints = meta.get("hints", [])
        if not isinstance(hints, list) or not all(isinstance(h, str) for h in hints):
            raise ValueError('"hints": a list of texts')
        return Lesson(number, name, title.strip(), body.strip(), question, after, _setup(meta.get("setup", {})),
                      tuple(highlight), view, epochs, None if goal is None else float(goal), tuple(hints))
    except ValueError as problem:
        raise LessonError(f"lesson file {name}: {problem}") from None


def lesson_files() -> list[tuple[str, str]]:
    """(name, text) of every lesson file shipped in gui/lessons, in file-name order."""
    folder = resources.files("gui").joinpath("lessons")
    entries = sorted((entry for entry in folder.iterdir() if entry.name.endswith(".md")), key=lambda e: e.name)
    return [(entry.name, entry.read_text(encoding="utf-8")) for entry in entries]


def load_lessons(folder: Path | None = None) -> list[Lesson]:
    """Every lesson, numbered from 1 in file-name order; raises LessonError for the first bad file."""
    if folder is None:
        files = lesson_files()
    else:
        files = []
        for path in sorted(Path(folder).glob("*.md")):
            try:
                files.append((path.name, path.read_text(encoding="utf-8")))
            except (OSError, UnicodeDecodeError) as problem:
                raise LessonError(f"lesson file {path.name}: cannot be read ({problem})") from None
    return [parse_lesson(text, name, number) for number, (name, text) in enumerate(files, start=1)]


def lesson_list(lessons: list[Lesson]) -> str:
    """'1 One neuron, 2 ...': the lessons on one line."""
    return ", ".join(f"{lesson.number} {lesson.title}" for lesson in lessons)


def lessons_folder() -> Path | None:
    """The folder lessons are read from: $NEURAL_SANDBOX_LESSONS_DIR if set, else None (the shipped ones)."""
    folder = os.environ.get(LESSONS_DIR_VARIABLE)
    return Path(folder) if folder else None
