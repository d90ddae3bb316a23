"""Limits and defaults for the whole app, in one place (no Qt).

The CLI, every file loader, the live trainer and the window's controls read these
numbers from here, so a model the CLI can build is one the window can open, and a
file the window refuses is one the CLI refuses too.
"""

from __future__ import annotations

# The network's shape.
MAX_HIDDEN_LAYERS = 8
MIN_NEURONS = 1
MAX_NEURONS = 16  # per hidden layer: each neuron's map must stay readable in the network view

# Classes: class ids run 0 .. MAX_CLASSES - 1 in files and the CLI; the window's class
# picker offers the first DRAWN_CLASSES, one per colour of the colour-blind-safe palette.
MAX_CLASSES = 16
DRAWN_CLASSES = 6

# Numbers a file or the CLI may hold: beyond these, float arithmetic overflows or the
# window cannot draw, so they are refused with a message instead of breaking the app.
MAX_COORDINATE = 1e6  # |x| and |y| of a point
MAX_POINTS = 1_000_000  # points in a data set or session
MAX_EPOCH = 10**12  # an epoch counter far beyond any run, well inside int64
MAX_LEARNING_RATE = 100.0
MIN_LEARNING_RATE = 1e-9
MAX_BATCH_SIZE = 1_000_000
MAX_REG_RATE = 100.0
MAX_NOISE = 0.5
MAX_FILE_BYTES = 512 * 2**20  # a data or session file larger than this is refused unread

# Defaults: what a new window, a new session and the CLI start with.
DEFAULT_HIDDEN: tuple[int, ...] = (4, 2)
DEFAULT_ACTIVATION = "tanh"
DEFAULT_LEARNING_RATE = 0.03
DEFAULT_OPTIMIZER = "sgd"
DEFAULT_BATCH_SIZE = 10
DEFAULT_POINTS = 500
DEFAULT_TRAIN_RATIO = 0.5
DEFAULT_PRESET = "circle"


def check_hidden(hidden: tuple[int, ...] | list[int]) -> str | None:
    """None when the hidden layer sizes are within the limits, else what is wrong (one phrase)."""
    if len(hidden) > MAX_HIDDEN_LAYERS or any(not MIN_NEURONS <= int(h) <= MAX_NEURONS for h in hidden):
        return (f"0 to {MAX_HIDDEN_LAYERS} hidden layers of {MIN_NEURONS} to {MAX_NEURONS} neurons, "
                f"not {','.join(str(h) for h in hidden) or 'none'}")
    return None
